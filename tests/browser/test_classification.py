"""A worker labels each classification task type in the browser, with the mouse and the
keyboard; what the server stored, the items' output and the output manifest are exactly
what was chosen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    DIGITS,
    Crew,
    Server,
    after_task,
    assert_submitted,
    digit_lines,
    no_more_work,
    screenshot,
    shown_image,
    shown_text,
    sign_in,
    start_labeling,
    task_id,
)

pytestmark = pytest.mark.browser

INSTRUCTIONS = "Pick the digit the image shows."
FULL = (
    "Each image is a handwritten digit, 8x8 pixels, scaled up.\n\n"
    "Examples: a closed ring is zero; a single stroke is one."
)


def digit_in(name: str) -> int:
    """The digit of an image file made by digit_lines (digit-<n>.png)."""
    match = re.fullmatch(r"digit-(\d)\.png", name)
    assert match, name
    return int(match.group(1))


def submit_button(page: Page):
    return page.get_by_role("button", name="Submit", exact=True)


def all_done(page: Page, crew: Crew, job: str, job_id: str, chosen: dict[str, Any]) -> Any:
    """The job has no more work, the list no job for this worker, and the server stored
    every task as ``chosen`` ({task id: answer}); returns the output manifest's lines."""
    no_more_work(page, job)
    expect(page.locator("quorum-job-list .empty")).to_be_visible()
    assert_submitted(crew.server.settings, job_id, chosen)
    return crew.output(job_id)


def test_image_classification(server: Server, page: Page):
    crew = Crew.make(server, "digits")
    job_id = start_labeling(
        page,
        crew,
        "digits-single",
        digit_lines(server.settings, [2, 0, 3, 1]),
        taskType="image-classification",
        labels=DIGITS,
        instructions=INSTRUCTIONS,
        fullInstructions=FULL,
    )
    chosen: dict[str, dict[str, str]] = {}

    # 1: the mouse; the full instructions open on demand
    task = task_id(page)
    label = DIGITS[digit_in(shown_image(page))]
    expect(page.get_by_text(INSTRUCTIONS)).to_be_visible()
    page.get_by_text("Full instructions and examples").click()
    expect(page.get_by_text("a closed ring is zero", exact=False)).to_be_visible()
    page.get_by_role("radio", name=label, exact=True).click()
    expect(page.get_by_role("radio", name=label, exact=True)).to_have_attribute(
        "aria-checked", "true"
    )
    screenshot(page, "image-classification")
    submit_button(page).click()
    chosen[task] = {"label": label}
    after_task(page, task)

    # 2: its number key, then Enter
    task = task_id(page)
    label = DIGITS[digit_in(shown_image(page))]
    page.keyboard.press(str(DIGITS.index(label) + 1))
    page.keyboard.press("Enter")
    chosen[task] = {"label": label}
    after_task(page, task)

    # 3: Tab cycles the categories (a single choice follows the focus), then Enter
    task = task_id(page)
    label = DIGITS[digit_in(shown_image(page))]
    for _ in range(DIGITS.index(label) + 1):
        page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name=label, exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    chosen[task] = {"label": label}
    after_task(page, task)

    # 4: a wrong key first, then the right one clicked: the last choice counts
    task = task_id(page)
    label = DIGITS[digit_in(shown_image(page))]
    wrong = (DIGITS.index(label) + 1) % len(DIGITS)
    page.keyboard.press(str(wrong + 1))
    page.get_by_role("radio", name=label, exact=True).click()
    expect(page.get_by_role("radio", name=DIGITS[wrong], exact=True)).to_have_attribute(
        "aria-checked", "false"
    )
    page.keyboard.press("Enter")
    chosen[task] = {"label": label}
    after_task(page, task)
    output = all_done(page, crew, "digits-single", job_id, chosen)
    assert [line["digit"] for line in output] == [2, 0, 3, 1]
    for line in output:
        truth = DIGITS[line["digit"]]  # the worker always chose the right digit
        assert line["digits-single"] == DIGITS.index(truth)
        metadata = line["digits-single-metadata"]
        assert metadata["class-name"] == truth
        assert metadata["type"] == "groundtruth/image-classification"
        assert metadata["human-annotated"] == "yes"
        assert metadata["job-name"] == "labeling-job/digits-single"
    by_position = crew.items_output(job_id)
    assert {p: out["digits-single"] for p, out in by_position.items()} == {
        p: DIGITS.index(DIGITS[line["digit"]]) for p, line in enumerate(output)
    }


REVIEWS = {
    "The battery lasts two days and the screen is gorgeous.": "positive",
    "It broke after a week and support never answered.": "negative",
    "It arrived on Tuesday in a brown box.": "neutral",
}
SENTIMENTS = ["positive", "negative", "neutral"]


def test_text_classification(server: Server, page: Page):
    crew = Crew.make(server, "reviews")
    lines = [{"source": text, "truth": truth} for text, truth in REVIEWS.items()]
    job_id = crew.create_job(
        "reviews",
        lines,
        taskType="text-classification",
        labels=SENTIMENTS,
        instructions="What is the tone of this product review?",
    )
    sign_in(page, server, crew.workers[0])
    page.keyboard.press("1")  # the first (only) job, by its number key
    chosen: dict[str, dict[str, str]] = {}
    for step in range(len(REVIEWS)):
        task = task_id(page)
        label = REVIEWS[shown_text(page)]
        if step == 0:  # the mouse
            page.get_by_role("radio", name=label, exact=True).click()
            screenshot(page, "text-classification")
            submit_button(page).click()
        elif step == 1:  # Shift+Tab cycles backwards from the last category
            for _ in range(len(SENTIMENTS) - SENTIMENTS.index(label)):
                page.keyboard.press("Shift+Tab")
            page.keyboard.press("Enter")
        else:  # the number key
            page.keyboard.press(str(SENTIMENTS.index(label) + 1))
            page.keyboard.press("Enter")
        chosen[task] = {"label": label}
        after_task(page, task)
    output = all_done(page, crew, "reviews", job_id, chosen)
    assert [line["source"] for line in output] == list(REVIEWS)
    for line in output:
        assert line["reviews"] == SENTIMENTS.index(line["truth"])
        assert line["reviews-metadata"]["class-name"] == line["truth"]
        assert line["reviews-metadata"]["type"] == "groundtruth/text-classification"
    assert {
        p: out["reviews-metadata"]["class-name"] for p, out in crew.items_output(job_id).items()
    } == {p: line["truth"] for p, line in enumerate(output)}


SHAPES = ["even", "five or more", "has a loop"]
SHAPES_OF = {0: ["even", "has a loop"], 7: ["five or more"], 8: SHAPES, 1: []}


def test_image_classification_multilabel(server: Server, page: Page):
    crew = Crew.make(server, "shapes")
    job_id = start_labeling(
        page,
        crew,
        "digit-shapes",
        digit_lines(server.settings, list(SHAPES_OF)),
        taskType="image-classification-multilabel",
        labels=SHAPES,
        instructions="Choose everything that is true of the digit; none of these if nothing is.",
    )
    chosen: dict[str, dict[str, list[str]]] = {}
    for step in range(len(SHAPES_OF)):
        task = task_id(page)
        want = SHAPES_OF[digit_in(shown_image(page))]
        if step == 0:  # the mouse: toggle one on and off again, then the right ones
            page.get_by_role("checkbox", name="five or more", exact=True).click()
            page.get_by_role("checkbox", name="five or more", exact=True).click()
            for label in want:
                page.get_by_role("checkbox", name=label, exact=True).click()
            if not want:
                page.get_by_role("checkbox", name="None of these", exact=True).click()
            screenshot(page, "image-classification-multilabel")
            submit_button(page).click()
        elif step == 1:  # number keys toggle (0: none of these)
            for label in want:
                page.keyboard.press(str(SHAPES.index(label) + 1))
            if not want:
                page.keyboard.press("0")
            page.keyboard.press("Enter")
        else:  # Tab moves, Space toggles
            position = -1
            for label in [*want, "None of these"][: max(len(want), 1)]:
                target = SHAPES.index(label) if label in SHAPES else len(SHAPES)
                for _ in range(target - position):
                    page.keyboard.press("Tab")
                position = target
                expect(page.get_by_role("checkbox", name=label, exact=True)).to_be_focused()
                page.keyboard.press("Space")
            page.keyboard.press("Enter")
        chosen[task] = {"labels": want}
        after_task(page, task)
    output = all_done(page, crew, "digit-shapes", job_id, chosen)
    for line in output:
        want = SHAPES_OF[line["digit"]]
        assert sorted(line["digit-shapes"]) == [SHAPES.index(label) for label in want]
        metadata = line["digit-shapes-metadata"]
        assert metadata["class-map"] == {str(SHAPES.index(label)): label for label in want}
        assert metadata["type"] == "groundtruth/image-classification-multilabel"
    assert {p: sorted(out["digit-shapes"]) for p, out in crew.items_output(job_id).items()} == {
        p: sorted(line["digit-shapes"]) for p, line in enumerate(output)
    }


TOPICS = ["sports", "politics", "science"]
ARTICLES = {
    "The minister opened the new stadium before the final match.": ["sports", "politics"],
    "Astronomers measured the mass of a distant exoplanet.": ["science"],
    "Parliament voted to fund a particle physics lab.": ["politics", "science"],
    "We had pancakes for breakfast.": [],
}


def test_text_classification_multilabel(server: Server, page: Page):
    crew = Crew.make(server, "topics")
    job_id = start_labeling(
        page,
        crew,
        "topics",
        [{"source": text} for text in ARTICLES],
        taskType="text-classification-multilabel",
        labels=TOPICS,
        instructions="Choose every topic the sentence is about.",
    )
    chosen: dict[str, dict[str, list[str]]] = {}
    for step in range(len(ARTICLES)):
        task = task_id(page)
        want = ARTICLES[shown_text(page)]
        if step % 2 == 0:  # the mouse
            for label in want or ["None of these"]:
                page.get_by_role("checkbox", name=label, exact=True).click()
            if step == 0:
                screenshot(page, "text-classification-multilabel")
            submit_button(page).click()
        else:  # the keyboard: a key pressed twice is off again
            page.keyboard.press("3")
            page.keyboard.press("3")
            for label in want:
                page.keyboard.press(str(TOPICS.index(label) + 1))
            if not want:
                page.keyboard.press("0")
            page.keyboard.press("Enter")
        chosen[task] = {"labels": want}
        after_task(page, task)
    output = all_done(page, crew, "topics", job_id, chosen)
    assert [line["source"] for line in output] == list(ARTICLES)
    for line in output:
        want = ARTICLES[line["source"]]
        assert sorted(line["topics"]) == [TOPICS.index(label) for label in want]
        assert line["topics-metadata"]["class-map"] == {
            str(TOPICS.index(label)): label for label in want
        }
        assert line["topics-metadata"]["type"] == "groundtruth/text-classification-multilabel"

"""A reload keeps the worker's unsent answer for the task: the choice, the boxes, the mask
and the spans come back with the task, and go once it is submitted, skipped or released."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.boxes import BoxScreen
from tests.browser.portal import (
    DIGITS,
    Crew,
    Server,
    after_task,
    assert_submitted,
    digit_lines,
    open_job,
    start_labeling,
    stored_tasks,
    task_id,
)

pytestmark = pytest.mark.browser

ELEMENT = "quorum-labeling .stage > *"
#: The names under which the portal keeps answers for a reload.
KEPT = "() => Object.keys(sessionStorage).filter(key => key.startsWith('quorum:draft:'))"


def kept_drafts(page: Page, expected: list[str]) -> None:
    """Wait until the drafts kept in this tab are ``expected`` (fails after the timeout)."""
    page.wait_for_function(
        f"expected => JSON.stringify(({KEPT})()) === JSON.stringify(expected)", arg=expected
    )


def answer(page: Page) -> Any:
    """The answer the element would submit now."""
    page.wait_for_function(f"() => document.querySelector('{ELEMENT}')?.valid === true")
    return page.locator(ELEMENT).evaluate("element => element.value")


def reload_same_task(page: Page, task: str) -> None:
    page.reload()
    assert task_id(page) == task


def test_a_reload_keeps_the_chosen_categories_until_release(server: Server, page: Page):
    crew = Crew.make(server, "draft-choice")
    job_id = start_labeling(
        page,
        crew,
        "draft-choice",
        digit_lines(server.settings, [8, 0]),
        taskType="image-classification-multilabel",
        labels=DIGITS,
    )
    task = task_id(page)
    expect(page.get_by_role("checkbox", name=DIGITS[1], exact=True)).to_be_visible()
    page.keyboard.press("1")
    page.get_by_role("checkbox", name=DIGITS[2], exact=True).click()
    reload_same_task(page, task)
    for name, checked in zip(DIGITS, [True, False, True, False], strict=True):
        expect(page.get_by_role("checkbox", name=name, exact=True)).to_have_attribute(
            "aria-checked", str(checked).lower()
        )
    page.keyboard.press("z")  # undo starts from the kept answer: nothing to take back
    expect(page.get_by_role("checkbox", name=DIGITS[2], exact=True)).to_be_checked()

    # Release (twice): the kept answer goes; the task comes back later without it
    release = page.get_by_role("button", name="Release", exact=True)
    release.click()
    page.get_by_role("button", name="Release this task? Press again").click()
    expect(page.get_by_role("status")).to_contain_text("You released your task")
    assert page.evaluate(KEPT) == []
    open_job(page, "draft-choice")
    again = task_id(page)
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(0)
    page.get_by_role("checkbox", name=DIGITS[3], exact=True).click()
    page.keyboard.press("Enter")
    after_task(page, again)
    assert page.evaluate(KEPT) == []  # submitted: nothing kept
    assert stored_tasks(server.settings, job_id)[again] == ("SUBMITTED", {"labels": [DIGITS[3]]})


def test_skip_drops_the_kept_answer(server: Server, page: Page):
    crew = Crew.make(server, "draft-skip")
    start_labeling(
        page,
        crew,
        "draft-skip",
        digit_lines(server.settings, [1, 2]),
        taskType="image-classification",
        labels=DIGITS,
    )
    skipped = task_id(page)
    expect(page.get_by_role("radio", name=DIGITS[2], exact=True)).to_be_visible()
    page.keyboard.press("2")  # the second label: these labels are words, on keys 1-9
    expect(page.get_by_role("radio", name=DIGITS[1], exact=True)).to_have_attribute(
        "aria-checked", "true"
    )
    kept_drafts(page, [f"quorum:draft:{skipped}"])
    page.get_by_role("button", name="Skip", exact=True).click()
    page.get_by_role("button", name="Skip this task? Press again").click()
    after_task(page, skipped)
    kept_drafts(page, [])
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)  # the next starts empty


def draw_boxes(page: Page) -> None:
    screen = BoxScreen(page)
    geo = screen.settle()
    page.keyboard.press("2")
    screen.drag(geo.to_page(5, 5), geo.to_page(30, 40))
    page.keyboard.press("1")
    screen.drag(geo.to_page(35, 20), geo.to_page(60, 60))


def paint_mask(page: Page) -> None:
    mask = page.locator(f"{ELEMENT} >> canvas.mask")
    expect(mask).to_be_visible()
    answer(page)  # the image has loaded
    box = mask.bounding_box()
    assert box
    page.keyboard.press("2")
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6, steps=5)
    page.mouse.up()


def mark_entities(page: Page) -> None:
    expect(page.get_by_text("Entities (0)")).to_be_visible()
    for key in ["w", "1", "w", "w", "2"]:  # the first word, then the third
        page.keyboard.press(key)
    expect(page.get_by_text("Entities (2)")).to_be_visible()


@dataclass
class Screen:
    name: str
    fields: Callable[[Server], dict[str, Any]]
    work: Callable[[Page], None]


SCREENS = [
    Screen(
        "boxes",
        lambda server: {
            "lines": digit_lines(server.settings, [4]),
            "taskType": "bounding-box",
            "labels": ["stroke", "loop"],
        },
        draw_boxes,
    ),
    Screen(
        "mask",
        lambda server: {
            "lines": digit_lines(server.settings, [5]),
            "taskType": "semantic-segmentation",
            "labels": ["ink", "paper"],
        },
        paint_mask,
    ),
    Screen(
        "entities",
        lambda _server: {
            "lines": [{"source": "Ada Lovelace met Charles Babbage in London."}],
            "taskType": "named-entity-recognition",
            "labels": ["person", "place"],
        },
        mark_entities,
    ),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[screen.name for screen in SCREENS])
def test_a_reload_keeps_the_answer_drawn(server: Server, page: Page, screen: Screen):
    crew = Crew.make(server, f"draft-{screen.name}")
    fields = screen.fields(server)
    job_id = start_labeling(page, crew, f"draft-{screen.name}", fields.pop("lines"), **fields)
    task = task_id(page)
    screen.work(page)
    drawn = answer(page)
    reload_same_task(page, task)
    assert answer(page) == drawn
    page.get_by_role("button", name="Submit", exact=True).click()
    after_task(page, task)
    assert page.evaluate(KEPT) == []
    assert_submitted(server.settings, job_id, {task: drawn})

"""A worker marks named entities in ``crowd-entity-annotation``: spans selected with the
mouse (a drag, a double-click) and with the keyboard (word by word with W and Shift+W,
character by character with Shift+arrows), labeled with number keys, a click and Tab then
Enter; one entity removed (click, Delete); an overlapping span refused with a message. The
text has characters outside the Basic Multilingual Plane before the entities, so the
stored answer and the output manifest must count Unicode code points, not UTF-16 units."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    Crew,
    Server,
    assert_submitted,
    check_shortcuts,
    screenshot,
    start_labeling,
    task_id,
)

pytestmark = pytest.mark.browser

LABELS = ["PERSON", "PLACE", "DATE"]
# 🎉 is one code point (two UTF-16 units); the flag 🇬🇧 is two code points, one character.
TEXT = "🎉 Ada Lovelace wrote to Charles Babbage from 🇬🇧 London in 1843."
ELEMENT = "crowd-entity-annotation"


def span(text: str, label: str) -> dict[str, object]:
    """The entity of ``text`` (its only occurrence) in code points, endOffset exclusive."""
    start = TEXT.index(text)
    assert TEXT.count(text) == 1
    return {"label": label, "startOffset": start, "endOffset": start + len(text)}


EXPECTED = [
    span("Ada Lovelace", "PERSON"),
    span("Charles Babbage", "PERSON"),
    span("London", "PLACE"),
    span("1843", "DATE"),
]


def char(page: Page, text: str, last: bool = False):
    """The span showing the first (or last) character of ``text``: the element gives each
    character its code point offset as data-start."""
    offset = TEXT.index(text) + (len(text) - 1 if last else 0)
    return page.locator(f'{ELEMENT} .ch[data-start="{offset}"]')


def centre(locator) -> tuple[float, float]:
    """The middle of ``locator`` once it stops moving (a busy machine may still be laying
    out the screen when the text first shows)."""
    box = locator.bounding_box()
    for _ in range(40):
        locator.page.wait_for_timeout(50)
        again = locator.bounding_box()
        if again == box:
            break
        box = again
    assert box
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_over(page: Page, text: str) -> None:
    """Select ``text`` with the mouse, from its first character to its last."""
    page.mouse.move(*centre(char(page, text)))
    page.mouse.down()
    page.mouse.move(*centre(char(page, text, last=True)), steps=6)
    page.mouse.up()


def listed(page: Page):
    return page.locator(f"{ELEMENT} .entities li")


def test_mark_entities_with_mouse_and_keyboard(server: Server, page: Page):
    crew = Crew.make(server, "entities")
    job_id = start_labeling(
        page,
        crew,
        "people",
        [{"source": TEXT, "id": "letter-1"}],
        taskType="named-entity-recognition",
        labels=LABELS,
        instructions="Mark the people, places and dates.",
    )
    task = task_id(page)
    expect(page.locator(f"{ELEMENT} .text")).to_have_text(TEXT)

    # The mouse: drag over "Ada Lovelace", then its number key.
    drag_over(page, "Ada Lovelace")
    expect(page.locator(f"{ELEMENT} .ch.sel")).to_have_count(len("Ada Lovelace"))
    page.keyboard.press("1")
    expect(listed(page)).to_have_count(1)

    # The mouse: drag over "London" (after the flag), then click its label.
    drag_over(page, "London")
    page.get_by_role("radio", name="PLACE").click()
    expect(listed(page)).to_have_count(2)

    # A mistake: double-click "from", mark it DATE; then click it and press Delete.
    page.mouse.dblclick(*centre(char(page, "from")))
    page.keyboard.press("3")
    expect(listed(page).filter(has_text="from")).to_have_count(1)
    page.mouse.click(*centre(char(page, "from", last=True)))
    expect(page.get_by_role("status").filter(has_text="Delete removes it")).to_be_visible()
    page.keyboard.press("Delete")
    expect(listed(page).filter(has_text="from")).to_have_count(0)

    # The keyboard, word by word: Home, W selects the next word (Ada, Lovelace, wrote, to,
    # Charles), Shift+W takes in the next one (Babbage); 1 labels it.
    page.keyboard.press("Home")
    for _ in range(5):
        page.keyboard.press("w")
    expect(page.locator(f"{ELEMENT} .ch.sel")).to_have_count(len("Charles"))
    page.keyboard.press("Shift+W")
    expect(page.locator(f"{ELEMENT} .ch.sel")).to_have_count(len("Charles Babbage"))
    page.keyboard.press("1")

    # The keyboard, character by character: End, one left (past the full stop), four
    # Shift+Left; Tab twice moves from PERSON to DATE, and Enter applies it.
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    for _ in range(4):
        page.keyboard.press("Shift+ArrowLeft")
    expect(page.locator(f"{ELEMENT} .ch.sel")).to_have_text(list("1843"))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="DATE")).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Enter")
    expect(listed(page)).to_have_count(4)

    # An overlapping span is refused, and the message says why.
    drag_over(page, "Lovelace wrote")
    page.keyboard.press("2")
    alert = page.get_by_role("alert").filter(has_text="overlaps")
    expect(alert).to_have_text(
        "Not marked: “Lovelace wrote” overlaps the entity “Ada Lovelace” (PERSON), and "
        "entities may not overlap. Remove that entity first (click it, then Delete), or "
        "select other text."
    )
    expect(listed(page)).to_have_count(4)
    screenshot(page, "named-entity-recognition")

    # The `?` list names this element's keys.
    check_shortcuts(page, "Select the next / previous word", "Extend the selection one character")

    page.keyboard.press("Escape")  # clears the selection; Enter then submits
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="No more work")).to_be_visible()

    assert_submitted(server.settings, job_id, {task: {"entities": EXPECTED}})
    (line,) = crew.output(job_id)
    assert line["source"] == TEXT and line["id"] == "letter-1"
    assert line["people"] == {
        "annotations": {"entities": EXPECTED, "labels": [{"label": x} for x in LABELS]}
    }
    metadata = line["people-metadata"]
    assert metadata["type"] == "groundtruth/text-span"
    assert metadata["human-annotated"] == "yes"
    assert metadata["job-name"] == "labeling-job/people"
    assert len(metadata["entities"]) == len(EXPECTED)

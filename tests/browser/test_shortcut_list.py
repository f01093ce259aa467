"""The `?` list against the keys: on every labeling screen, each key the list shows does
something a worker can see (the answer, the choice in focus, the zoom, the open
instructions, the next task...), and Z undoes there, classification screens included."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.boxes import BoxScreen
from tests.browser.portal import (
    DIGITS,
    MOODS,
    Crew,
    Server,
    after_task,
    assert_submitted,
    digit_lines,
    start_labeling,
    task_id,
)

pytestmark = pytest.mark.browser

ELEMENT = "quorum-labeling .stage > *"
#: What the worker can see of the screen: the answer state, the element's shadow DOM (its
#: choices, tools, status line), its zoom and pan, the focus, the open instructions and
#: dialog, the alert and the buttons, and the task shown. The timer is left out: it ticks.
SNAPSHOT = """() => {
  const screen = document.querySelector("quorum-labeling");
  const element = screen?.querySelector(".stage > *");
  const focus = [];
  for (let node = document.activeElement; node; node = node.shadowRoot?.activeElement) {
    focus.push(node.outerHTML.slice(0, 300));
  }
  const viewer = element?.shadowRoot?.querySelector("crowd-bounding-box");
  return JSON.stringify({
    task: screen?.dataset.taskId ?? null,
    draft: element?.draft ?? null,
    shadow: element?.shadowRoot?.innerHTML ?? "",
    view: [element?.view ?? null, viewer?.view ?? null],
    focus,
    instructions: screen?.querySelector("quorum-instructions")?.innerHTML ?? "",
    alert: screen?.querySelector(".error")?.outerHTML ?? "",
    actions: screen?.querySelector(".actions")?.innerHTML ?? "",
    help: Boolean(document.querySelector("dialog.help[open]")),
  });
}"""
#: The `?` list's key caps that are the mouse, not a key.
MOUSE = ("Mouse", "Drag", "drag", "Wheel", "Click")
#: The `?` list's names of keys, as Playwright presses them.
NAMES = {"Esc": "Escape", "←": "ArrowLeft", "→": "ArrowRight", "\N{MINUS SIGN}": "-"}


def listed_keys(page: Page) -> list[tuple[str, str]]:
    """``?`` opens the list; returns its (key cap, what it does) pairs and closes it."""
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    caps = dialog.locator("dt").all_inner_texts()
    what = dialog.locator("dd").all_inner_texts()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    return list(zip(caps, what, strict=True))


def presses(cap: str) -> list[str]:
    """The key presses a key cap of the list stands for ("1 to 4" as written there: 1, 2, 3, 4)."""
    if any(word in cap for word in MOUSE):
        return []
    if cap == "Arrow keys":
        return ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"]
    run = re.fullmatch(r"(\d) \N{EN DASH} (\d)", cap)
    if run:
        return [str(key) for key in range(int(run[1]), int(run[2]) + 1)]
    keys = [part for alternative in cap.split(" / ") for part in alternative.split(" ")]
    return [press(key) for key in keys]


def press(key: str) -> str:
    """One key of the list as Playwright names it (letters as typed: lower case)."""
    *modifiers, base = key.split("+") if key != "+" else [key]
    base = NAMES.get(base, base)
    if len(base) == 1 and base.isalpha() and not modifiers:
        base = base.lower()
    return "+".join([*modifiers, base])


def snapshot(page: Page) -> str:
    return str(page.evaluate(SNAPSHOT))


@dataclass
class Screen:
    """A labeling screen to check: the job that shows it and how to set it up before a key
    (``setup(page, key)``: some answer made, so that undo, Delete, Esc... have something to
    act on, and nothing that ``key`` would leave as it is)."""

    name: str
    job: Callable[[Server], dict[str, Any]]
    setup: Callable[[Page, str], None]


def choices(page: Page):
    return page.locator(f"{ELEMENT} [role=radio], {ELEMENT} [role=checkbox]")


def choice_setup(page: Page, key: str) -> None:
    """Start over, pick one category, then focus another: both with other keys than
    ``key`` (so that the key picks something new, Space picks the focused one, Z takes
    back the pick); the image of a label verification fitted, then zoomed in one step (so
    that 0 fits it and + still zooms, however many keys came before)."""
    # the same categories again: nothing chosen, nothing to undo; a viewer zoomed in
    page.evaluate(
        "() => { const e = document.querySelector('quorum-labeling .stage > *');"
        " e.categories = e.categories;"
        " const box = e.shadowRoot.querySelector('crowd-bounding-box');"
        " box?.fit(); box?.zoomBy(1.25); }"
    )
    buttons = choices(page)
    caps = [cap.strip() for cap in buttons.locator("kbd").all_inner_texts()]
    others = [n for n, cap in enumerate(caps) if cap != key]
    buttons.nth(others[0]).click()
    buttons.nth(others[-1]).focus()


def box_setup(page: Page, key: str) -> None:
    """No boxes, zoomed in, a label other than ``key``'s current, then a box drawn and
    selected."""
    screen = BoxScreen(page)
    screen.settle()
    page.evaluate(
        """key => { const box = document.querySelector('quorum-labeling crowd-bounding-box');
        box.initialValue = null; box.fit(); box.zoomBy(1.25);
        const keys = box.labelKeys; box.choose(keys.findIndex(k => k !== key)); }""",
        key,
    )
    geo = screen.geometry()
    a, b = geo.to_page(10, 10), geo.to_page(40, 40)
    screen.drag(a, b)
    page.mouse.click((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)  # select it


def entity_setup(page: Page, key: str) -> None:
    """One entity marked (the first word, with a label other than ``key``'s), then the
    caret on it (Delete removes it) or the next word selected."""
    page.evaluate(
        """key => { const e = document.querySelector('quorum-labeling .stage > *');
        e.text = e.text; e.onKey(new KeyboardEvent('keydown', {key: 'Home'}));
        e.onKey(new KeyboardEvent('keydown', {key: 'w'}));
        e.choose(e.labelKeys.findIndex(k => k !== key));
        const next = ['Delete', 'Backspace'].includes(key) ? 'ArrowLeft' : 'w';
        e.onKey(new KeyboardEvent('keydown', {key: next})); }""",
        key,
    )


def segmentation_setup(page: Page, key: str) -> None:
    """A stroke painted, a label other than ``key``'s, then the polygon tool with two
    corners clicked (the eraser for P)."""
    image = page.locator(f"{ELEMENT} >> canvas.mask")
    expect(image).to_be_visible()
    page.evaluate(
        """key => { const e = document.querySelector('quorum-labeling .stage > *');
        e.cancelPolygon(); e.setTool('brush');
        e.choose(e.labelKeys.findIndex(k => k !== key)); }""",
        key,
    )
    box = image.bounding_box()
    assert box
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.2, y + h * 0.2)
    page.mouse.down()
    page.mouse.move(x + w * 0.4, y + h * 0.4, steps=4)
    page.mouse.up()
    page.evaluate(
        "key => document.querySelector('quorum-labeling .stage > *')"
        ".setTool(key === 'p' ? 'eraser' : 'polygon')",
        key,
    )
    if key != "p":
        page.mouse.click(x + w * 0.6, y + h * 0.6)
        page.mouse.click(x + w * 0.8, y + h * 0.6)


def image_job(task_type: str) -> Callable[[Server], dict[str, Any]]:
    return lambda server: {
        "lines": digit_lines(server.settings, [0, 1, 2]),
        "taskType": task_type,
        "labels": DIGITS,
    }


def text_job(task_type: str) -> Callable[[Server], dict[str, Any]]:
    return lambda _server: {
        "lines": [{"source": f"Sentence number {n} is here."} for n in range(3)],
        "taskType": task_type,
        "labels": [*MOODS, "calm"],
    }


def verification_job(server: Server) -> dict[str, Any]:
    lines = [
        {**line, "digit-class": 0, "digit-class-metadata": {"class-name": "0"}}
        for line in digit_lines(server.settings, [0, 1, 2])
    ]
    return {
        "lines": lines,
        "taskType": "label-verification",
        "labels": ["valid", "invalid"],
        "auditLabelAttributeName": "digit-class",
    }


SCREENS = [
    Screen("image", image_job("image-classification"), choice_setup),
    Screen("image-multi", image_job("image-classification-multilabel"), choice_setup),
    Screen("text", text_job("text-classification"), choice_setup),
    Screen("text-multi", text_job("text-classification-multilabel"), choice_setup),
    Screen("verification", verification_job, choice_setup),
    Screen("boxes", image_job("bounding-box"), box_setup),
    Screen("entities", text_job("named-entity-recognition"), entity_setup),
    Screen("segmentation", image_job("semantic-segmentation"), segmentation_setup),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[screen.name for screen in SCREENS])
def test_every_listed_key_acts(server: Server, page: Page, screen: Screen):
    crew = Crew.make(server, f"list-{screen.name}")
    fields = screen.job(server)
    lines = fields.pop("lines")
    start_labeling(
        page,
        crew,
        f"list-{screen.name}",
        lines,
        fullInstructions="Look closely.",
        **fields,
    )
    first = task_id(page)
    listed = listed_keys(page)
    keys = [key for cap, _ in listed for key in presses(cap)]
    assert "z" in keys, listed  # every screen can undo
    assert "Enter" in keys
    assert [cap for cap, _ in listed].count("?") == 1, listed  # listed once, under Everywhere
    idle: list[str] = []
    for key in sorted(set(keys), key=lambda key: (key == "Enter", key)):  # Enter (submit) last
        screen.setup(page, key)
        before = snapshot(page)
        page.keyboard.press(key)
        if snapshot(page) == before:
            idle.append(key)
        if key == "?":
            page.keyboard.press("Escape")
    assert idle == [], f"listed but doing nothing: {idle} in {listed}"
    if task_id(page) == first:  # Enter labelled a selection or closed a polygon instead
        page.get_by_role("button", name="Submit", exact=True).click()
    after_task(page, first)


def test_z_undoes_the_choice_on_classification_screens(server: Server, page: Page):
    crew = Crew.make(server, "undo-choice")
    job_id = start_labeling(
        page,
        crew,
        "undo-choice",
        digit_lines(server.settings, [0]),
        taskType="image-classification",
        labels=DIGITS,
    )
    task = task_id(page)
    for key in ["1", "2", "3"]:
        page.keyboard.press(key)
    page.keyboard.press("z")
    page.keyboard.press("z")  # back to the first choice
    expect(page.get_by_role("radio", name=DIGITS[0], exact=True)).to_have_attribute(
        "aria-checked", "true"
    )
    page.keyboard.press("z")
    page.keyboard.press("z")  # nothing chosen, and nothing left to undo
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    after_task(page, task)
    assert_submitted(server.settings, job_id, {task: {"label": DIGITS[1]}})

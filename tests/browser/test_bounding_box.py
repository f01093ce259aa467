"""A worker draws, moves, resizes, relabels and deletes boxes on real images with the mouse
and the keyboard; the stored answer and the output manifest line are exactly the boxes drawn,
in natural image pixels, computed from the mouse positions and the displayed scale. A
4000x3000 image stays responsive while zooming, panning and drawing."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.boxes import (
    ZOOM_STEP,
    Box,
    BoxScreen,
    Geometry,
    detection,
    large_image,
    sample_image,
)
from tests.browser.portal import (
    Crew,
    Server,
    after_task,
    assert_submitted,
    check_shortcuts,
    digit_lines,
    no_more_work,
    screenshot,
    start_labeling,
    task_id,
)

pytestmark = pytest.mark.browser

LABELS = ["building", "tree", "digit"]
PHOTO = {"width": 640, "height": 427}  # china.jpg
DIGIT = {"width": 64, "height": 64}  # digit_lines' images


def draw(
    screen: BoxScreen,
    geo: Geometry,
    a: tuple[float, float],
    b: tuple[float, float],
    label: str,
    *,
    shift: bool = False,
) -> Box:
    """Drag from image point ``a`` to ``b``; returns the box the element must have made."""
    start, end = geo.to_page(*a), geo.to_page(*b)
    screen.drag(start, end, shift=shift)
    return geo.box_from(start, end, label)


def label_photo(page: Page, screen: BoxScreen) -> dict[str, Any]:
    """Every operation on the photo; returns the answer it must give."""
    geo = screen.settle()
    assert (geo.width, geo.height) == (PHOTO["width"], PHOTO["height"])
    screen.assert_in_view()

    page.keyboard.press("2")  # the label for new boxes: tree
    a = draw(screen, geo, (545.4, 140.2), (636, 420.6), "tree")
    page.keyboard.press("1")  # building
    b = draw(screen, geo, (40.3, 20.6), (320.2, 340.7), "building")
    page.keyboard.press("Tab")  # the next label: tree again
    c = draw(screen, geo, (50, 420), (10, 300), "tree")  # drawn up and to the left
    assert screen.boxes() == [a, b, c]

    # move b by its inside, then resize it by its bottom-right handle (b is selected)
    start = geo.center(b)
    end = (start[0] + 31, start[1] + 17)
    screen.drag(start, end)
    b = geo.moved(b, start, end)
    assert screen.boxes() == [a, b, c]
    start = geo.corner(b)
    end = (start[0] + 23, start[1] + 41)
    screen.drag(start, end)
    b = geo.resized_se(b, start, end)
    assert screen.boxes() == [a, b, c]

    # delete c with the key, undo, then delete it with the button
    screen.click(geo.center(c))
    page.keyboard.press("Delete")
    assert screen.boxes() == [a, b]
    page.keyboard.press("z")
    assert screen.boxes() == [a, b, c]
    screen.click(geo.center(c))
    page.get_by_role("button", name="Delete the selected box").click()
    assert screen.boxes() == [a, b]

    # relabel a with its number key, then undo that; a stray box, undone too
    screen.click(geo.center(a))
    page.keyboard.press("1")
    assert [box["label"] for box in screen.boxes()] == ["building", "building"]
    page.keyboard.press("z")
    stray = draw(screen, geo, (200, 300), (260, 380), "building", shift=True)  # inside b
    assert screen.boxes() == [a, b, stray]
    page.keyboard.press("Z")
    assert screen.boxes() == [a, b]

    # the shortcuts list has the box keys
    check_shortcuts(page, "Delete the selected box", "Undo", "Draw a box", "Pan", "Zoom in / out")

    screen.click(geo.center(b))  # selected: its handles show on the screenshot
    expect(page.get_by_role("radio", name="building")).to_have_attribute("aria-checked", "true")
    screenshot(page, "bounding-box")
    page.keyboard.press("Enter")
    return {"boundingBoxes": [a, b], "inputImageProperties": PHOTO}


def label_digit(page: Page, screen: BoxScreen) -> dict[str, Any]:
    """Zoom in with the keyboard, then draw one box with the label chosen by its key."""
    geo = screen.settle()
    assert (geo.width, geo.height) == (DIGIT["width"], DIGIT["height"])
    page.keyboard.press("3")
    page.keyboard.press("+")
    zoomed = screen.settle()
    assert zoomed.scale == pytest.approx(geo.scale * ZOOM_STEP)
    box = draw(screen, zoomed, (14.2, 12.4), (50.3, 53.8), "digit")
    assert screen.boxes() == [box]
    page.get_by_role("button", name="Submit", exact=True).click()
    return {"boundingBoxes": [box], "inputImageProperties": DIGIT}


def test_draw_move_resize_delete_label_undo(server: Server, page: Page) -> None:
    crew = Crew.make(server, "boxes")
    settings = server.settings
    photo = {"source-ref": sample_image(settings, "china.jpg"), "picture": "china"}
    lines = [photo, *digit_lines(settings, [3])]
    job_id = start_labeling(
        page,
        crew,
        "china-boxes",
        lines,
        taskType="bounding-box",
        labels=LABELS,
        instructions="Draw a box around each building and tree (on the digit: the digit).",
    )
    answers: dict[str, dict[str, Any]] = {}
    for _ in lines:
        task = task_id(page)
        screen = BoxScreen(page)
        size = screen.settle()
        answer = label_photo(page, screen) if size.width == 640 else label_digit(page, screen)
        answers[task] = answer
        after_task(page, task)
    no_more_work(page, "china-boxes")

    assert_submitted(settings, job_id, answers)
    by_size = {
        answer["inputImageProperties"]["width"]: detection(answer, LABELS)
        for answer in answers.values()
    }
    output = crew.output(job_id)
    assert [line.get("picture", line.get("digit")) for line in output] == ["china", 3]
    for line in output:
        label = line["china-boxes"]
        assert label == by_size[label["image_size"][0]["width"]]
        metadata = line["china-boxes-metadata"]
        assert metadata["type"] == "groundtruth/object-detection"
        assert metadata["human-annotated"] == "yes"
        assert metadata["objects"] == [{"confidence": 0} for _ in label["annotations"]]
        assert metadata["class-map"] == {
            str(a["class_id"]): LABELS[a["class_id"]] for a in label["annotations"]
        }
    assert {p: out["china-boxes"] for p, out in crew.items_output(job_id).items()} == {
        p: line["china-boxes"] for p, line in enumerate(output)
    }


def toward_the_square(page: Page) -> None:
    """From the whole image, zoom in 8 steps and pan toward large_image's dark square."""
    for _ in range(8):
        page.keyboard.press("+")
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    for _ in range(8):
        page.keyboard.press("ArrowDown")


def test_large_image_stays_responsive(server: Server, page: Page) -> None:
    crew = Crew.make(server, "large")
    job_id = start_labeling(
        page,
        crew,
        "large-image",
        [{"source-ref": large_image(server.settings)}],
        taskType="bounding-box",
        labels=["square"],
        instructions="Draw a box around the dark square.",
    )
    task = task_id(page)
    screen = BoxScreen(page)
    fitted = screen.settle()
    assert (fitted.width, fitted.height) == (4000, 3000)

    began = time.monotonic()
    toward_the_square(page)
    geo = screen.settle()
    assert geo.scale == pytest.approx(fitted.scale * ZOOM_STEP**8)
    # the wheel zooms in at the pointer: the image point under it stays put
    pointer = geo.view_point(0.5, 0.5)
    page.mouse.move(*pointer)
    page.mouse.wheel(0, -100)
    wheeled = screen.settle()
    assert wheeled.scale > geo.scale
    assert wheeled.to_image(*pointer) == pytest.approx(geo.to_image(*pointer), abs=1e-6)
    # Space held: dragging pans by the mouse's movement
    page.keyboard.down("Space")
    screen.drag(pointer, (pointer[0] - 60, pointer[1] - 40))
    page.keyboard.up("Space")
    panned = screen.settle()
    assert (panned.offset_x, panned.offset_y) == pytest.approx(
        (wheeled.offset_x - 60, wheeled.offset_y - 40)
    )
    # so does the middle button
    page.mouse.move(*pointer)
    page.mouse.down(button="middle")
    page.mouse.move(pointer[0] + 30, pointer[1] + 20, steps=3)
    page.mouse.up(button="middle")
    middle = screen.settle()
    assert (middle.offset_x, middle.offset_y) == pytest.approx(
        (panned.offset_x + 30, panned.offset_y + 20)
    )
    assert screen.boxes() == []  # panning drew nothing
    page.keyboard.press("0")  # the whole image again, then back in to the square
    toward_the_square(page)
    geo = screen.settle()
    for corner in ((3000, 2000), (3200, 2150)):  # the square is on screen
        x, y = geo.to_page(*corner)
        assert geo.left < x < geo.left + geo.view_width
        assert geo.top < y < geo.top + geo.view_height
    box = draw(screen, geo, (3000, 2000), (3200, 2150), "square")
    assert screen.boxes() == [box]
    elapsed = time.monotonic() - began
    assert elapsed < 6, f"zooming, panning and drawing took {elapsed:.1f} s"
    # in the image's own pixels: within a pixel of the square
    for key, want in {"left": 3000, "top": 2000, "width": 200, "height": 150}.items():
        assert abs(box[key] - want) <= 1, (key, box)

    page.keyboard.press("Enter")
    after_task(page, task)
    answer = {"boundingBoxes": [box], "inputImageProperties": {"width": 4000, "height": 3000}}
    assert_submitted(server.settings, job_id, {task: answer})
    (line,) = crew.output(job_id)
    assert line["large-image"] == detection(answer, ["square"])

"""A worker paints a real image (scikit-learn's sample flower, scaled down) in
``crowd-semantic-segmentation`` with the brush, the eraser and polygons (closed with Enter
and with a double-click), undoes two strokes, and submits: the stored answer's PNG holds
exactly the label colours where it was painted and nothing where it was erased or undone,
and the output manifest's mask has the same pixel classes."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sklearn.datasets import load_sample_image

from quorum.settings import Settings
from tests.browser.portal import (
    Crew,
    Server,
    check_shortcuts,
    screenshot,
    start_labeling,
    stored_tasks,
    task_id,
)

pytestmark = pytest.mark.browser

LABELS = ["petal", "centre", "leaf"]
COLORS = {"petal": "#1f77b4", "centre": "#ff7f0e", "leaf": "#2ca02c"}  # d3 category10
WIDTH, HEIGHT = 160, 107
ELEMENT = "crowd-semantic-segmentation"

Point = tuple[int, int]
Mask = npt.NDArray[np.bool_]

# What the worker draws, in image pixels (the flower is in the middle of the picture).
STROKE = ((58, 30), (96, 30))  # petal, brush 9 (radius 4), across the upper petals
POLYGON = [(62, 44), (88, 42), (92, 66), (64, 68)]  # centre, closed with Enter
ERASED = ((70, 55), (84, 55))  # eraser 5 (radius 2), across the polygon
TRIANGLE = [(8, 70), (35, 70), (20, 100)]  # leaf, closed with a double-click
UNDONE = [((110, 15), (150, 15)), ((110, 28), (150, 28))]  # leaf, brush 5, both undone


def flower_line(settings: Settings) -> dict[str, Any]:
    """A manifest line naming scikit-learn's sample flower, 160x107, as a PNG file."""
    folder = settings.objects_dir / "flowers"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "flower.png"
    image = Image.fromarray(load_sample_image("flower.jpg"))
    image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(path)
    return {"source-ref": f"file://{path}", "kind": "flower"}


def at(page: Page, x: int, y: int) -> tuple[float, float]:
    """The screen point at the centre of image pixel (x, y)."""
    box = page.locator(f"{ELEMENT} canvas.mask").bounding_box()
    assert box
    return (
        box["x"] + (x + 0.5) * box["width"] / WIDTH,
        box["y"] + (y + 0.5) * box["height"] / HEIGHT,
    )


def drag(page: Page, start: Point, end: Point) -> None:
    page.mouse.move(*at(page, *start))
    page.mouse.down()
    page.mouse.move(*at(page, *end), steps=8)
    page.mouse.up()


def brush(page: Page, size: int) -> None:
    expect(page.locator(f"{ELEMENT} output")).to_have_text(f"Brush {size} px")


# -- the geometry the asserts compare with: pixel centres, in image pixels ------------------

YS, XS = np.mgrid[0:HEIGHT, 0:WIDTH].astype(float)


def segment_distance(start: Point, end: Point) -> npt.NDArray[np.float64]:
    """Each pixel's distance to the segment ``start``-``end``."""
    (ax, ay), (bx, by) = start, end
    dx, dy = bx - ax, by - ay
    t = np.clip(((XS - ax) * dx + (YS - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(XS - (ax + t * dx), YS - (ay + t * dy))


def polygon_distance(corners: list[Point]) -> npt.NDArray[np.float64]:
    """Each pixel's signed distance to the polygon's outline: negative inside."""
    edges = list(zip(corners, corners[1:] + corners[:1], strict=True))
    distance = np.min([segment_distance(a, b) for a, b in edges], axis=0)
    inside = np.zeros((HEIGHT, WIDTH), bool)
    for (ax, ay), (bx, by) in edges:
        if ay != by:
            crosses = (np.minimum(ay, by) <= YS) & (np.maximum(ay, by) > YS)
            inside ^= crosses & (XS < ax + (YS - ay) * (bx - ax) / (by - ay))
    return np.where(inside, -distance, distance)


def pixel_classes(png: bytes, colors: dict[str, str]) -> npt.NDArray[np.uint8]:
    """An answer's RGBA PNG as class indices (label i is i + 1), checking that every pixel
    is exactly one label's colour or fully transparent (no anti-aliased edges)."""
    with Image.open(io.BytesIO(png)) as image:
        assert (image.size, image.mode) == ((WIDTH, HEIGHT), "RGBA")
        pixels = np.asarray(image)
    classes = np.zeros((HEIGHT, WIDTH), np.uint8)
    seen = np.zeros((HEIGHT, WIDTH), bool)
    for index, label in enumerate(LABELS, start=1):
        rgba = [*bytes.fromhex(colors[label].lstrip("#")), 255]
        match = np.all(pixels == rgba, axis=-1)
        classes[match] = index
        seen |= match
    transparent = pixels[..., 3] == 0
    assert np.all(seen | transparent), "a pixel neither a label colour nor transparent"
    return classes


def check_painting(classes: npt.NDArray[np.uint8]) -> None:
    """``classes`` is what was drawn: each shape's label inside it (its outline give or take
    the brush's rounding), nothing erased or undone left, nothing anywhere else."""
    petal, centre, leaf = (classes == index for index in (1, 2, 3))
    stroke = segment_distance(*STROKE)
    polygon = polygon_distance(POLYGON)
    erased = segment_distance(*ERASED)
    triangle = polygon_distance(TRIANGLE)
    undone = np.min([segment_distance(*line) for line in UNDONE], axis=0)

    def within(region: Mask, allowed: Mask) -> None:
        assert np.all(allowed[region]), np.argwhere(region & ~allowed)[:5]

    # The brush stroke: a band of radius 4 (a disc of r² + r, so up to sqrt(20) across).
    within(stroke <= 3.5, petal)
    within(petal, stroke <= 4.5)
    # The polygon: every pixel inside, its corners and outline too, minus the erased band.
    within((polygon <= 0) & (erased > 2.5), centre)
    within(centre, (polygon <= 1) & (erased > 1.5))
    within(erased <= 1.5, ~centre & ~petal & ~leaf)
    assert all(centre[y, x] for x, y in POLYGON)
    # The triangle closed by a double-click.
    within(triangle <= 0, leaf)
    within(leaf, triangle <= 1)
    assert all(leaf[y, x] for x, y in TRIANGLE)
    # The undone strokes left nothing.
    within(undone <= 4, classes == 0)


def test_paint_erase_fill_undo_and_submit(server: Server, page: Page):
    crew = Crew.make(server, "flowers")
    job_id = start_labeling(
        page,
        crew,
        "flowers",
        [flower_line(server.settings)],
        taskType="semantic-segmentation",
        labels=LABELS,
        instructions="Paint the petals, the flower's centre and the leaves.",
    )
    task = task_id(page)
    page.wait_for_function(f"() => document.querySelector('{ELEMENT}')?.valid === true")
    brush(page, 5)  # the default: a twentieth of the image's shorter side, rounded down

    # The `?` list names this element's keys.
    check_shortcuts(
        page, "Brush: drag to paint", "Eraser", "Enter or double-click", "Undo", "Submit"
    )

    # Brush sizes: ] and [ and the buttons.
    page.keyboard.press("]")
    brush(page, 9)
    page.get_by_role("button", name="Smaller brush").click()
    brush(page, 5)
    page.get_by_role("button", name="Larger brush").click()
    brush(page, 9)

    # A petal stroke with the brush (label 1 by its number key).
    page.keyboard.press("1")
    expect(page.get_by_role("radio", name="petal")).to_have_attribute("aria-checked", "true")
    drag(page, *STROKE)

    # A polygon of "centre" (key 2), closed with Enter.
    page.keyboard.press("2")
    page.keyboard.press("p")
    expect(page.get_by_role("button", name="Polygon")).to_have_attribute("aria-pressed", "true")
    for corner in POLYGON:
        page.mouse.click(*at(page, *corner))
    expect(page.locator(f"{ELEMENT} .message")).to_contain_text("Polygon: 4 corners")
    page.keyboard.press("Enter")

    # The eraser, one size smaller, across the polygon.
    page.keyboard.press("e")
    page.keyboard.press("[")
    brush(page, 5)
    drag(page, *ERASED)

    # Tab moves to the next label (leaf); a triangle closed by a double-click.
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="leaf")).to_have_attribute("aria-checked", "true")
    page.get_by_role("button", name="Polygon").click()
    for corner in TRIANGLE[:-1]:
        page.mouse.click(*at(page, *corner))
    page.mouse.dblclick(*at(page, *TRIANGLE[-1]))

    # Two leaf strokes with the brush (B), both undone: Z, then the Undo button.
    page.keyboard.press("b")
    for line in UNDONE:
        drag(page, *line)
    page.keyboard.press("z")
    page.get_by_role("button", name="Undo").click()
    screenshot(page, "semantic-segmentation")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="No more work")).to_be_visible()

    ((stored, (status, answer)),) = stored_tasks(server.settings, job_id).items()
    assert (stored, status) == (task, "SUBMITTED")
    assert set(answer) == {"labeledImage", "labelMappings", "inputImageProperties"}
    assert answer["labelMappings"] == {label: {"color": c} for label, c in COLORS.items()}
    assert answer["inputImageProperties"] == {"width": WIDTH, "height": HEIGHT}
    png = base64.b64decode(answer["labeledImage"]["pngImageData"])
    classes = pixel_classes(png, COLORS)
    check_painting(classes)

    (line,) = crew.output(job_id)
    assert set(line) == {"source-ref", "kind", "flowers-ref", "flowers-ref-metadata"}
    metadata = line["flowers-ref-metadata"]
    assert metadata["type"] == "groundtruth/semantic-segmentation"
    assert metadata["human-annotated"] == "yes"
    assert metadata["job-name"] == "labeling-job/flowers"
    assert {
        index: (entry["class-name"], entry["hex-color"])
        for index, entry in metadata["internal-color-map"].items()
    } == {
        "0": ("BACKGROUND", "#ffffff"),
        **{str(i): (label, COLORS[label]) for i, label in enumerate(LABELS, start=1)},
    }
    url = line["flowers-ref"]
    assert url.startswith("file://") and url.endswith(".png")
    assert "/annotations/consolidated-annotation/output/" in url
    with Image.open(Path(url.removeprefix("file://"))) as mask:
        assert (mask.mode, mask.size) == ("P", (WIDTH, HEIGHT))
        consolidated = np.asarray(mask)
    assert np.array_equal(consolidated, classes)  # one worker: the mask is what was drawn

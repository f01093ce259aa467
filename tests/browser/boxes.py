"""Helpers for the bounding-box browser tests: real images as files in the server's object
store, the geometry of a <crowd-bounding-box> on screen, mouse drags on it, and the same
arithmetic the element does (viewport pixels to image pixels, snapping, clamping), so that
a test knows exactly which boxes a drag makes; and the output label an answer gives."""

from __future__ import annotations

import csv
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from playwright.sync_api import Locator, Page
from sklearn.datasets import load_sample_image

from quorum.settings import Settings

#: The element's zoom step (crowd-bounding-box.js ZOOM_STEP).
ZOOM_STEP = 1.25

Box = dict[str, Any]

GEOMETRY = """element => {
  const rect = element.shadowRoot.querySelector("canvas").getBoundingClientRect();
  const view = element.view;
  const size = element.imageSize;
  return {left: rect.left, top: rect.top, viewWidth: rect.width, viewHeight: rect.height,
          scale: view.scale, offsetX: view.offsetX, offsetY: view.offsetY,
          width: size.width, height: size.height};
}"""
#: Resolves once the element's image has loaded and two frames were painted since.
SETTLED = """element => new Promise(resolve => {
  const wait = () => element.imageSize && element.view.scale > 0
    ? requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))
    : setTimeout(wait, 50);
  wait();
})"""


def sample_image(settings: Settings, name: str) -> str:
    """scikit-learn's sample photo ``name`` (china.jpg, flower.jpg, 640x427) as a PNG in the
    object store; returns its file:// URL."""
    path = settings.objects_dir / "samples" / f"{Path(name).stem}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        Image.fromarray(load_sample_image(name)).save(path)
    return f"file://{path}"


def deepforest_file(name: str) -> Path:
    """A file of DeepForest's sample data (its wheel, installed with --no-deps by the
    Makefile: the package is found, never imported, since importing it needs torch)."""
    spec = importlib.util.find_spec("deepforest")
    assert spec is not None and spec.submodule_search_locations, "pip install --no-deps deepforest"
    return Path(next(iter(spec.submodule_search_locations))) / "data" / name


def deepforest_trees(settings: Settings) -> tuple[str, list[Box]]:
    """DeepForest's aerial image OSBS_029 (400x400 pixels) copied into the object store,
    and its tree crowns as boxes (from OSBS_029.csv: xmin, ymin, xmax, ymax)."""
    path = settings.objects_dir / "deepforest" / "OSBS_029.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(deepforest_file("OSBS_029.png").read_bytes())
    with deepforest_file("OSBS_029.csv").open(newline="") as handle:
        boxes: list[Box] = [
            {
                "label": row["label"],
                "left": int(row["xmin"]),
                "top": int(row["ymin"]),
                "width": int(row["xmax"]) - int(row["xmin"]),
                "height": int(row["ymax"]) - int(row["ymin"]),
            }
            for row in csv.DictReader(handle)
        ]
    return f"file://{path}", boxes


def large_image(settings: Settings, width: int = 4000, height: int = 3000) -> str:
    """A generated ``width`` x ``height`` PNG (gradients and a grid, with a dark square at
    (3000, 2000)-(3200, 2150) to draw a box around); returns its file:// URL."""
    path = settings.objects_dir / "generated" / f"large-{width}x{height}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
        y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
        pixels = np.zeros((height, width, 3), dtype=np.uint8)
        pixels[..., 0] = (x + 0 * y).astype(np.uint8)
        pixels[..., 1] = (y + 0 * x).astype(np.uint8)
        pixels[..., 2] = 128
        pixels[::250, :, :] = 255
        pixels[:, ::250, :] = 255
        pixels[2000:2150, 3000:3200, :] = 20
        Image.fromarray(pixels).save(path)
    return f"file://{path}"


def detection(answer: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    """The object-detection output label one worker's ``answer`` gives (with one worker
    every box is kept; annotations sorted by class, then top, then left)."""
    annotations = [
        {
            "class_id": labels.index(box["label"]),
            "top": box["top"],
            "left": box["left"],
            "height": box["height"],
            "width": box["width"],
        }
        for box in answer["boundingBoxes"]
    ]
    annotations.sort(key=lambda item: (item["class_id"], item["top"], item["left"]))
    size = answer["inputImageProperties"]
    return {
        "image_size": [{"width": size["width"], "height": size["height"], "depth": 3}],
        "annotations": annotations,
    }


def js_round(value: float) -> int:
    """JavaScript's Math.round (halves go up)."""
    return math.floor(value + 0.5)


def clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


@dataclass(frozen=True)
class Geometry:
    """Where the element shows the image: the canvas's corner on the page, the scale (CSS
    pixels per image pixel) and the image's offset in the canvas."""

    left: float
    top: float
    view_width: float
    view_height: float
    scale: float
    offset_x: float
    offset_y: float
    width: int
    height: int

    def to_image(self, x: int, y: int) -> tuple[float, float]:
        """The image point under the page point (x, y), as the element computes it."""
        px, py = x - self.left, y - self.top
        return (px - self.offset_x) / self.scale, (py - self.offset_y) / self.scale

    def to_page(self, x: float, y: float) -> tuple[int, int]:
        """The whole page pixel nearest the image point (x, y)."""
        return (
            round(self.left + self.offset_x + x * self.scale),
            round(self.top + self.offset_y + y * self.scale),
        )

    def box_from(self, a: tuple[int, int], b: tuple[int, int], label: str) -> Box:
        """The box a drag from page point ``a`` to ``b`` draws."""
        (ax, ay), (bx, by) = self.to_image(*a), self.to_image(*b)
        ax, bx = clamp(ax, 0, self.width), clamp(bx, 0, self.width)
        ay, by = clamp(ay, 0, self.height), clamp(by, 0, self.height)
        left, right = js_round(min(ax, bx)), js_round(max(ax, bx))
        top, bottom = js_round(min(ay, by)), js_round(max(ay, by))
        return {
            "label": label,
            "left": left,
            "top": top,
            "width": right - left,
            "height": bottom - top,
        }

    def delta(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
        (ax, ay), (bx, by) = self.to_image(*a), self.to_image(*b)
        return bx - ax, by - ay

    def moved(self, box: Box, a: tuple[int, int], b: tuple[int, int]) -> Box:
        """``box`` after dragging its inside from ``a`` to ``b``."""
        dx, dy = self.delta(a, b)
        left = clamp(js_round(box["left"] + dx), 0, max(0, self.width - box["width"]))
        top = clamp(js_round(box["top"] + dy), 0, max(0, self.height - box["height"]))
        return {**box, "left": left, "top": top}

    def resized_se(self, box: Box, a: tuple[int, int], b: tuple[int, int]) -> Box:
        """``box`` after dragging its bottom-right handle from ``a`` to ``b`` (not past
        its top-left corner)."""
        dx, dy = self.delta(a, b)
        right = clamp(js_round(box["left"] + box["width"] + dx), 0, self.width)
        bottom = clamp(js_round(box["top"] + box["height"] + dy), 0, self.height)
        return {**box, "width": right - box["left"], "height": bottom - box["top"]}

    def center(self, box: Box) -> tuple[int, int]:
        return self.to_page(box["left"] + box["width"] / 2, box["top"] + box["height"] / 2)

    def corner(self, box: Box) -> tuple[int, int]:
        """The page point of the box's bottom-right handle."""
        return self.to_page(box["left"] + box["width"], box["top"] + box["height"])

    def view_point(self, fx: float, fy: float) -> tuple[int, int]:
        """The page point at fractions (fx, fy) of the viewport."""
        return round(self.left + fx * self.view_width), round(self.top + fy * self.view_height)


class BoxScreen:
    """The <crowd-bounding-box> on the labeling screen (or inside ``host``)."""

    def __init__(self, page: Page, selector: str = "quorum-labeling crowd-bounding-box") -> None:
        self.page = page
        self.element: Locator = page.locator(selector)

    def settle(self) -> Geometry:
        """Wait for the image and two painted frames; returns the geometry."""
        self.element.evaluate(SETTLED)
        return self.geometry()

    def assert_in_view(self) -> None:
        """The whole viewport is on screen, above the sticky Submit bar."""
        geo = self.geometry()
        actions = self.page.locator("quorum-labeling .actions").bounding_box()
        assert actions is not None
        assert geo.top >= 0
        assert geo.top + geo.view_height <= actions["y"] + 1, (geo, actions)

    def geometry(self) -> Geometry:
        data = self.element.evaluate(GEOMETRY)
        return Geometry(
            data["left"],
            data["top"],
            data["viewWidth"],
            data["viewHeight"],
            data["scale"],
            data["offsetX"],
            data["offsetY"],
            data["width"],
            data["height"],
        )

    def drag(self, a: tuple[int, int], b: tuple[int, int], *, shift: bool = False) -> None:
        mouse = self.page.mouse
        mouse.move(*a)
        if shift:
            self.page.keyboard.down("Shift")
        mouse.down()
        mouse.move(*b, steps=6)
        mouse.up()
        if shift:
            self.page.keyboard.up("Shift")

    def click(self, point: tuple[int, int]) -> None:
        self.page.mouse.click(*point)

    def value(self) -> dict[str, Any]:
        value: dict[str, Any] = self.element.evaluate("element => element.value")
        return value

    def boxes(self) -> list[Box]:
        boxes: list[Box] = self.value()["boundingBoxes"]
        return boxes

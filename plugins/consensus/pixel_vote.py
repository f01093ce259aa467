"""Built-in consensus ``pixel-vote`` for semantic segmentation masks, after Ground Truth's
``ACS-SemanticSegmentation``.

Ground Truth treats each pixel as a multi-class classification with the workers' pixels as
votes, "with more information from surrounding pixels incorporated by applying a smoothing
function to the image". Here:

- **Decoding.** Each answer's RGBA PNG becomes a class map: a visible (alpha > 0) pixel
  whose RGB colour is exactly a label's ``labelMappings`` colour has that label's class
  (label ``i`` of the job's labels is class ``i + 1``); every other pixel (transparent,
  white, anti-aliased edges, unknown colours) is background, class 0.
- **Sizes.** The masks of one item should all have the size of the image. Masks of another
  size than the most common one (the first seen on a tie) cannot be voted pixel by pixel:
  they are left out, their workers are listed in the ``skipped-workers`` detail, and those
  answers score an agreement of 0.
- **Vote.** Each pixel takes the class most workers gave it; a tie goes to the lower class
  index (background first, then the job's label order).
- **Smoothing.** Where the vote was not unanimous, the pixel takes the most frequent voted
  class in its 3x3 neighbourhood (itself included, pixels beyond the border not counted;
  ties again to the lower class index). Unanimous pixels are never changed.
- **Confidence per image** = the mean over pixels of the share of workers whose class is the
  final one, rounded to 2 decimals. One worker (one usable mask) gives 0. The same value is
  written for every class of the ``internal-color-map`` detail, as in Ground Truth.
- **Output.** The value is the consolidated mask as the bytes of a palettised ("P") PNG
  whose pixel values are class indices; palette entry 0 is white, entry ``i`` the colour
  most of the item's workers painted label ``i`` with (their ``labelMappings``), so the
  mask looks like what they drew; d3's category10 (repeating after ten) for a label nobody
  painted; unused entries white. ``internal-color-map`` names the same colours.
- **Workers** score the share of pixels where their class is the final one.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from quorum import hookimpl
from quorum.colors import BACKGROUND_COLOR, MAX_MASK_LABELS, hex_color, internal_color_map
from quorum.consensus import (
    ConsensusAlgorithm,
    ConsensusResult,
    Consolidated,
    WorkerAnswer,
    answers_by_item,
    worker_qualities,
)
from quorum.label_kinds import LabelKind

ClassMap = npt.NDArray[np.uint8]


def label_colors(answers: Sequence[WorkerAnswer], labels: Sequence[str]) -> list[str]:
    """Per label, the colour most of the item's workers painted it with (their
    ``labelMappings``), so the consolidated mask looks like what they drew; category10
    for a label nobody mapped."""
    chosen = []
    for index, label in enumerate(labels, start=1):
        used = Counter(
            str(mapping["color"]).lower()
            for answer in answers
            if isinstance(mapping := answer.answer.get("labelMappings", {}).get(label), dict)
            and "color" in mapping
        )
        chosen.append(used.most_common(1)[0][0] if used else hex_color(index))
    return chosen


class PixelVote(ConsensusAlgorithm):
    """Per-pixel majority vote, smoothed by a 3x3 mode filter where workers disagree."""

    name = "pixel-vote"
    description = "Per-pixel majority vote over the workers' masks, smoothed where they disagree."
    label_kinds = (LabelKind.MASK,)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Vote the masks of each item pixel by pixel, then score workers by the share of
        pixels they got right (``state`` is not used: a vote needs nothing from earlier
        batches)."""
        if len(labels) > MAX_MASK_LABELS:
            raise ValueError(
                f"pixel-vote handles at most {MAX_MASK_LABELS} labels, got {len(labels)}"
            )
        results: dict[Hashable, Consolidated] = {}
        scores: list[tuple[Hashable, float]] = []
        for item, given in answers_by_item(answers).items():
            masks = [_class_map(answer.answer, labels) for answer in given]
            size = Counter(mask.shape for mask in masks).most_common(1)[0][0]
            usable = [mask.shape == size for mask in masks]
            stack = np.stack([mask for mask, ok in zip(masks, usable, strict=True) if ok])
            final = _vote(stack, len(labels) + 1)
            skipped = [a.worker for a, ok in zip(given, usable, strict=True) if not ok]
            colors = label_colors(given, labels)
            results[item] = _consolidated(final, stack, labels, colors, skipped)
            scores += [
                (answer.worker, float(np.mean(mask == final)) if ok else 0.0)
                for answer, mask, ok in zip(given, masks, usable, strict=True)
            ]
        return ConsensusResult(labels=results, workers=worker_qualities(scores))


def _consolidated(
    final: ClassMap,
    stack: ClassMap,
    labels: Sequence[str],
    colors: Sequence[str],
    skipped: list[Hashable],
) -> Consolidated:
    """The palettised mask, with the image's confidence in ``internal-color-map``."""
    confidence = 0.0 if len(stack) == 1 else round(float(np.mean(stack == final)), 2)
    return Consolidated(
        value=_palette_png(final, colors),
        confidence=confidence,
        details={
            "internal-color-map": internal_color_map(labels, confidence, colors),
            "skipped-workers": skipped,
        },
    )


def _class_map(answer: Mapping[str, Any], labels: Sequence[str]) -> ClassMap:
    """An answer's RGBA PNG as class indices (0 background, label ``i`` → ``i + 1``)."""
    data = base64.b64decode(answer["labeledImage"]["pngImageData"])
    with Image.open(io.BytesIO(data)) as image:
        pixels = np.asarray(image.convert("RGBA"))
    rgb, visible = pixels[..., :3], pixels[..., 3] > 0
    classes = np.zeros(pixels.shape[:2], np.uint8)
    for index, label in enumerate(labels, start=1):
        mapping = answer["labelMappings"].get(label)
        if mapping is not None:
            color = np.frombuffer(bytes.fromhex(mapping["color"].lstrip("#")), np.uint8)
            classes[visible & np.all(rgb == color, axis=-1)] = index
    return classes


def _most_frequent(
    count: Callable[[int], npt.NDArray[np.integer[Any]]], classes: int
) -> tuple[ClassMap, npt.NDArray[np.integer[Any]]]:
    """Per pixel, the class with the highest ``count(class)`` (the lower one on a tie)
    and that count."""
    best = count(0)
    winner = np.zeros(best.shape, np.uint8)
    for class_index in range(1, classes):
        counted = count(class_index)
        better = counted > best
        winner[better] = class_index
        best = np.where(better, counted, best)
    return winner, best


def _neighbourhood_count(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint8]:
    """Per pixel, how many pixels of its 3x3 neighbourhood (itself included) are set."""
    height, width = mask.shape
    padded = np.pad(mask.astype(np.uint8), 1)
    total = np.zeros((height, width), np.uint8)
    for dy in range(3):
        for dx in range(3):
            total += padded[dy : dy + height, dx : dx + width]
    return total


def _vote(stack: ClassMap, classes: int) -> ClassMap:
    """The per-pixel majority of ``stack`` (workers, height, width), mode-filtered
    where the workers were not unanimous."""
    voted, votes = _most_frequent(lambda k: np.sum(stack == k, axis=0, dtype=np.uint16), classes)
    smoothed, _ = _most_frequent(lambda k: _neighbourhood_count(voted == k), classes)
    return np.where(votes == len(stack), voted, smoothed)


def _palette_png(classes: ClassMap, colors: Sequence[str]) -> bytes:
    """``classes`` as a palettised PNG whose pixel values are the class indices; palette
    entry 0 is white, entry ``i`` label ``i``'s colour."""
    height, width = classes.shape
    image = Image.frombytes("P", (width, height), classes.tobytes())
    palette = b"".join(bytes.fromhex(color[1:]) for color in [BACKGROUND_COLOR, *colors])
    image.putpalette(palette + b"\xff" * (3 * 256 - len(palette)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``pixel-vote``."""
    return [PixelVote]

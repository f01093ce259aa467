"""The ``median-box`` consensus algorithm: one box per label, the workers' median.

For images that hold at most one object of each label (a product photo with one logo,
one price tag), this is simpler and steadier than matching boxes by overlap: per item and
per label, the label is kept when at least half of the item's workers drew a box of it, and
its box is the coordinate-wise median of those boxes (a worker's stray box moves a median
less than a mean). Each box's confidence is the share of the item's workers who drew it;
the item's is the mean over its boxes (0 for an image with none). A worker's agreement on
an item is the share of the job's labels on which they did what the consensus did (drew a
kept label, or left out a dropped one).

Answers and the value have the ``boxes`` label kind's shapes (:mod:`quorum.label_kinds`):
each answer is a :class:`~quorum.label_kinds.BoxesAnswer`, the value a
:class:`~quorum.label_kinds.BoxesValue`, with one ``{"confidence"}`` per annotation in
``details["objects"]``; the ``bounding-box`` task type writes it as Ground Truth's
object-detection line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from statistics import median
from typing import Any

from quorum import hookimpl
from quorum.consensus import (
    ConsensusAlgorithm,
    ConsensusResult,
    Consolidated,
    WorkerAnswer,
    answers_by_item,
    worker_qualities,
)
from quorum.label_kinds import OBJECTS, Annotation, BoxesValue, ImageSize, LabelKind

#: A box's coordinates, in the order Ground Truth writes them.
SIDES = ("top", "left", "height", "width")


class MedianBox(ConsensusAlgorithm):
    """One box per label: the median of the boxes at least half of the workers drew."""

    name = "median-box"
    description = "One box per label: the median of the workers' boxes."
    label_kinds = (LabelKind.BOXES,)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Consolidate each item on its own (``state`` is not used), and score each worker
        by their agreement with the consensus."""
        results: dict[Hashable, Consolidated] = {}
        scores: list[tuple[Hashable, float]] = []
        for item, given in answers_by_item(answers).items():
            results[item] = _consolidated([answer.answer for answer in given], labels)
            kept = {labels[box["class_id"]] for box in results[item].value["annotations"]}
            for answer in given:
                drew = {box["label"] for box in answer.answer["boundingBoxes"]}
                agreed = sum((label in drew) == (label in kept) for label in labels)
                scores.append((answer.worker, agreed / len(labels)))
        return ConsensusResult(labels=results, workers=worker_qualities(scores))


def _consolidated(given: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> Consolidated:
    """The median box of every label that at least half of the answers drew."""
    annotations: list[Annotation] = []
    confidences: list[float] = []
    for class_id, label in enumerate(labels):
        drawn = [
            [box for box in answer["boundingBoxes"] if box["label"] == label] for answer in given
        ]
        boxes = [box for worker_boxes in drawn for box in worker_boxes]
        share = sum(1 for worker_boxes in drawn if worker_boxes) / len(given)
        if boxes and share >= 0.5:
            annotations.append(
                Annotation(
                    class_id=class_id,
                    top=_number(median(box["top"] for box in boxes)),
                    left=_number(median(box["left"] for box in boxes)),
                    height=_number(median(box["height"] for box in boxes)),
                    width=_number(median(box["width"] for box in boxes)),
                )
            )
            confidences.append(round(share, 2))
    value = BoxesValue(image_size=[_image_size(given)], annotations=annotations)
    return Consolidated(
        value=value,
        confidence=round(sum(confidences) / len(confidences), 2) if confidences else 0.0,
        details={OBJECTS: [{"confidence": confidence} for confidence in confidences]},
    )


def _number(value: float) -> float:
    """A coordinate as Ground Truth writes it: an integer when it is whole."""
    return int(value) if float(value).is_integer() else value


def _image_size(given: Sequence[Mapping[str, Any]]) -> ImageSize:
    """The image size most answers report."""
    sizes = Counter(
        (answer["inputImageProperties"]["width"], answer["inputImageProperties"]["height"])
        for answer in given
    )
    (width, height), _ = sizes.most_common(1)[0]
    return ImageSize(width=width, height=height, depth=3)


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``median-box``."""
    return [MedianBox]

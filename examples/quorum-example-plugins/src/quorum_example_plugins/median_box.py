"""The ``median-box`` consensus algorithm: one box per label, the workers' median.

For images that hold at most one object of each label (a product photo with one logo,
one price tag), this is simpler and steadier than matching boxes by overlap: per item and
per label, the label is kept when at least half of the item's workers drew a box of it, and
its box is the coordinate-wise median of those boxes (a worker's stray box moves a median
less than a mean). Each box's confidence is the share of the item's workers who drew it;
the item's is the mean over its boxes (0 for an image with none).

The value is the boxes label kind's shape, which the ``bounding-box`` task type writes as
Ground Truth's object-detection line: ``{"image_size": [{"width", "height", "depth"}],
"annotations": [{"class_id", "top", "left", "height", "width"}]}``, with one
``{"confidence"}`` per annotation in ``details["objects"]``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from statistics import median
from typing import Any

from quorum import hookimpl
from quorum.consensus import ConsensusAlgorithm, ConsensusResult, Consolidated, WorkerAnswer


class MedianBox(ConsensusAlgorithm):
    """One box per label: the median of the boxes at least half of the workers drew."""

    name = "median-box"
    description = "One box per label: the median of the workers' boxes."
    label_kinds = ("boxes",)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Consolidate each item on its own (``state`` is not used)."""
        by_item: dict[Hashable, list[Mapping[str, Any]]] = defaultdict(list)
        for answer in answers:
            by_item[answer.item].append(answer.answer)
        return ConsensusResult(
            labels={item: _consolidated(given, labels) for item, given in by_item.items()}
        )


def _consolidated(given: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> Consolidated:
    """The median box of every label that at least half of the answers drew."""
    annotations: list[dict[str, float | int]] = []
    confidences: list[float] = []
    for class_id, label in enumerate(labels):
        drawn = [
            [box for box in answer["boundingBoxes"] if box["label"] == label] for answer in given
        ]
        boxes = [box for worker_boxes in drawn for box in worker_boxes]
        share = sum(1 for worker_boxes in drawn if worker_boxes) / len(given)
        if boxes and share >= 0.5:
            annotations.append(
                {"class_id": class_id}
                | {side: _number(median(box[side] for box in boxes)) for side in SIDES}
            )
            confidences.append(round(share, 2))
    return Consolidated(
        value={"image_size": [_image_size(given)], "annotations": annotations},
        confidence=round(sum(confidences) / len(confidences), 2) if confidences else 0.0,
        details={"objects": [{"confidence": confidence} for confidence in confidences]},
    )


#: A box's coordinates, in the order Ground Truth writes them.
SIDES = ("top", "left", "height", "width")


def _number(value: float) -> float | int:
    """A coordinate as Ground Truth writes it: an integer when it is whole."""
    return int(value) if float(value).is_integer() else value


def _image_size(given: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """The image size most answers report, as an ``image_size`` entry."""
    sizes = Counter(
        (answer["inputImageProperties"]["width"], answer["inputImageProperties"]["height"])
        for answer in given
    )
    (width, height), _ = sizes.most_common(1)[0]
    return {"width": width, "height": height, "depth": 3}


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``median-box``."""
    return [MedianBox]

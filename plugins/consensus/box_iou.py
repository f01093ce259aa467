"""Built-in consensus ``box-iou`` for bounding boxes, after Ground Truth's ``ACS-BoundingBox``.

Ground Truth "finds the most similar boxes from different workers based on the Jaccard
index (IoU) … and averages them"; the rest is ours, decided as follows:

- **Matching.** Per item and per label, boxes are clustered greedily by IoU (complete
  linkage, see :mod:`quorum_plugins.consensus._geometry`): a cluster holds at most one box per
  worker, and every two of its boxes have an IoU of at least :attr:`BoxIoU.threshold`
  (0.5). Boxes of different labels are never matched.
- **Coordinates** are the arithmetic means of the cluster's boxes, fractional as in Ground
  Truth (whole numbers are written as integers).
- **Which boxes stay.** A cluster stays if at least :attr:`BoxIoU.min_share` (half) of the
  item's workers drew one of its boxes. So a box only one worker drew stays when the item
  has one or two workers and is dropped from three workers on (a spammer's stray boxes go);
  with five workers a box needs three of them.
- **Confidence per box** = (cluster size / workers on the item) * mean IoU of the cluster's
  boxes with the consolidated box, rounded to 2 decimals and capped at
  :attr:`BoxIoU.max_confidence` (0.95, the highest value Ground Truth shows). One worker
  gives 0. The item's confidence is the mean over its boxes (0 for an image with none).
- **Output** is Ground Truth's label shape, ``{"image_size": [...], "annotations": [...]}``
  with ``class_id`` the index in the job's labels, annotations sorted by class, then top,
  then left; the details hold ``objects`` (confidence per annotation, parallel) and
  ``class-map`` (the classes present only). The image size is the one most answers report.
- **Workers** are scored per item by the F1 of their boxes against the consolidated ones:
  a box counts when it is in a cluster that stayed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from quorum import hookimpl
from quorum.consensus import (
    ConsensusAlgorithm,
    ConsensusResult,
    Consolidated,
    WorkerAnswer,
    answers_by_item,
    worker_qualities,
)
from quorum.label_kinds import LabelKind
from quorum_plugins.consensus._geometry import (
    Rect,
    box_iou,
    mean_confidence,
    overlap_clusters,
    shape_agreements,
)


@dataclass(frozen=True)
class MergedBox:
    """One consolidated box: its class, mean rectangle, confidence, and which of the item's
    answers (by position) drew one of its boxes."""

    class_id: int
    rect: Rect
    confidence: float
    answers: frozenset[int]


class BoxIoU(ConsensusAlgorithm):
    """Boxes matched across workers by IoU and averaged; lone boxes dropped from 3 workers."""

    name = "box-iou"
    description = "Boxes matched across workers by IoU (Jaccard) and averaged."
    label_kinds = (LabelKind.BOXES,)

    #: Least IoU between two boxes of one cluster.
    threshold: ClassVar[float] = 0.5
    #: Least share of the item's workers whose boxes a cluster must hold to stay.
    min_share: ClassVar[float] = 0.5
    #: The highest confidence a box gets.
    max_confidence: ClassVar[float] = 0.95

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Match and average the boxes of each item, then score workers by the F1 of their
        boxes (``state`` is not used: matching needs nothing from earlier batches)."""
        results: dict[Hashable, Consolidated] = {}
        scores: list[tuple[Hashable, float]] = []
        for item, given in answers_by_item(answers).items():
            merged = sorted(
                (
                    box
                    for class_id in range(len(labels))
                    for box in self._merge(given, class_id, labels)
                ),
                key=lambda box: (box.class_id, box.rect[1], box.rect[0]),
            )
            results[item] = _consolidated(given, merged, labels)
            scores += shape_agreements(given, "boundingBoxes", [box.answers for box in merged])
        return ConsensusResult(labels=results, workers=worker_qualities(scores))

    def _merge(
        self, given: Sequence[WorkerAnswer], class_id: int, labels: Sequence[str]
    ) -> list[MergedBox]:
        """The consolidated boxes of one label on one item."""
        owners: list[int] = []
        rects: list[Rect] = []
        for position, answer in enumerate(given):
            for box in answer.answer["boundingBoxes"]:
                if box["label"] == labels[class_id]:
                    owners.append(position)
                    rects.append(_rect(box))
        merged: list[MergedBox] = []
        for cluster in overlap_clusters(owners, rects, box_iou, self.threshold):
            if len(cluster) / len(given) >= self.min_share:
                members = [rects[index] for index in cluster]
                rect = _mean_rect(members)
                merged.append(
                    MergedBox(
                        class_id=class_id,
                        rect=rect,
                        confidence=self._confidence(members, rect, len(given)),
                        answers=frozenset(owners[index] for index in cluster),
                    )
                )
        return merged

    def _confidence(self, members: Sequence[Rect], rect: Rect, workers: int) -> float:
        """Share of workers in the cluster * mean IoU with the consolidated box, capped."""
        if workers == 1:
            return 0.0
        mean_iou = sum(box_iou(member, rect) for member in members) / len(members)
        return min(round(len(members) / workers * mean_iou, 2), self.max_confidence)


def _rect(box: Mapping[str, Any]) -> Rect:
    """An answer's box as ``(left, top, width, height)``."""
    return (float(box["left"]), float(box["top"]), float(box["width"]), float(box["height"]))


def _mean_rect(rects: Sequence[Rect]) -> Rect:
    """The coordinate-wise arithmetic mean of boxes."""
    left, top, width, height = (sum(values) / len(rects) for values in zip(*rects, strict=True))
    return (left, top, width, height)


def _number(value: float) -> float | int:
    """A coordinate as Ground Truth writes it: an integer when it is whole."""
    return int(value) if value.is_integer() else value


def _image_size(given: Sequence[WorkerAnswer]) -> dict[str, Any]:
    """The image size most answers report, as Ground Truth's ``image_size`` entry."""
    sizes = Counter(
        (
            answer.answer["inputImageProperties"]["width"],
            answer.answer["inputImageProperties"]["height"],
        )
        for answer in given
    )
    (width, height), _ = sizes.most_common(1)[0]
    return {"width": width, "height": height, "depth": 3}


def _consolidated(
    given: Sequence[WorkerAnswer], merged: Sequence[MergedBox], labels: Sequence[str]
) -> Consolidated:
    """Ground Truth's object-detection label, with ``objects`` and ``class-map`` details."""
    annotations = [
        {
            "class_id": box.class_id,
            "top": _number(box.rect[1]),
            "left": _number(box.rect[0]),
            "height": _number(box.rect[3]),
            "width": _number(box.rect[2]),
        }
        for box in merged
    ]
    confidences = [box.confidence for box in merged]
    return Consolidated(
        value={
            "image_size": [_image_size(given)],
            "annotations": annotations,
        },
        confidence=mean_confidence(confidences),
        details={
            "objects": [{"confidence": confidence} for confidence in confidences],
            "class-map": {
                str(class_id): labels[class_id]
                for class_id in sorted({box.class_id for box in merged})
            },
        },
    )


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``box-iou``."""
    return [BoxIoU]

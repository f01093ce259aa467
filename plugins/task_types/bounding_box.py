"""Built-in task type ``bounding-box``: draw a box around every object of the job's classes.

The manifest line names the image under ``source-ref``; the worker draws in Ground Truth's
``crowd-bounding-box`` element and answers with its output::

    {"boundingBoxes": [{"label": "Bird", "left": 138, "top": 164, "width": 443, "height": 859}],
     "inputImageProperties": {"width": 680, "height": 1024}}

Coordinates are pixels from the image's top-left corner. A box must lie inside the image,
give or take :data:`TOLERANCE` pixels (a drag that ends on the image's edge can overshoot
by a fraction of a pixel); the answer is kept as given, not clipped. No boxes at all is a
valid answer: the image shows none of the classes.

The output is Ground Truth's ``groundtruth/object-detection`` line: the value
``{"image_size": [...], "annotations": [{"class_id", "top", "left", "height", "width"}]}``
with ``objects`` (one confidence per annotation, parallel) and ``class-map`` (the classes
present) in the metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from quorum import hookimpl
from quorum.answer_checks import (
    exact_fields,
    image_size,
    job_label,
    json_list,
    json_object,
    number,
    part_confidences,
    same_image_size,
)
from quorum.consensus import Consolidated
from quorum.errors import BadInput
from quorum.item_source import ItemSource
from quorum.label_kinds import OBJECTS, BoxesValue, LabelKind
from quorum.tasktypes import TaskType

ANSWER_SHAPE = (
    '{"boundingBoxes": [{"label", "left", "top", "width", "height"}], '
    '"inputImageProperties": {"width", "height"}}'
)
BOX_SHAPE = '{"label", "left", "top", "width", "height"}'
#: How many pixels a box may reach past the image's right or bottom edge.
TOLERANCE = 1.0


class BoundingBox(TaskType):
    """Boxes around objects in an image (``groundtruth/object-detection``)."""

    name = "bounding-box"
    description = "Draw a box around every object of the job's classes in an image."
    label_kind = LabelKind.BOXES
    output_type = "groundtruth/object-detection"
    element = "crowd-bounding-box"
    #: Ground Truth's built-in bounding-box template names its element ``boundingBox``.
    answer_key = "boundingBox"
    source_key = "source-ref"
    default_consensus = "box-iou"
    min_labels = 1
    #: Ground Truth's limit for bounding-box jobs (``CreateLabelingJob``).
    max_labels = 50

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Accept the element's output: boxes of the job's labels inside the image."""
        answer = json_object(answer, "answer", ANSWER_SHAPE)
        exact_fields(answer, "answer", ANSWER_SHAPE, ("boundingBoxes", "inputImageProperties"))
        width, height = image_size(answer["inputImageProperties"])
        boxes = [
            _box(box, f"answer.boundingBoxes[{index}]", labels, width, height)
            for index, box in enumerate(json_list(answer["boundingBoxes"], "answer.boundingBoxes"))
        ]
        return {
            "boundingBoxes": boxes,
            "inputImageProperties": {"width": width, "height": height},
        }

    def check_against_item(self, answer: dict[str, Any], item: ItemSource) -> None:
        """The answer's ``inputImageProperties`` must be the item's image's size, so every
        box (checked against them) lies inside the real image."""
        same_image_size(answer, item)

    def output_label(
        self, consolidated: Consolidated, labels: Sequence[str]
    ) -> tuple[Any, dict[str, Any]]:
        """The algorithm's ``{"image_size", "annotations"}``, with ``objects`` and
        ``class-map``.

        ``class-map`` is built from the annotations; a consolidation that gave no
        per-box confidences (say, a custom one) gets the item's confidence for each box."""
        annotations = cast(BoxesValue, consolidated.value)["annotations"]  # checked by the core
        class_ids = sorted({annotation["class_id"] for annotation in annotations})
        return consolidated.value, {
            OBJECTS: part_confidences(consolidated, OBJECTS, len(annotations)),
            "class-map": {str(class_id): labels[class_id] for class_id in class_ids},
        }


def _box(value: Any, field: str, labels: Sequence[str], width: int, height: int) -> dict[str, Any]:
    """One box, checked against the job's labels and the image's size."""
    box = json_object(value, field, BOX_SHAPE)
    exact_fields(box, field, BOX_SHAPE, ("label", "left", "top", "width", "height"))
    label = job_label(box["label"], f"{field}.label", labels)
    left = number(box["left"], f"{field}.left")
    top = number(box["top"], f"{field}.top")
    box_width = number(box["width"], f"{field}.width", positive=True)
    box_height = number(box["height"], f"{field}.height", positive=True)
    if left + box_width > width + TOLERANCE:
        raise BadInput(
            f"{field}.width: the box ends at x={left + box_width:g}, "
            f"past the image's width of {width}"
        )
    if top + box_height > height + TOLERANCE:
        raise BadInput(
            f"{field}.height: the box ends at y={top + box_height:g}, "
            f"past the image's height of {height}"
        )
    return {
        "label": label,
        "left": left,
        "top": top,
        "width": box_width,
        "height": box_height,
    }


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``bounding-box``."""
    return [BoundingBox]

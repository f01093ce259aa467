"""Built-in task type ``bounding-box-adjustment``: correct a previous job's boxes.

The manifest line names the image under ``source-ref`` and carries a previous bounding-box
job's label under the job's ``auditLabelAttributeName``, as that job's output wrote it
(Ground Truth's ``{"image_size": [...], "annotations": [{"class_id", "left", "top",
"width", "height"}]}``, GROUNDTRUTH.md 2.3). The job keeps the previous job's labels, in
order (new ones may be added at the end), so class ``i`` is the job's label ``i``; a
``class-map`` in the previous metadata that disagrees fails the line. The task input
holds the boxes as ``crowd-bounding-box``'s ``initial-value``::

    {"initialValue": [{"label": "Bird", "left": 138.8, "top": 164.6, "width": 443.8,
                       "height": 859}]}

The worker moves, resizes, relabels, deletes or adds boxes and answers like
``bounding-box`` (``{"boundingBoxes": [...], "inputImageProperties": {...}}``), plus the
element's optional ``initialValueModified`` flag.

The output is ``bounding-box``'s ``groundtruth/object-detection`` line under a new
attribute beside the previous one (which passes through unchanged), with
``"adjustment-status": "adjusted"`` when at least one worker's boxes differ from the ones
they were shown, ``"unadjusted"`` otherwise (Ground Truth's adjustment jobs). The boxes are
compared, not the client's flag: a box counts as unchanged when its label is the same and
every coordinate is within :data:`UNCHANGED_WITHIN` pixels. Only where the initial boxes
are not known (``quorum consolidate``) does the flag decide. Answers are consolidated
like ``bounding-box`` (``box-iou``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from quorum import hookimpl
from quorum.answer_checks import json_object
from quorum.errors import BadInput
from quorum.tasktypes import TaskType
from quorum_plugins.task_types._previous_labels import class_map, detection_boxes
from quorum_plugins.task_types.bounding_box import ANSWER_SHAPE, BoundingBox

#: How far a coordinate may be from the initial box's, in pixels, with the box still
#: unchanged: an element that writes boxes back in whole pixels adjusts nothing.
UNCHANGED_WITHIN = 0.5
COORDINATES = ("left", "top", "width", "height")
FLAG = "initialValueModified"


class BoundingBoxAdjustment(BoundingBox):
    """Correct a previous job's boxes (``groundtruth/object-detection`` with
    ``adjustment-status``)."""

    name = "bounding-box-adjustment"
    description = (
        "Start from a previous job's boxes on an image and move, resize, relabel, delete "
        "or add boxes until they are right."
    )
    audits_labels = True

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Accept ``bounding-box``'s answer, with an optional ``initialValueModified``
        (true or false)."""
        answer = json_object(answer, "answer", ANSWER_SHAPE)
        boxes = super().validate_answer(
            {key: value for key, value in answer.items() if key != FLAG}, labels
        )
        if FLAG in answer:
            if not isinstance(answer[FLAG], bool):
                raise BadInput(f"answer.{FLAG}: must be true or false")
            boxes[FLAG] = answer[FLAG]
        return boxes

    def audit_input(
        self, line: Mapping[str, Any], attribute: str, labels: Sequence[str]
    ) -> dict[str, Any]:
        """``initialValue``: the previous boxes, named with the job's labels."""
        previous = class_map(line, attribute)

        def name_of(class_id: int, field: str) -> str:
            if class_id >= len(labels):
                raise BadInput(
                    f"{field}: class {class_id} is not one of this job's {len(labels)} labels; "
                    "an adjustment job keeps the previous job's labels in order (new ones may "
                    "be added at the end)"
                )
            given = previous.get(str(class_id))
            if given is not None and given != labels[class_id]:
                raise BadInput(
                    f"{attribute}-metadata.class-map.{class_id}: the previous job's class "
                    f"{class_id} is {given!r} but this job's label {class_id} is "
                    f"{labels[class_id]!r}; keep the previous job's labels in order"
                )
            return labels[class_id]

        return {"initialValue": detection_boxes(line[attribute], attribute, name_of)}

    def answers_metadata(
        self, answers: Sequence[Mapping[str, Any]], task_input: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """``adjustment-status``: ``adjusted`` if any answer's boxes differ from the initial
        ones (or, where those are not known, any answer says it modified them)."""
        initial = (task_input or {}).get("initialValue")
        if isinstance(initial, list):
            adjusted = any(
                not same_boxes(answer.get("boundingBoxes", []), initial) for answer in answers
            )
        else:
            adjusted = any(answer.get(FLAG) is True for answer in answers)
        return {"adjustment-status": "adjusted" if adjusted else "unadjusted"}


def same_boxes(given: Sequence[Mapping[str, Any]], initial: Sequence[Any]) -> bool:
    """Whether the ``given`` boxes are the ``initial`` ones, in any order: as many, each
    matching one initial box of the same label, every coordinate within
    :data:`UNCHANGED_WITHIN` pixels."""
    if len(given) != len(initial):
        return False
    unmatched = list(initial)
    for box in given:
        match = next(
            (index for index, start in enumerate(unmatched) if _same_box(box, start)), None
        )
        if match is None:
            return False
        del unmatched[match]
    return True


def _same_box(box: Mapping[str, Any], start: Any) -> bool:
    if not isinstance(start, Mapping) or start.get("label") != box.get("label"):
        return False
    try:
        return all(
            abs(float(box[key]) - float(start[key])) <= UNCHANGED_WITHIN for key in COORDINATES
        )
    except (KeyError, TypeError, ValueError):  # an initial value a plugin wrote oddly
        return False


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``bounding-box-adjustment``."""
    return [BoundingBoxAdjustment]

"""Built-in task type ``label-verification``: is a previous job's label right?

The manifest line names the image under ``source-ref`` and carries a previous job's label
under the job's ``auditLabelAttributeName``, with its ``-metadata``, as that job's output
wrote them (GROUNDTRUTH.md 2.3): a class index with ``class-name`` (classification), class
indices with ``class-map`` (multi-label), or ``{"image_size", "annotations"}`` with
``class-map`` (bounding boxes). The task input shows it to the worker as ``previousLabel``,
in the shape of the answer that made it, with the previous job's class names::

    {"attribute": "category", "kind": "class", "label": "Canary"}
    {"attribute": "category", "kind": "classes", "labels": ["bicycle", "person"]}
    {"attribute": "category", "kind": "boxes",
     "boundingBoxes": [{"label": "Bird", "left": 138.8, "top": 164.6, "width": 443.8,
                        "height": 859}]}

The job's labels are the verification categories (``["valid", "invalid"]``, say). The
worker answers in the portal's ``quorum-label-verification`` element (Ground Truth renders
this with ``crowd-image-classifier`` and an overlay; the worker responses keep that key)
with ``{"label": "<category>", "comment": "..."}``; the comment is optional, at most
:data:`MAX_COMMENT` characters, and kept stripped (a blank one is left out).

The output is Ground Truth's ``groundtruth/label-verification`` line, under a new attribute
beside the previous label (which passes through unchanged): the chosen category's index,
with ``class-name``, ``confidence`` and ``worker-feedback`` (``[{"comment": ...}]``: the
item's comments, oldest first, empty ones dropped) in the metadata. Answers are
consolidated like single-label classification (Dawid-Skene by default).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from quorum import hookimpl
from quorum.answer_checks import exact_fields, job_label, json_list, json_object
from quorum.errors import BadInput
from quorum.limits import MAX_COMMENT_CHARS
from quorum.tasktypes import SingleLabelClassification, TaskType
from quorum_plugins.task_types._previous_labels import (
    DETECTION_SHAPE,
    class_index,
    class_map,
    detection_boxes,
    is_class_index,
    metadata,
    named_by_class_map,
)

ANSWER_SHAPE = '{"label": "<category>", "comment": "..."}'
#: The longest comment a worker may leave (Ground Truth's limit on free-text answers).
MAX_COMMENT = MAX_COMMENT_CHARS


class LabelVerification(SingleLabelClassification):
    """Say whether a previous job's label on an image is right
    (``groundtruth/label-verification``)."""

    name = "label-verification"
    description = (
        "Check a previous job's label on an image (its class, classes or boxes) and say "
        "whether it is right, with an optional comment."
    )
    output_type = "groundtruth/label-verification"
    element = "quorum-label-verification"
    answer_key = "crowd-image-classifier"
    source_key = "source-ref"
    audits_labels = True

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Accept ``{"label": <one of the job's categories>, "comment": "..."}``."""
        answer = json_object(answer, "answer", ANSWER_SHAPE)
        exact_fields(answer, "answer", ANSWER_SHAPE, ("label",), optional=("comment",))
        cleaned = {"label": job_label(answer["label"], "answer.label", labels)}
        comment = answer.get("comment")
        if comment is not None:
            if not isinstance(comment, str):
                raise BadInput("answer.comment: must be a string")
            if len(comment) > MAX_COMMENT:
                raise BadInput(
                    f"answer.comment: at most {MAX_COMMENT:,} characters, got {len(comment):,}"
                )
            if comment.strip():
                cleaned["comment"] = comment.strip()
        return cleaned

    def audit_input(
        self, line: Mapping[str, Any], attribute: str, labels: Sequence[str]
    ) -> dict[str, Any]:
        """``previousLabel``: the label under ``attribute``, named with the previous job's
        classes (the job's own labels are the verification categories)."""
        return {"previousLabel": {"attribute": attribute, **previous_label(line, attribute)}}

    def answers_metadata(
        self, answers: Sequence[Mapping[str, Any]], task_input: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """``worker-feedback``: every answer's non-empty comment, oldest first."""
        comments = [answer.get("comment") for answer in answers]
        return {
            "worker-feedback": [
                {"comment": comment.strip()}
                for comment in comments
                if isinstance(comment, str) and comment.strip()
            ]
        }


def previous_label(line: Mapping[str, Any], attribute: str) -> dict[str, Any]:
    """The previous label under ``attribute`` as ``{"kind", ...}``: ``class`` with
    ``label``, ``classes`` with ``labels``, or ``boxes`` with ``boundingBoxes``."""
    value = line[attribute]
    if isinstance(value, dict):
        boxes = detection_boxes(value, attribute, named_by_class_map(line, attribute))
        return {"kind": "boxes", "boundingBoxes": boxes}
    if isinstance(value, list):
        name_of = named_by_class_map(line, attribute)
        names = []
        for index, given in enumerate(json_list(value, attribute)):
            field = f"{attribute}[{index}]"
            names.append(name_of(class_index(given, field), field))
        return {"kind": "classes", "labels": names}
    if is_class_index(value):
        index = class_index(value, attribute)
        return {"kind": "class", "label": _class_name(line, attribute, index)}
    raise BadInput(
        f"{attribute}: a previous label must be a class index, a list of class indices, or "
        f"bounding boxes {DETECTION_SHAPE}; got {json.dumps(value)[:80]}"
    )


def _class_name(line: Mapping[str, Any], attribute: str, index: int) -> str:
    """A single previous class's name: the metadata's ``class-name`` (or its
    ``class-map``)."""
    name = metadata(line, attribute).get("class-name")
    if name is None:
        name = class_map(line, attribute).get(str(index))
        if name is None:
            raise BadInput(
                f"{attribute}-metadata.class-name: missing; the previous class's name is "
                "what workers are shown"
            )
    if not isinstance(name, str) or not name:
        raise BadInput(f"{attribute}-metadata.class-name: must be a non-empty string")
    return name


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``label-verification``."""
    return [LabelVerification]

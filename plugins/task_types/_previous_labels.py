"""What the task types that audit a previous job's label share (label verification,
bounding-box adjustment): reading that label from a manifest line, as Ground Truth's output
wrote it (GROUNDTRUTH.md 2.3), into the shapes the crowd elements take.

Like :mod:`quorum.answer_checks`, each reader takes the value and its path in the
manifest line (``category.annotations[2]``) and raises :class:`BadInput` with a message
that starts with that path; ingest puts the line number in front.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from quorum.answer_checks import integer, json_list, json_object, number
from quorum.errors import BadInput

#: Ground Truth's object-detection label.
DETECTION_SHAPE = (
    '{"image_size": [...], "annotations": [{"class_id", "left", "top", "width", "height"}]}'
)
ANNOTATION_SHAPE = '{"class_id", "left", "top", "width", "height"}'
ANNOTATION_KEYS = ("class_id", "left", "top", "width", "height")
METADATA_SHAPE = '{"class-name" or "class-map", "type", ...}'
_DIGITS = re.compile(r"[0-9]+")

#: Names a previous label's class: takes the class index and the path it was read at.
ClassNamer = Callable[[int, str], str]


def metadata(line: Mapping[str, Any], attribute: str) -> dict[str, Any]:
    """The previous label's ``<attribute>-metadata`` object (empty where the line has
    none)."""
    value = line.get(f"{attribute}-metadata")
    if value is None:
        return {}
    return json_object(value, f"{attribute}-metadata", METADATA_SHAPE)


def class_map(line: Mapping[str, Any], attribute: str) -> dict[str, str]:
    """The previous job's class names by index (``{"0": "Bird"}``), from the label's
    ``class-map``; empty where the metadata has none."""
    found = metadata(line, attribute).get("class-map")
    if found is None:
        return {}
    field = f"{attribute}-metadata.class-map"
    classes = json_object(found, field, '{"<class index>": "<class name>"}')
    for key, name in classes.items():
        if not isinstance(name, str) or not name:
            raise BadInput(f"{field}.{key}: must be a class name (a non-empty string)")
    return classes


def named_by_class_map(line: Mapping[str, Any], attribute: str) -> ClassNamer:
    """A namer that takes the previous job's own class names, from its ``class-map``."""
    classes = class_map(line, attribute)

    def name(class_id: int, field: str) -> str:
        if str(class_id) not in classes:
            raise BadInput(
                f"{field}: class {class_id} has no name in {attribute}-metadata.class-map"
            )
        return classes[str(class_id)]

    return name


def is_class_index(value: Any) -> bool:
    """Whether ``value`` is written as a class index: a whole number (any sign; its range
    is :func:`class_index`'s to check), or a string of digits."""
    if isinstance(value, str):
        return _DIGITS.fullmatch(value) is not None
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def class_index(value: Any, field: str) -> int:
    """A class index: a whole number, or one written as a string (``"1"``, as in Ground
    Truth's documentation examples)."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    return integer(value, field)


def detection_boxes(value: Any, field: str, name_of: ClassNamer) -> list[dict[str, Any]]:
    """Ground Truth's object-detection label (:data:`DETECTION_SHAPE`) as the boxes of a
    ``crowd-bounding-box``: ``[{"label", "left", "top", "width", "height"}]``, in the
    label's order, each class named by ``name_of``. Other keys of the label and of its
    annotations (``image_size``, a tool's extras) are left out."""
    label = json_object(value, field, DETECTION_SHAPE)
    if "annotations" not in label:
        raise BadInput(f"{field}.annotations: missing; expected {DETECTION_SHAPE}")
    boxes: list[dict[str, Any]] = []
    for index, annotation in enumerate(json_list(label["annotations"], f"{field}.annotations")):
        path = f"{field}.annotations[{index}]"
        given = json_object(annotation, path, ANNOTATION_SHAPE)
        for key in ANNOTATION_KEYS:
            if key not in given:
                raise BadInput(f"{path}.{key}: missing; expected {ANNOTATION_SHAPE}")
        class_field = f"{path}.class_id"
        boxes.append(
            {
                "label": name_of(class_index(given["class_id"], class_field), class_field),
                "left": number(given["left"], f"{path}.left"),
                "top": number(given["top"], f"{path}.top"),
                "width": number(given["width"], f"{path}.width", positive=True),
                "height": number(given["height"], f"{path}.height", positive=True),
            }
        )
    return boxes

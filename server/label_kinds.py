"""Every label kind, the shapes of its answers and labels, and the check of a plugin's label.

A task type names its :class:`LabelKind` (``TaskType.label_kind``); a consensus algorithm
lists the kinds it understands (``ConsensusAlgorithm.label_kinds``). The kind is the
contract between them:

- the **answer** an algorithm receives (``WorkerAnswer.answer``) is the task type's
  validated answer, shaped as the kind's ``*Answer`` type below;
- the **value** an algorithm returns (``Consolidated.value``) is shaped as the kind's
  ``*Value`` type, and the task type writes it into the output manifest;
- the **details** (``Consolidated.details``) may hold the keys named below for the kind
  (:data:`DETAIL_KEYS`); the core and the task types read them, and where one is missing
  they fall back to the item's confidence. Any other detail key is the algorithm's own.

Per kind, the answer, the value and the details read:

- ``single-label``: :class:`SingleLabelAnswer`; the category's name; :data:`POSTERIOR`.
- ``multi-label``: :class:`MultiLabelAnswer`; the categories' names; :data:`CONFIDENCE_MAP`.
- ``boxes``: :class:`BoxesAnswer`; :class:`BoxesValue`; :data:`OBJECTS`.
- ``spans``: :class:`SpansAnswer`; :class:`SpansValue`; :data:`ENTITIES`.
- ``mask``: :class:`MaskAnswer`; a PNG of class indices (:data:`MaskValue`);
  :data:`INTERNAL_COLOR_MAP`.
- ``custom``: any JSON object; any JSON value; none.

The runner checks every label a plugin gives (a consensus algorithm's or a
``quorum_post_annotation`` plugin's) with :func:`check_consolidated` before the task type
writes it: a label of the wrong shape fails its item, with a message that names the plugin
and the field, and the other items go on. The check reads the value's fields only (no
image is decoded), so it costs little next to consolidation itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, NotRequired, TypedDict

from quorum.errors import PluginError

if TYPE_CHECKING:
    from quorum.consensus import Consolidated


class LabelKind(StrEnum):
    """What a task type's answers and labels look like; the values are the strings the
    GraphQL catalog shows (``taskTypes { labelKind }``)."""

    #: One category per item (text and image classification, label verification).
    SINGLE_LABEL = "single-label"
    #: Any number of categories per item (multi-label classification).
    MULTI_LABEL = "multi-label"
    #: Labeled boxes on an image (bounding box, bounding-box adjustment).
    BOXES = "boxes"
    #: Labeled character ranges of a text (named-entity recognition).
    SPANS = "spans"
    #: A class per pixel of an image (semantic segmentation).
    MASK = "mask"
    #: Whatever the job's own template's form holds (custom tasks).
    CUSTOM = "custom"


# -- the details the core and the task types read --------------------------------------------

#: ``single-label``: the probability of every category, ``{"<category>": p}``; the item's
#: ``posterior`` is the chosen category's (active learning and auto-labeling read it).
POSTERIOR: Final = "posterior"
#: ``multi-label``: each chosen category's own confidence, ``{"<category>": c}``.
CONFIDENCE_MAP: Final = "confidence-map"
#: ``boxes``: one ``{"confidence": c}`` per annotation of the value, in its order.
OBJECTS: Final = "objects"
#: ``spans``: one ``{"confidence": c}`` per entity of the value, in its order.
ENTITIES: Final = "entities"
#: ``mask``: Ground Truth's colour map, :data:`InternalColorMap`.
INTERNAL_COLOR_MAP: Final = "internal-color-map"

#: The documented detail keys of each kind.
DETAIL_KEYS: Final[Mapping[LabelKind, tuple[str, ...]]] = {
    LabelKind.SINGLE_LABEL: (POSTERIOR,),
    LabelKind.MULTI_LABEL: (CONFIDENCE_MAP,),
    LabelKind.BOXES: (OBJECTS,),
    LabelKind.SPANS: (ENTITIES,),
    LabelKind.MASK: (INTERNAL_COLOR_MAP,),
    LabelKind.CUSTOM: (),
}


# -- answers ---------------------------------------------------------------------------------


class SingleLabelAnswer(TypedDict):
    """``single-label``: the chosen category (a task type may keep a comment beside it)."""

    label: str
    workerComment: NotRequired[str]
    comment: NotRequired[str]


class MultiLabelAnswer(TypedDict):
    """``multi-label``: every category chosen, none twice; empty for none of them."""

    labels: list[str]


class ImageProperties(TypedDict):
    """The size of the image an answer was drawn on, in pixels."""

    width: int
    height: int


class Box(TypedDict):
    """One box a worker drew: a category and pixels from the image's top-left corner."""

    label: str
    left: float
    top: float
    width: float
    height: float


class BoxesAnswer(TypedDict):
    """``boxes``: ``crowd-bounding-box``'s output (an adjustment adds whether the worker
    changed the boxes shown)."""

    boundingBoxes: list[Box]
    inputImageProperties: ImageProperties
    initialValueModified: NotRequired[bool]


class Entity(TypedDict):
    """One labeled span: code-point offsets, ``endOffset`` exclusive."""

    label: str
    startOffset: int
    endOffset: int


class SpansAnswer(TypedDict):
    """``spans``: ``crowd-entity-annotation``'s output, no two entities overlapping."""

    entities: list[Entity]


class LabeledImage(TypedDict):
    """The painted mask, a base64 RGBA PNG."""

    pngImageData: str


class LabelMapping(TypedDict):
    """The colour a category was painted with, ``#rrggbb``."""

    color: str


class MaskAnswer(TypedDict):
    """``mask``: ``crowd-semantic-segmentation``'s output."""

    labeledImage: LabeledImage
    labelMappings: dict[str, LabelMapping]
    inputImageProperties: ImageProperties


# -- values ----------------------------------------------------------------------------------

#: ``single-label``: the chosen category's name.
SingleLabelValue = str
#: ``multi-label``: the chosen categories' names (each once).
MultiLabelValue = list[str]
#: ``mask``: a PNG whose pixel values are class indices (0 background, label ``i`` is
#: ``i + 1``).
MaskValue = bytes


class Annotation(TypedDict):
    """One consolidated box: ``class_id`` is the index in the job's labels."""

    class_id: int
    left: float
    top: float
    width: float
    height: float


class ImageSize(TypedDict):
    """Ground Truth's ``image_size`` entry."""

    width: int
    height: int
    depth: int


class BoxesValue(TypedDict):
    """``boxes``: Ground Truth's object-detection label."""

    annotations: list[Annotation]
    image_size: NotRequired[list[ImageSize]]


class SpanAnnotations(TypedDict):
    """The entities of a ``spans`` value (the task type writes ``labels`` itself)."""

    entities: list[Entity]


class SpansValue(TypedDict):
    """``spans``: Ground Truth's text-span label."""

    annotations: SpanAnnotations


class PartConfidence(TypedDict):
    """One part's (box's, entity's) confidence, in :data:`OBJECTS` and :data:`ENTITIES`."""

    confidence: float


#: One class of :data:`INTERNAL_COLOR_MAP`: its name (``BACKGROUND`` for 0), colour and
#: the image's confidence.
ColorMapEntry = TypedDict(
    "ColorMapEntry", {"class-name": str, "hex-color": str, "confidence": float}
)
#: ``internal-color-map``: per class index as a string (``"0"`` the background).
InternalColorMap = dict[str, ColorMapEntry]


# -- the check -------------------------------------------------------------------------------


def consensus_source(algorithm: str, plugin: str) -> str:
    """How :func:`check_consolidated` names a consensus algorithm and its plugin."""
    return f"consensus algorithm {algorithm!r} (plugin {plugin!r})"


def post_annotation_source(plugins: Sequence[str]) -> str:
    """How :func:`check_consolidated` names the plugins implementing
    ``quorum_post_annotation`` (the first of them to return a label gave it)."""
    return f"post-annotation plugin {' or '.join(repr(name) for name in plugins)}"


class _Wrong(Exception):
    """A field of a label that does not fit its kind; the message starts with its path."""


def _expected(path: str, expected: str, got: Any) -> _Wrong:
    """The error for a field that holds ``got`` where ``expected`` belongs."""
    return _Wrong(f"{path}: expected {expected}, got {_shown(got)}")


def check_consolidated(
    kind: LabelKind | str, consolidated: Consolidated, labels: Sequence[str], source: str
) -> None:
    """Raise :class:`PluginError` if ``consolidated`` does not fit ``kind`` for a job with
    ``labels``: its confidence (a number from 0 to 1), its value, and those of its details
    that :data:`DETAIL_KEYS` documents for the kind (other details are not read).

    ``source`` names who gave the label, and starts the message: ``consensus algorithm
    'my-boxes' (plugin 'x'): value.annotations[0].width: expected a number, got 'wide'``.
    A kind the core does not know is not checked.
    """
    if kind not in _VALUES:  # a third party's own kind: nothing to check it against
        return
    try:
        _check(LabelKind(kind), consolidated, labels)
    except _Wrong as wrong:
        raise PluginError(f"{source}: {wrong}") from None


def _check(kind: LabelKind, consolidated: Consolidated, labels: Sequence[str]) -> None:
    _number(consolidated.confidence, "confidence", most=1.0)
    value = consolidated.value
    _VALUES[kind](value, labels)
    details = consolidated.details
    if not isinstance(details, Mapping):
        raise _expected("details", "a mapping", details)
    for key in DETAIL_KEYS[kind]:
        if key in details:
            _DETAILS[key](details[key], f"details.{key}", value)


def _shown(value: Any) -> str:
    """A value for a message: short ones as written, others by their type."""
    if value is None or isinstance(value, bool | int | float | str):
        text = repr(value)
        return text if len(text) <= 40 else f"{text[:37]}..."
    return type(value).__name__


def _number(value: Any, path: str, *, most: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _expected(path, "a number", value)
    if value < 0 or (most is not None and value > most):
        limit = "at least 0" if most is None else f"a number from 0 to {most:g}"
        raise _expected(path, limit, value)
    return value


def _whole(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _expected(path, "a whole number at least 0", value)
    return value


def _category(value: Any, path: str, labels: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in labels:
        raise _expected(path, "one of the job's labels", value)
    return value


def _mapping(value: Any, path: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise _expected(path, "a JSON object", value)
    return value


def _list(value: Any, path: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise _expected(path, "a list", value)
    return value


def _field(value: Mapping[Any, Any], key: str, path: str) -> Any:
    if key not in value:
        raise _Wrong(f"{path}.{key}: missing")
    return value[key]


def _single_label(value: Any, labels: Sequence[str]) -> None:
    _category(value, "value", labels)


def _multi_label(value: Any, labels: Sequence[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(_list(value, "value")):
        path = f"value[{index}]"
        if _category(name, path, labels) in seen:
            raise _expected(path, "a label not listed before", name)
        seen.add(name)


def _boxes(value: Any, labels: Sequence[str]) -> None:
    annotations = _list(
        _field(_mapping(value, "value"), "annotations", "value"), "value.annotations"
    )
    for index, annotation in enumerate(annotations):
        path = f"value.annotations[{index}]"
        box = _mapping(annotation, path)
        class_id = _whole(_field(box, "class_id", path), f"{path}.class_id")
        if class_id >= len(labels):
            raise _expected(
                f"{path}.class_id", f"an index of the job's {len(labels)} labels", class_id
            )
        for key in ("left", "top", "width", "height"):
            _number(_field(box, key, path), f"{path}.{key}")
    sizes = value.get("image_size", [])
    for index, size in enumerate(_list(sizes, "value.image_size")):
        _mapping(size, f"value.image_size[{index}]")


def _spans(value: Any, labels: Sequence[str]) -> None:
    annotations = _mapping(
        _field(_mapping(value, "value"), "annotations", "value"), "value.annotations"
    )
    path = "value.annotations.entities"
    for index, given in enumerate(
        _list(_field(annotations, "entities", "value.annotations"), path)
    ):
        where = f"{path}[{index}]"
        entity = _mapping(given, where)
        _category(_field(entity, "label", where), f"{where}.label", labels)
        start = _whole(_field(entity, "startOffset", where), f"{where}.startOffset")
        end = _whole(_field(entity, "endOffset", where), f"{where}.endOffset")
        if end <= start:
            raise _expected(f"{where}.endOffset", f"an offset after startOffset ({start})", end)


def _mask(value: Any, labels: Sequence[str]) -> None:
    if not isinstance(value, bytes) or not value.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _expected("value", "the bytes of a PNG", value)


def _custom(value: Any, labels: Sequence[str]) -> None:
    """A custom task's label may be anything its output can hold."""


_VALUES: Final[Mapping[LabelKind, Callable[[Any, Sequence[str]], None]]] = {
    LabelKind.SINGLE_LABEL: _single_label,
    LabelKind.MULTI_LABEL: _multi_label,
    LabelKind.BOXES: _boxes,
    LabelKind.SPANS: _spans,
    LabelKind.MASK: _mask,
    LabelKind.CUSTOM: _custom,
}


def _scores(given: Any, path: str, value: Any) -> None:
    """``posterior``, ``confidence-map``: a number per category."""
    for key, score in _mapping(given, path).items():
        _number(score, f"{path}.{key}", most=1.0)


def _parts(given: Any, path: str, count: int) -> None:
    """``objects``, ``entities``: one ``{"confidence"}`` per part of the value."""
    parts = _list(given, path)
    if len(parts) != count:
        raise _expected(path, f"{count} entries (one per part of the value)", len(parts))
    for index, part in enumerate(parts):
        where = f"{path}[{index}]"
        confidence = _field(_mapping(part, where), "confidence", where)
        _number(confidence, f"{where}.confidence", most=1.0)


def _objects(given: Any, path: str, value: Any) -> None:
    _parts(given, path, len(value["annotations"]))


def _entities(given: Any, path: str, value: Any) -> None:
    _parts(given, path, len(value["annotations"]["entities"]))


def _color_map(given: Any, path: str, value: Any) -> None:
    for key, entry in _mapping(given, path).items():
        where = f"{path}.{key}"
        color = _mapping(entry, where)
        for name in ("class-name", "hex-color"):
            if not isinstance(_field(color, name, where), str):
                raise _expected(f"{where}.{name}", "a string", color[name])
        _number(_field(color, "confidence", where), f"{where}.confidence", most=1.0)


_DETAILS: Final[Mapping[str, Callable[[Any, str, Any], None]]] = {
    POSTERIOR: _scores,
    CONFIDENCE_MAP: _scores,
    OBJECTS: _objects,
    ENTITIES: _entities,
    INTERNAL_COLOR_MAP: _color_map,
}

"""The checks task types use on a worker's answer's fields, and how a label's per-part
confidences are written: part of the plugin API, for third-party task types as for the
built-in structured ones (multi-label, boxes, entities, masks).

Each check takes the value and the path of the field it sits at (``answer.boundingBoxes[2]
.width``), and either returns the value, typed, or raises :class:`BadInput` with a message
that starts with that path, so a worker or a client can see which field is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from quorum.consensus import Consolidated
from quorum.errors import BadInput
from quorum.item_source import ItemSource

#: The most parts (boxes, entities) one answer may hold: consolidation compares every two
#: parts of an item, so an answer with no bound could stall the runner.
MAX_PARTS = 1_000
#: The longest side of an image an answer may describe, in pixels (whole-slide scans reach
#: 200,000): every coordinate inside it, and every sum and area of them, stays exact.
MAX_IMAGE_SIDE = 1_000_000


def json_object(value: Any, field: str, expected: str) -> dict[str, Any]:
    """``value`` as a JSON object; ``expected`` shows the shape wanted in the message."""
    if not isinstance(value, dict):
        raise BadInput(f"{field}: must be a JSON object like {expected}")
    return value


def json_list(value: Any, field: str, *, most: int = MAX_PARTS) -> list[Any]:
    """``value`` as a JSON array of at most ``most`` entries."""
    if not isinstance(value, list):
        raise BadInput(f"{field}: must be a JSON array")
    if len(value) > most:
        raise BadInput(f"{field}: at most {most:,} entries, got {len(value):,}")
    return value


def exact_fields(
    value: dict[str, Any],
    field: str,
    expected: str,
    keys: Sequence[str],
    *,
    optional: Sequence[str] = (),
) -> None:
    """Refuse an object that lacks one of ``keys`` or has a key that is neither one of
    them nor one of the ``optional`` ones.

    ``field`` is the object's own path, so the message names ``<field>.<key>``.
    """
    for key in keys:
        if key not in value:
            raise BadInput(f"{field}.{key}: missing; expected {expected}")
    unknown = sorted(set(value) - set(keys) - set(optional))
    if unknown:
        raise BadInput(f"{field}.{unknown[0]}: unknown field; expected {expected}")


def job_label(value: Any, field: str, labels: Sequence[str]) -> str:
    """``value`` as one of the job's label categories."""
    if not isinstance(value, str):
        raise BadInput(f"{field}: must be a string naming a category")
    if value not in labels:
        raise BadInput(f"{field}: {value!r} is not one of this job's labels ({', '.join(labels)})")
    return value


def number(value: Any, field: str, *, positive: bool = False) -> int | float:
    """``value`` as a finite JSON number at least 0 (above 0 if ``positive``) and, an
    integer, within a float's range (``1`` and 309 zeros is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{field}: must be a number")
    try:
        finite = math.isfinite(value)
    except OverflowError:
        raise BadInput(f"{field}: {_shown(value)} is out of range") from None
    if not finite:
        raise BadInput(f"{field}: must be a number")
    if positive and value <= 0:
        raise BadInput(f"{field}: must be above 0, got {value:g}")
    if value < 0:
        raise BadInput(f"{field}: must be at least 0, got {value:g}")
    return value


def _shown(value: int | float) -> str:
    """An integer for a message: its digits, or how many there are when it is long."""
    digits = str(abs(value))
    return f"{value:,}" if len(digits) <= 15 else f"a {len(digits):,}-digit number"


def integer(value: Any, field: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """``value`` as a JSON integer from ``minimum`` to ``maximum`` (a whole float like
    ``3.0`` is accepted and returned as ``3``)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{field}: must be a whole number")
    if value < minimum:
        raise BadInput(f"{field}: must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise BadInput(f"{field}: must be at most {maximum:,}, got {_shown(value)}")
    return value


#: The shape of the crowd elements' ``inputImageProperties``.
IMAGE_SHAPE = '{"width", "height"}'


def image_size(value: Any, field: str = "answer.inputImageProperties") -> tuple[int, int]:
    """``value`` as an image element's ``inputImageProperties``: the image's ``(width,
    height)`` in whole pixels, each at most :data:`MAX_IMAGE_SIDE`."""
    image = json_object(value, field, IMAGE_SHAPE)
    exact_fields(image, field, IMAGE_SHAPE, ("width", "height"))
    return (
        integer(image["width"], f"{field}.width", minimum=1, maximum=MAX_IMAGE_SIDE),
        integer(image["height"], f"{field}.height", minimum=1, maximum=MAX_IMAGE_SIDE),
    )


def same_image_size(answer: Mapping[str, Any], item: ItemSource) -> tuple[int, int]:
    """The item's image size, which the answer's ``inputImageProperties`` must give
    (:class:`BadInput` naming the field otherwise); the answer's size where the image
    cannot be read."""
    claimed = (answer["inputImageProperties"]["width"], answer["inputImageProperties"]["height"])
    real = item.image_size()
    if real is None:
        return claimed
    if claimed != real:
        raise BadInput(
            f"answer.inputImageProperties: {claimed[0]}x{claimed[1]}, but the item's image "
            f"is {real[0]}x{real[1]}"
        )
    return real


def part_confidences(consolidated: Consolidated, key: str, parts: int) -> list[dict[str, Any]]:
    """Ground Truth's per-part confidences (``objects``, ``entities``): the algorithm's
    ``details[key]`` when it has one entry per part; otherwise (say, a custom
    consolidation) the item's confidence for each of the ``parts``."""
    given = consolidated.details.get(key)
    if isinstance(given, list) and len(given) == parts:
        return list(given)
    return [{"confidence": consolidated.confidence} for _ in range(parts)]

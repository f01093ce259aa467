"""Built-in task type ``semantic-segmentation``: paint the pixels of an image with the job's
classes.

The manifest line names the image under ``source-ref``; the worker paints in Ground Truth's
``crowd-semantic-segmentation`` element and answers with its output::

    {"labeledImage": {"pngImageData": "<base64 PNG>"},
     "labelMappings": {"Bird": {"color": "#ff7f0e"}},
     "inputImageProperties": {"width": 680, "height": 1024}}

The PNG (RGBA from Ground Truth's element) is the painted mask: a pixel of a label's
``labelMappings`` colour belongs to that label, any other pixel is background. Validation
reads the PNG's header first: it is at most :data:`MAX_PNG_BYTES` (Ground Truth's image
limit), its chunk checksums are checked and its size must be the item's image's (read
from storage), at most :data:`MAX_PIXELS` (Ground Truth's resolution limit); only then is
it decoded whole, so a truncated mask is refused at submit. Each
``labelMappings`` key is one of the job's labels, with a ``#rrggbb`` colour of its own.

The label is a reference (``label_is_reference``). The consolidated mask (``pixel-vote``'s
palettised PNG, whose pixel values are class indices) is written to ``<output>/<job>/
annotations/consolidated-annotation/output/<item index>_<timestamp>.png``, and the output
line is Ground Truth's ``groundtruth/semantic-segmentation`` line: the mask's URL under the
label attribute, whose name ends with ``-ref``, and ``internal-color-map`` in its metadata.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
import warnings
from collections.abc import Sequence
from typing import Any

from PIL import Image, UnidentifiedImageError

from quorum import hookimpl
from quorum.answer_checks import (
    exact_fields,
    image_size,
    job_label,
    json_object,
    same_image_size,
)
from quorum.colors import MAX_MASK_LABELS, internal_color_map
from quorum.consensus import Consolidated
from quorum.errors import BadInput
from quorum.item_source import ItemSource
from quorum.label_kinds import INTERNAL_COLOR_MAP, LabelKind
from quorum.tasktypes import LabelObject, TaskType

ANSWER_SHAPE = (
    '{"labeledImage": {"pngImageData"}, "labelMappings": {"<label>": {"color"}}, '
    '"inputImageProperties": {"width", "height"}}'
)
IMAGE_DATA_SHAPE = '{"pngImageData": "<base64 PNG>"}'
MAPPINGS_SHAPE = '{"<label>": {"color": "#rrggbb"}}'
MAPPING_SHAPE = '{"color": "#rrggbb"}'
#: The largest PNG an answer may carry: Ground Truth's limit on an image file, 40 MB.
MAX_PNG_BYTES = 40 * 1024 * 1024
#: The most pixels an image may have: Ground Truth's limit, 100 Mpx.
MAX_PIXELS = 100_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
#: What Pillow raises on a damaged PNG while reading its header or checking its chunks.
DAMAGED = (OSError, SyntaxError, EOFError, ValueError, struct.error, Image.DecompressionBombError)


class SemanticSegmentation(TaskType):
    """Every pixel of an image labeled with a class (``groundtruth/semantic-segmentation``)."""

    name = "semantic-segmentation"
    description = "Paint the pixels of an image with the job's classes."
    label_kind = LabelKind.MASK
    output_type = "groundtruth/semantic-segmentation"
    element = "crowd-semantic-segmentation"
    source_key = "source-ref"
    default_consensus = "pixel-vote"
    min_labels = 1
    #: A palettised PNG holds the background and 255 classes. (Ground Truth's API limits
    #: semantic segmentation to 20 labels with auto-labeling only, which Quorum does not
    #: offer for masks.)
    max_labels = MAX_MASK_LABELS
    label_is_reference = True

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Accept the element's output: a PNG the size of the image, and a colour for each
        of the job's labels painted."""
        answer = json_object(answer, "answer", ANSWER_SHAPE)
        keys = ("labeledImage", "labelMappings", "inputImageProperties")
        exact_fields(answer, "answer", ANSWER_SHAPE, keys)
        width, height = image_size(answer["inputImageProperties"])
        if width * height > MAX_PIXELS:
            raise BadInput(
                f"answer.inputImageProperties: {width}x{height} is over "
                f"{MAX_PIXELS // 1_000_000} Mpx, the largest image a job may have"
            )
        return {
            "labeledImage": {"pngImageData": _png_data(answer["labeledImage"], (width, height))},
            "labelMappings": _label_mappings(answer["labelMappings"], labels),
            "inputImageProperties": {"width": width, "height": height},
        }

    def check_against_item(self, answer: dict[str, Any], item: ItemSource) -> None:
        """The mask is the size of the item's image and decodes whole: a PNG whose data
        is cut short or damaged past its header is refused here, not at consolidation,
        and decoding is bounded by the real image's pixels (a 10,000 x 10,000 mask for a
        64 x 48 image is refused before it is decoded)."""
        width, height = same_image_size(answer, item)
        field = "answer.labeledImage.pngImageData"
        data = base64.b64decode(answer["labeledImage"]["pngImageData"])
        try:
            with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
                if image.size != (width, height):  # validate_answer checked it; no surprise
                    raise BadInput(f"{field}: the PNG is not {width}x{height} pixels")
                image.load()
        except DAMAGED as exc:
            raise BadInput(f"{field}: the PNG cannot be decoded ({exc})") from None

    def label_object(self, consolidated: Consolidated, labels: Sequence[str]) -> LabelObject:
        """The consolidated mask (the algorithm's value: PNG bytes) as a ``.png`` object."""
        if not isinstance(consolidated.value, bytes):
            raise TypeError(
                f"{self.name}: a consolidated mask is PNG bytes, "
                f"got {type(consolidated.value).__name__}"
            )
        return LabelObject(data=consolidated.value, extension=".png", content_type="image/png")

    def output_label(
        self, consolidated: Consolidated, labels: Sequence[str]
    ) -> tuple[Any, dict[str, Any]]:
        """The mask's URL, with Ground Truth's ``internal-color-map``: the algorithm's, or
        for a consolidation that gave none (say, a custom one) the map of ``pixel-vote``'s
        palette with the item's confidence."""
        color_map = consolidated.details.get(INTERNAL_COLOR_MAP)
        if color_map is None:
            color_map = internal_color_map(labels, consolidated.confidence)
        return consolidated.value, {INTERNAL_COLOR_MAP: color_map}


def _png_data(value: Any, size: tuple[int, int]) -> str:
    """The base64 PNG of ``labeledImage``, checked to be a PNG of ``size`` pixels."""
    image = json_object(value, "answer.labeledImage", IMAGE_DATA_SHAPE)
    exact_fields(image, "answer.labeledImage", IMAGE_DATA_SHAPE, ("pngImageData",))
    field = "answer.labeledImage.pngImageData"
    text = image["pngImageData"]
    if not isinstance(text, str):
        raise BadInput(f"{field}: must be a string of base64 PNG data")
    if len(text) > 4 * -(-MAX_PNG_BYTES // 3):  # the base64 length of MAX_PNG_BYTES
        raise BadInput(f"{field}: the PNG is over {MAX_PNG_BYTES // 2**20} MB")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise BadInput(f"{field}: not valid base64") from None
    found = _png_size(data, field)
    if found != size:
        raise BadInput(
            f"{field}: the PNG is {found[0]}x{found[1]} pixels, but "
            f"answer.inputImageProperties says {size[0]}x{size[1]}"
        )
    return text


def _png_size(data: bytes, field: str) -> tuple[int, int]:
    """The size of the PNG ``data``, read from its header; its chunks' checksums are
    checked but its pixels are not decoded."""
    if not data.startswith(PNG_SIGNATURE):
        raise BadInput(f"{field}: not a PNG")
    try:
        with warnings.catch_warnings():  # the size is checked against MAX_PIXELS and the item
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG"])
        with image:
            size = image.size
            image.verify()
    except UnidentifiedImageError:
        raise BadInput(f"{field}: not a PNG (its header cannot be read)") from None
    except DAMAGED as exc:
        raise BadInput(f"{field}: a damaged PNG ({exc})") from None
    return size


def _label_mappings(value: Any, labels: Sequence[str]) -> dict[str, dict[str, str]]:
    """``labelMappings``: each key one of the job's labels, each colour its own."""
    mappings = json_object(value, "answer.labelMappings", MAPPINGS_SHAPE)
    owners: dict[str, str] = {}
    for label, mapping in mappings.items():
        job_label(label, "answer.labelMappings", labels)
        field = f"answer.labelMappings.{label}"
        exact_fields(json_object(mapping, field, MAPPING_SHAPE), field, MAPPING_SHAPE, ("color",))
        color = mapping["color"]
        if not isinstance(color, str) or not COLOR.fullmatch(color):
            raise BadInput(f"{field}.color: must be a colour like #rrggbb, got {color!r}")
        owner = owners.setdefault(color.lower(), label)
        if owner != label:
            raise BadInput(f"{field}.color: {color} is already {owner!r}'s colour")
    return {label: {"color": mapping["color"]} for label, mapping in mappings.items()}


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``semantic-segmentation``."""
    return [SemanticSegmentation]

"""What a worker's answer is checked against beyond the job: the item it answers.

:meth:`quorum.tasktypes.TaskType.check_against_item` gets an :class:`ItemSource` at
submit, after ``validate_answer``: the item's manifest line, and the size of the image its
``source-ref`` names, read on demand (only the image's header is decoded). So a box or a
mask is checked against the real image, not against the size the answer claims, and a
span against the text's length.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from quorum.errors import QuorumError
from quorum.storage import Storage

logger = logging.getLogger("quorum.tasks")


@dataclass(frozen=True)
class ItemSource:
    """An item as an answer check sees it."""

    #: The item's manifest line.
    line: Mapping[str, Any]
    #: The ``(width, height)`` of the item's image (``source-ref``), read when called;
    #: ``None`` if the item has no image that Pillow can read (then only what the answer
    #: says of the image can be checked).
    image_size: Callable[[], tuple[int, int] | None]


def item_source(line: Mapping[str, Any], storage: Storage) -> ItemSource:
    """The :class:`ItemSource` of the manifest ``line``, reading its image from
    ``storage`` only if a check asks for its size."""

    def image_size() -> tuple[int, int] | None:
        url = line.get("source-ref")
        if not isinstance(url, str):
            return None
        try:
            with Image.open(io.BytesIO(storage.read_bytes(url))) as image:
                return image.size
        except (UnidentifiedImageError, OSError, QuorumError):
            logger.warning("the image %s cannot be read; answers to it are not checked", url)
            return None

    return ItemSource(line=line, image_size=image_size)

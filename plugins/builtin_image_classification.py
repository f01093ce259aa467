"""Built-in task type ``image-classification``: choose one category for an image.

The manifest line names the image under ``source-ref``; the worker sees it in Ground Truth's
``crowd-image-classifier`` element, through a presigned or signed URL.
"""

from __future__ import annotations

from collections.abc import Sequence

from quorum import hookimpl
from quorum.tasktypes import SingleLabelClassification, TaskType


class ImageClassification(SingleLabelClassification):
    """One category per image (``groundtruth/image-classification``)."""

    name = "image-classification"
    description = "Choose one category for an image."
    output_type = "groundtruth/image-classification"
    element = "crowd-image-classifier"
    source_key = "source-ref"


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``image-classification``."""
    return [ImageClassification]

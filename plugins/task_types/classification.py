"""Built-in task types ``text-classification`` and ``image-classification``: choose one
category for a text or an image.

A text comes inline under ``source`` and is shown in Ground Truth's ``crowd-classifier``;
an image is named under ``source-ref`` and shown in ``crowd-image-classifier``, through a
presigned or signed URL. Everything else is :class:`quorum.tasktypes.SingleLabelClassification`.

The two are separate plugins (entry points ``builtin_text_classification`` and
``builtin_image_classification``), so ``QUORUM_DISABLED_PLUGINS`` can turn off either one:
each entry point names one of the plugin objects at the end of this module.
"""

from __future__ import annotations

from collections.abc import Sequence

from quorum import hookimpl
from quorum.tasktypes import SingleLabelClassification, TaskType


class TextClassification(SingleLabelClassification):
    """One category per text (``groundtruth/text-classification``)."""

    name = "text-classification"
    description = "Choose one category for a text."
    output_type = "groundtruth/text-classification"
    element = "crowd-classifier"
    source_key = "source"


class ImageClassification(SingleLabelClassification):
    """One category per image (``groundtruth/image-classification``)."""

    name = "image-classification"
    description = "Choose one category for an image."
    output_type = "groundtruth/image-classification"
    element = "crowd-image-classifier"
    source_key = "source-ref"


class _TaskTypePlugin:
    """A plugin that registers one task type class."""

    def __init__(self, task_type: type[TaskType]) -> None:
        self._task_type = task_type

    @hookimpl
    def quorum_task_types(self) -> Sequence[type[TaskType]]:
        """Register this plugin's task type."""
        return [self._task_type]


#: Entry point ``builtin_text_classification``.
text_classification = _TaskTypePlugin(TextClassification)
#: Entry point ``builtin_image_classification``.
image_classification = _TaskTypePlugin(ImageClassification)

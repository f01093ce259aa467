"""Built-in task type ``text-classification``: choose one category for a text.

The manifest line carries the text inline under ``source``; the worker sees it in Ground
Truth's ``crowd-classifier`` element.
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


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``text-classification``."""
    return [TextClassification]

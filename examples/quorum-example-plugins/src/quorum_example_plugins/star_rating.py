"""A third-party task type with its own labeling element, as an organization would write
one: the browser tests load this folder with --plugins-dir."""

from __future__ import annotations

from collections.abc import Sequence

from quorum import hookimpl
from quorum.tasktypes import SingleLabelClassification, TaskType


class StarRating(SingleLabelClassification):
    """Rate a text from one to five stars (the job's labels, worst first)."""

    name = "star-rating"
    description = "Rate a text with stars."
    output_type = "groundtruth/text-classification"
    element = "acme-star-rating"
    element_module = "star_rating.js"
    source_key = "source"


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``star-rating``."""
    return [StarRating]

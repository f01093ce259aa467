"""The ``star-rating`` task type: a text rated from one to five stars, in the plugin's own
labeling element ``<acme-star-rating>`` (``star_rating.js``, beside this file).

The job's labels are the stars, worst first (``["awful", "poor", "fine", "good",
"great"]``). Answers, consensus and the output line are single-label classification's:
the task type only brings its own element, which the server serves at
``/elements/star-rating.js`` and the worker portal imports before it shows a task.
"""

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

"""Built-in task type ``custom``: the job's own worker template, Ground Truth's custom task.

The job carries a Liquid HTML template (:mod:`quorum.templates`) that the worker portal
renders for each task; the answer is what the template's form holds, by element name
(``{"<name>": <value>, ...}``), as Ground Truth's ``crowd-form`` submits it. Any JSON
object is accepted (the request size limit bounds it). A manifest line may give its data
inline (``source``) or as an object (``source-ref``), or neither: a template may read any
key of ``task.input.manifestLine``.

The output is Ground Truth's ``groundtruth/custom`` line: the consolidated answer under the
label attribute, and metadata with only ``type``, ``job-name``, ``human-annotated`` and
``creation-date`` (Ground Truth leaves the rest to the post-annotation Lambda; here, to a
``quorum_post_annotation`` plugin or the ``identical-answers`` consensus).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from quorum import hookimpl
from quorum.consensus import Consolidated
from quorum.tasktypes import TaskType


class CustomTask(TaskType):
    """A task rendered by the job's own Liquid template; the answer is the form's values."""

    name = "custom"
    description = (
        "Your own worker template (Ground Truth's Liquid HTML with crowd elements); the "
        "answer is what its form holds."
    )
    label_kind = "custom"
    output_type = "groundtruth/custom"
    element = "crowd-form"
    default_consensus = "identical-answers"
    min_labels = 0
    requires_template: ClassVar[bool] = True

    def accepts_source(self, key: str | None) -> bool:
        """Inline ``source``, an object under ``source-ref``, or no source at all."""
        return True

    def output_label(
        self, consolidated: Consolidated, labels: Sequence[str]
    ) -> tuple[Any, dict[str, Any]]:
        """The answer as it is, with no task-specific metadata (Ground Truth's custom
        output)."""
        return consolidated.value, {}


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``custom``."""
    return [CustomTask]

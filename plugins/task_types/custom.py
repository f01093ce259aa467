"""Built-in task type ``custom``: the job's own worker template, Ground Truth's custom task.

The job carries a Liquid HTML template (:mod:`quorum.templates`) that the worker portal
renders for each task; the answer is what the template's form holds, by element name
(``{"<name>": <value>, ...}``), as Ground Truth's ``crowd-form`` submits it. Any JSON
object of at most 64 KiB and 20 levels of nesting is accepted. A manifest line may give its data
inline (``source``) or as an object (``source-ref``), or neither: a template may read any
key of ``task.input.manifestLine``.

The output is Ground Truth's ``groundtruth/custom`` line: the consolidated answer under the
label attribute, and metadata with only ``type``, ``job-name``, ``human-annotated`` and
``creation-date`` (Ground Truth leaves the rest to the post-annotation Lambda; here, to a
``quorum_post_annotation`` plugin or the ``identical-answers`` consensus).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from quorum import hookimpl
from quorum.consensus import Consolidated
from quorum.errors import BadInput
from quorum.label_kinds import LabelKind
from quorum.tasktypes import TaskType

#: The largest answer a worker may submit, as JSON text, and its deepest nesting.
MAX_ANSWER_BYTES = 64 * 1024
MAX_ANSWER_DEPTH = 20


def _depth(value: Any) -> int:
    """How many levels of objects and lists ``value`` nests (0 for a plain value)."""
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    return 0


class CustomTask(TaskType):
    """A task rendered by the job's own Liquid template; the answer is the form's values."""

    name = "custom"
    description = (
        "Your own worker template (Ground Truth's Liquid HTML with crowd elements); the "
        "answer is what its form holds."
    )
    label_kind = LabelKind.CUSTOM
    output_type = "groundtruth/custom"
    element = "crowd-form"
    default_consensus = "identical-answers"
    min_labels = 0
    requires_template: ClassVar[bool] = True

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Any JSON object of at most ``MAX_ANSWER_BYTES`` (as JSON text) and
        ``MAX_ANSWER_DEPTH`` levels of nesting: it is stored with the task and copied into
        the output manifest, so it must stay an answer, not a payload."""
        checked = super().validate_answer(answer, labels)
        size = len(json.dumps(checked, ensure_ascii=False).encode())
        if size > MAX_ANSWER_BYTES:
            raise BadInput(
                f"answer: {size:,} bytes of JSON; a custom task's answer may have at most "
                f"{MAX_ANSWER_BYTES:,}"
            )
        if _depth(checked) > MAX_ANSWER_DEPTH:
            raise BadInput(f"answer: nested deeper than {MAX_ANSWER_DEPTH} levels")
        return checked

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

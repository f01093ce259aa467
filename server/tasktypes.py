"""The base class of task types, and the single-label classification family.

A task type brings everything the core must know about one kind of labeling work: which
manifest key it reads, its crowd element, how an answer is validated, and how a
consolidated label is written into the output manifest (Ground Truth's shape). Plugins
return subclasses from :func:`quorum.hookspecs.quorum_task_types`.

Most labels are written into the output line itself. A task type with
:attr:`TaskType.label_is_reference` (semantic segmentation) has its label written as an
object of its own (a :class:`LabelObject`, from :meth:`TaskType.label_object`) under
``<output>/<job>/annotations/consolidated-annotation/output/``, and the output line names
its URL, under a label attribute that ends with ``-ref``, as Ground Truth does.

A task type that :attr:`TaskType.audits_labels` (label verification, bounding-box
adjustment) shows workers a previous job's label read from the manifest line
(:meth:`TaskType.audit_input`), and may add metadata drawn from the answers themselves
(:meth:`TaskType.answers_metadata`: comments, ``adjustment-status``).
"""

from __future__ import annotations

import base64
import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from quorum.consensus import Consolidated
from quorum.errors import BadInput
from quorum.item_source import ItemSource
from quorum.label_kinds import LabelKind
from quorum.limits import MAX_COMMENT_CHARS, MAX_LABEL_CHARS, MAX_LABELS, check_text


@dataclass(frozen=True)
class LabelObject:
    """A consolidated label written as an object of its own (Ground Truth's ``-ref``
    labels, such as a semantic-segmentation mask)."""

    #: The object's bytes.
    data: bytes
    #: The end of the object's name, dot included: ``.png``.
    extension: str
    #: The object's media type: ``image/png``.
    content_type: str

    def data_url(self) -> str:
        """The object inline, as an RFC 2397 ``data:<type>;base64,...`` URL: how a label
        names its object where there is no storage to write it to (``quorum
        consolidate``)."""
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode()}"


class TaskType:
    """A kind of labeling work. Subclass it; every method has a safe default.

    One instance, made at startup (with no arguments), serves every job, from the server's
    request threads and the runner's thread at once: keep no per-job state on ``self``, and
    whatever it does keep must be safe to share between threads.

    What the core does when a method raises:

    - :meth:`validate_labels` (``createJob``), :meth:`validate_answer` and
      :meth:`check_against_item` (``submitTask``): a :class:`BadInput` is the request's
      ``BAD_INPUT`` error, with its message naming the field; any other exception is an
      ``INTERNAL`` error, its traceback in the server log. ``quorum consolidate`` prints a
      :class:`BadInput` of :meth:`validate_answer` with the line's number.
    - :meth:`audit_input` (ingest): a :class:`BadInput` fails the job, its
      ``failureReason`` naming the manifest line; any other exception is logged ("runner
      pass failed") and ingest is tried again on the runner's next pass.
    - :meth:`output_label`, :meth:`label_object` and :meth:`answers_metadata`
      (consolidation): the item is ``FAILED`` with ``failureReason`` "<task type> could
      not write this label: <error>", and the other items go on. They get only labels
      that :func:`quorum.label_kinds.check_consolidated` let through.
    """

    #: Unique, lowercase, as used in ``createJob(input: {taskType})``.
    name: ClassVar[str]
    #: One line for people choosing a task type.
    description: ClassVar[str] = ""
    #: What consensus algorithms must understand, and the shapes of the answers and labels
    #: (:mod:`quorum.label_kinds`).
    label_kind: ClassVar[LabelKind]
    #: The ``type`` written in output metadata, e.g. ``groundtruth/image-classification``.
    output_type: ClassVar[str]
    #: The crowd element that renders the task, e.g. ``crowd-image-classifier``.
    element: ClassVar[str]
    #: For a task type whose element is not one of the portal's own (web/elements/): the
    #: ES module file that defines it, a path relative to the folder of the Python module
    #: that defines the task type (or absolute). The server serves it at
    #: ``/elements/<task type>.js`` and the portal imports it before showing a task. The
    #: element follows the portal's convention: ``applyTask(task)``, ``value``, ``valid``,
    #: optionally ``onKey(event)`` and ``shortcuts``, and fires ``change``.
    element_module: ClassVar[str | None] = None
    #: The key of the answer in Ground Truth's worker responses (``answerContent``), where
    #: it is not the element's name (bounding boxes: ``boundingBox``).
    answer_key: ClassVar[str | None] = None
    #: The manifest key the task reads: ``source-ref`` (objects) or ``source`` (inline text).
    source_key: ClassVar[str] = "source-ref"
    #: The consensus algorithm used when a job names none.
    default_consensus: ClassVar[str] = "majority-vote"
    #: Fewest label categories a job of this type may have.
    min_labels: ClassVar[int] = 1
    #: Most label categories a job of this type may have (:data:`quorum.limits.MAX_LABELS`
    #: unless the task type says fewer).
    max_labels: ClassVar[int] = MAX_LABELS
    #: Whether the label is a reference: written as an object of its own
    #: (:meth:`label_object`) before the item is labeled, with the output line naming the
    #: object's URL. Ground Truth requires the label attribute name of such a task type to
    #: end with ``-ref``, and every other task type's not to (GROUNDTRUTH.md 1.3).
    label_is_reference: ClassVar[bool] = False
    #: Whether a job of this type must bring its own worker template (``createJob``'s
    #: ``template``; :mod:`quorum.templates`).
    requires_template: ClassVar[bool] = False
    #: Whether a job of this type audits a previous job's label (verifies or adjusts it):
    #: the job names the manifest attribute holding that label in
    #: ``auditLabelAttributeName`` (Ground Truth's name for the label attribute of the job
    #: being audited), every line workers see must carry it, :meth:`audit_input` shows it
    #: to them, and the job's own label attribute must be another one.
    audits_labels: ClassVar[bool] = False

    def element_file(self) -> Path | None:
        """The file :attr:`element_module` names, resolved; ``None`` without one."""
        if self.element_module is None:
            return None
        return (Path(inspect.getfile(type(self))).parent / self.element_module).resolve()

    def accepts_source(self, key: str | None) -> bool:
        """Whether a manifest line holding its data under ``key`` (``source-ref``,
        ``source``, or ``None`` for neither) suits this task type; by default only
        :attr:`source_key` does."""
        return key == self.source_key

    def validate_labels(self, labels: Sequence[str]) -> None:
        """Raise :class:`BadInput` naming the problem if ``labels`` cannot be used."""
        if len(labels) < self.min_labels:
            raise BadInput(
                f"labels: {self.name} needs at least {self.min_labels} label categories, "
                f"got {len(labels)}"
            )
        if len(labels) > self.max_labels:
            raise BadInput(
                f"labels: {self.name} allows at most {self.max_labels:,} categories, "
                f"got {len(labels):,}"
            )
        seen: set[str] = set()
        for index, label in enumerate(labels):
            if not label.strip():
                raise BadInput(f"labels[{index}]: a label category cannot be empty")
            check_text(label, f"labels[{index}]", MAX_LABEL_CHARS)
            if label in seen:
                raise BadInput(f"labels[{index}]: {label!r} is listed twice")
            seen.add(label)

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Check a worker's answer and return it normalised; raise :class:`BadInput` naming
        the wrong field. The default accepts any JSON object."""
        if not isinstance(answer, dict):
            raise BadInput("answer: must be a JSON object")
        return answer

    def check_against_item(self, answer: dict[str, Any], item: ItemSource) -> None:
        """Check the answer ``validate_answer`` returned against the item it answers (its
        manifest line, its image's size); raise :class:`BadInput` naming the field that
        does not fit. Called at submit only. The default checks nothing."""

    def audit_input(
        self, line: Mapping[str, Any], attribute: str, labels: Sequence[str]
    ) -> dict[str, Any]:
        """The task input that shows a worker the previous label to audit: the value under
        ``attribute`` of the manifest ``line`` (with ``<attribute>-metadata`` beside it),
        for a job with the given ``labels``. Only called for a task type that
        :attr:`audits_labels`, at ingest, for every line workers will see, once the core has
        checked that the line carries ``attribute``; it is stored with the item and merged
        into ``Task.input`` (a pre-annotation hook's fields go on top).

        Raise :class:`BadInput` with a message that starts with the path of the unusable
        part (``category.annotations[2].width: must be above 0``); the job then fails
        with the line's number. The default shows nothing.
        """
        return {}

    def answers_metadata(
        self, answers: Sequence[Mapping[str, Any]], task_input: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """Metadata fields drawn from an item's answers themselves rather than from its
        consolidated label, added after the common fields (verification: the workers'
        comments; adjustment: whether anyone changed the previous label).

        ``answers`` are the item's validated answers, oldest first (none for a label not
        given by workers, such as a gold item's); ``task_input`` is what the item's task
        input held beyond the manifest line (:meth:`audit_input`'s fields, what a
        pre-annotation hook added), or ``None`` where it is not known (``quorum
        consolidate``). The default adds nothing.
        """
        return {}

    def output_label(
        self, consolidated: Consolidated, labels: Sequence[str]
    ) -> tuple[Any, dict[str, Any]]:
        """The label value and the task-specific metadata fields for the output manifest.

        The core adds ``type``, ``job-name``, ``human-annotated`` and ``creation-date``.
        For a task type whose :attr:`label_is_reference`, ``consolidated.value`` is the
        URL of the label's object (see :meth:`label_object`), not the algorithm's value.
        """
        return consolidated.value, {"confidence": consolidated.confidence}

    def label_object(self, consolidated: Consolidated, labels: Sequence[str]) -> LabelObject:
        """The object a reference label is written as; only called when
        :attr:`label_is_reference` is set.

        The runner writes it to ``<output>/<job>/annotations/consolidated-annotation/
        output/<item index>_<timestamp><extension>`` before it marks the item labeled, then
        calls :meth:`output_label` with the value replaced by the object's URL (``quorum
        consolidate``, which has no storage, gives a ``data:`` URL instead). The default
        writes the algorithm's value as JSON.
        """
        return LabelObject(
            data=json.dumps(consolidated.value).encode(),
            extension=".json",
            content_type="application/json",
        )


class SingleLabelClassification(TaskType):
    """Choose one category: Ground Truth's image and text classification.

    The answer is ``{"label": "<category>"}``; the output value is the category's integer
    index in the job's label list, with ``class-name`` and ``confidence`` in the metadata.
    """

    label_kind = LabelKind.SINGLE_LABEL
    min_labels = 2
    #: Ground Truth's classification consolidation: EM over worker confusion matrices.
    default_consensus = "dawid-skene"

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Accept ``{"label": <one of the job's categories>}`` (an optional
        ``workerComment`` string is kept)."""
        answer = super().validate_answer(answer, labels)
        if "label" not in answer:
            raise BadInput('answer.label: missing; expected {"label": "<category>"}')
        label = answer["label"]
        if not isinstance(label, str):
            raise BadInput("answer.label: must be a string naming a category")
        if label not in labels:
            raise BadInput(
                f"answer.label: {label!r} is not one of this job's labels ({', '.join(labels)})"
            )
        cleaned: dict[str, Any] = {"label": label}
        comment = answer.get("workerComment")
        if comment is not None:
            if not isinstance(comment, str):
                raise BadInput("answer.workerComment: must be a string")
            check_text(comment, "answer.workerComment", MAX_COMMENT_CHARS)
            cleaned["workerComment"] = comment
        unknown = sorted(set(answer) - {"label", "workerComment"})
        if unknown:
            raise BadInput(f"answer.{unknown[0]}: unknown field for {self.name}")
        return cleaned

    def output_label(
        self, consolidated: Consolidated, labels: Sequence[str]
    ) -> tuple[Any, dict[str, Any]]:
        """The class index, with ``class-name`` and ``confidence``."""
        name = str(consolidated.value)
        return labels.index(name), {"class-name": name, "confidence": consolidated.confidence}


def answer_content(task_type: TaskType, answer: Mapping[str, Any]) -> dict[str, Any]:
    """Ground Truth's ``answerContent``: the answer under the task type's answer key (the
    crowd element's name unless the task type says otherwise)."""
    return {task_type.answer_key or task_type.element: dict(answer)}

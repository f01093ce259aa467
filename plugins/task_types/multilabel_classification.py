"""Built-in task types ``image-classification-multilabel`` and
``text-classification-multilabel``: choose every category that applies.

The worker sees Ground Truth's ``crowd-image-classifier-multi-select`` (an image under
``source-ref``) or ``crowd-classifier-multi-select`` (inline text under ``source``) and
answers ``{"labels": [<category>, ...]}``; an empty list is "none of these" (the element's
``exclusion-category``).

The output value is the list of class indices (indexes in the job's labels) of the
consolidated categories, as Ground Truth writes it (``[1, 0, 8]``), with ``class-map`` and
``confidence-map`` in the metadata, both keyed by the index as a string.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from quorum import hookimpl
from quorum.answer_checks import exact_fields, job_label, json_list, json_object
from quorum.consensus import Consolidated
from quorum.errors import BadInput
from quorum.label_kinds import CONFIDENCE_MAP, LabelKind, MultiLabelValue
from quorum.tasktypes import TaskType

ANSWER_SHAPE = '{"labels": ["<category>", ...]}'


class MultiLabelClassification(TaskType):
    """Choose any number of categories: Ground Truth's multi-label classification."""

    label_kind = LabelKind.MULTI_LABEL
    default_consensus = "multi-label-vote"
    min_labels = 2
    #: Ground Truth's limit for multi-label jobs (``CreateLabelingJob``).
    max_labels = 50

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Accept ``{"labels": [...]}``: each one of the job's categories, none twice; an
        empty list means none of them applies."""
        answer = json_object(answer, "answer", ANSWER_SHAPE)
        exact_fields(answer, "answer", ANSWER_SHAPE, ("labels",))
        chosen: list[str] = []
        for index, value in enumerate(json_list(answer["labels"], "answer.labels")):
            label = job_label(value, f"answer.labels[{index}]", labels)
            if label in chosen:
                raise BadInput(f"answer.labels[{index}]: {label!r} is chosen twice")
            chosen.append(label)
        return {"labels": chosen}

    def output_label(
        self, consolidated: Consolidated, labels: Sequence[str]
    ) -> tuple[Any, dict[str, Any]]:
        """The class indices, with ``class-map`` and ``confidence-map`` keyed by index.

        A category the algorithm gave no confidence of its own (say, a custom
        consolidation) gets the item's confidence."""
        names = cast(MultiLabelValue, consolidated.value)  # checked by the core
        by_name = consolidated.details.get(CONFIDENCE_MAP, {})
        indices = [labels.index(name) for name in names]
        return indices, {
            "class-map": {str(index): labels[index] for index in indices},
            "confidence-map": {
                str(index): by_name.get(labels[index], consolidated.confidence) for index in indices
            },
        }


class ImageClassificationMultiLabel(MultiLabelClassification):
    """Every category that applies to an image
    (``groundtruth/image-classification-multilabel``)."""

    name = "image-classification-multilabel"
    description = "Choose every category that applies to an image."
    output_type = "groundtruth/image-classification-multilabel"
    element = "crowd-image-classifier-multi-select"
    source_key = "source-ref"


class TextClassificationMultiLabel(MultiLabelClassification):
    """Every category that applies to a text
    (``groundtruth/text-classification-multilabel``)."""

    name = "text-classification-multilabel"
    description = "Choose every category that applies to a text."
    output_type = "groundtruth/text-classification-multilabel"
    element = "crowd-classifier-multi-select"
    source_key = "source"


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``image-classification-multilabel`` and ``text-classification-multilabel``."""
    return [ImageClassificationMultiLabel, TextClassificationMultiLabel]

"""Built-in task type ``named-entity-recognition``: mark the entities in a text.

The manifest line carries the text inline under ``source``; the worker marks spans in
Ground Truth's ``crowd-entity-annotation`` element and answers with its output::

    {"entities": [{"label": "PERSON", "startOffset": 0, "endOffset": 13}]}

Offsets are Unicode code points, ``endOffset`` exclusive. A worker's entities may not
overlap (the element does not let them). No entities at all is a valid answer.

The output is Ground Truth's ``groundtruth/text-span`` line: the value
``{"annotations": {"entities": [...], "labels": [{"label": ...}, ...]}}`` (``labels``
echoes the job's categories) with ``entities`` (one confidence per entity, parallel) in
the metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any, cast

from quorum import hookimpl
from quorum.answer_checks import (
    exact_fields,
    integer,
    job_label,
    json_list,
    json_object,
    part_confidences,
)
from quorum.consensus import Consolidated
from quorum.errors import BadInput
from quorum.item_source import ItemSource
from quorum.label_kinds import ENTITIES, LabelKind, SpansValue
from quorum.tasktypes import TaskType

ANSWER_SHAPE = '{"entities": [{"label", "startOffset", "endOffset"}]}'
ENTITY_SHAPE = '{"label", "startOffset", "endOffset"}'


class NamedEntityRecognition(TaskType):
    """Labeled spans of a text (``groundtruth/text-span``)."""

    name = "named-entity-recognition"
    description = "Mark the spans of a text that name entities of the job's categories."
    label_kind = LabelKind.SPANS
    output_type = "groundtruth/text-span"
    element = "crowd-entity-annotation"
    source_key = "source"
    default_consensus = "span-cluster"
    min_labels = 1

    def validate_answer(self, answer: Any, labels: Sequence[str]) -> dict[str, Any]:
        """Accept ``{"entities": [...]}``: spans of the job's labels, ``0 <= startOffset <
        endOffset``, no two overlapping.

        Whether ``endOffset`` lies within the text is checked against the item, by
        :meth:`check_against_item`."""
        answer = json_object(answer, "answer", ANSWER_SHAPE)
        exact_fields(answer, "answer", ANSWER_SHAPE, ("entities",))
        entities = [
            _entity(entity, f"answer.entities[{index}]", labels)
            for index, entity in enumerate(json_list(answer["entities"], "answer.entities"))
        ]
        _refuse_overlaps(entities)
        return {"entities": entities}

    def check_against_item(self, answer: dict[str, Any], item: ItemSource) -> None:
        """Every span ends within the item's text (``source``)."""
        text = item.line.get("source")
        length = len(text) if isinstance(text, str) else 0
        for index, entity in enumerate(answer["entities"]):
            if entity["endOffset"] > length:
                raise BadInput(
                    f"answer.entities[{index}].endOffset: {entity['endOffset']} is past the "
                    f"end of the text ({length} characters)"
                )

    def output_label(
        self, consolidated: Consolidated, labels: Sequence[str]
    ) -> tuple[Any, dict[str, Any]]:
        """Ground Truth's ``{"annotations": {"entities", "labels"}}``, with ``entities``
        (confidence per entity) in the metadata.

        A consolidation that gave no per-entity confidences (say, a custom one) gets the
        item's confidence for each entity."""
        entities = cast(SpansValue, consolidated.value)["annotations"]["entities"]  # checked
        value = {
            "annotations": {
                "entities": list(entities),
                "labels": [{"label": label} for label in labels],
            }
        }
        return value, {ENTITIES: part_confidences(consolidated, ENTITIES, len(entities))}


def _entity(value: Any, field: str, labels: Sequence[str]) -> dict[str, Any]:
    """One span, checked against the job's labels."""
    entity = json_object(value, field, ENTITY_SHAPE)
    exact_fields(entity, field, ENTITY_SHAPE, ("label", "startOffset", "endOffset"))
    label = job_label(entity["label"], f"{field}.label", labels)
    start = integer(entity["startOffset"], f"{field}.startOffset")
    end = integer(entity["endOffset"], f"{field}.endOffset")
    if end <= start:
        raise BadInput(
            f"{field}.endOffset: must be after startOffset ({start}), got {end} "
            "(endOffset is exclusive)"
        )
    return {"label": label, "startOffset": start, "endOffset": end}


def _refuse_overlaps(entities: Sequence[dict[str, Any]]) -> None:
    """Raise :class:`BadInput` naming two overlapping entities (the later one in the
    answer first), if there are any.

    In start order, an entity overlaps an earlier one exactly when it starts before the one
    just before it ends (that one ends last, since none overlapped before)."""
    order = sorted(
        range(len(entities)),
        key=lambda index: (entities[index]["startOffset"], entities[index]["endOffset"]),
    )
    for before, after in pairwise(order):
        if entities[after]["startOffset"] < entities[before]["endOffset"]:
            later, earlier = max(before, after), min(before, after)
            raise BadInput(f"answer.entities[{later}] overlaps answer.entities[{earlier}]")


@hookimpl
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Register ``named-entity-recognition``."""
    return [NamedEntityRecognition]

"""Items: one manifest line each, with its consolidated label."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from quorum import models
from quorum.graphql.types.enums import ItemStatus


@strawberry.type
class Item:
    """One manifest line and what became of it."""

    id: strawberry.ID
    position: int = strawberry.field(
        description="0-based line index: Ground Truth's datasetObjectId."
    )
    status: ItemStatus
    manifest_line: JSON
    output: JSON | None = strawberry.field(
        description="The label attribute and its -metadata, as written to the output manifest."
    )
    confidence: float | None
    answers_count: int
    labeled_at: datetime | None
    failure_reason: str | None

    @classmethod
    def from_model(cls, item: models.Item) -> Item:
        """The public view of an item row."""
        return cls(
            id=strawberry.ID(str(item.id)),
            position=item.position,
            status=models.ItemStatus(item.status),
            manifest_line=json.loads(item.data),
            output=json.loads("{" + item.output + "}") if item.output else None,
            confidence=item.confidence,
            answers_count=item.answers_count,
            labeled_at=item.labeled_at,
            failure_reason=item.failure_reason,
        )

"""Audit events."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from quorum import models
from quorum.graphql.context import Info


@strawberry.type
class AuditEvent:
    """One recorded state change, hash-chained within its chain."""

    id: strawberry.ID
    chain: str
    seq: int | None = strawberry.field(description="Place in the chain; null until sealed.")
    action: str
    actor_id: strawberry.ID | None
    entity_type: str
    entity_id: strawberry.ID | None
    job_id: strawberry.ID | None
    data: JSON
    created_at: datetime
    prev_hash: str | None
    hash: str | None = strawberry.field(description="Null until the runner seals the event.")

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The 0-based manifest position of the item the event concerns (an "
        "item's event, or a task's: the task's item), as Item.position; null for other "
        "events. The console names items by it: position 2 of 6 items is item 3 of 6."
    )
    async def item_position(self, info: Info) -> int | None:
        """The item's position, loaded for all the page's events at once."""
        item_id = self._item_id()
        return None if item_id is None else await info.context.loaders.item_positions.load(item_id)

    def _item_id(self) -> int | None:
        """The id of the item the event concerns, if any."""
        if self.entity_type == "item" and self.entity_id is not None:
            return int(self.entity_id)
        item_id = self.data.get("item_id") if isinstance(self.data, dict) else None
        return item_id if self.entity_type == "task" and isinstance(item_id, int) else None

    @classmethod
    def from_model(cls, row: models.AuditEvent) -> AuditEvent:
        """The public view of an audit row."""

        def as_id(value: int | None) -> strawberry.ID | None:
            return None if value is None else strawberry.ID(str(value))

        return cls(
            id=strawberry.ID(str(row.id)),
            chain=row.chain,
            seq=row.seq,
            action=row.action,
            actor_id=as_id(row.actor_id),
            entity_type=row.entity_type,
            entity_id=as_id(row.entity_id),
            job_id=as_id(row.job_id),
            data=JSON(row.data),
            created_at=row.created_at,
            prev_hash=row.prev_hash,
            hash=row.hash,
        )

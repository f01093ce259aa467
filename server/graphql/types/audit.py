"""Audit events."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from quorum import models


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

"""The audit trail: append an event in the caller's transaction, and verify the chains.

Every job has its own chain (``job:<id>``); users and teams share ``global``. Appending
bumps the chain head's sequence number with ``UPDATE ... RETURNING``, which locks the head
row until the transaction ends, so concurrent writers to one chain line up instead of
forking it. The event's hash is SHA-256 over the previous hash and the event's canonical
JSON; editing or deleting any event breaks every later hash of its chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from quorum.db import EVENTS_KEY
from quorum.events import Event
from quorum.models import AuditEvent

GENESIS_HASH = "0" * 64

_BUMP = text("UPDATE audit_chains SET seq = seq + 1 WHERE chain = :chain RETURNING seq, hash")
_START = text("INSERT INTO audit_chains (chain, seq, hash) VALUES (:chain, 1, :hash)")
_SET_HASH = text("UPDATE audit_chains SET hash = :hash WHERE chain = :chain")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO strings, ready for a JSON column."""
    return json.loads(json.dumps(value, default=_json_default))


def event_hash(prev_hash: str, row: AuditEvent) -> str:
    """The hash of ``row`` chained after ``prev_hash``."""
    canonical = json.dumps(
        {
            "chain": row.chain,
            "seq": row.seq,
            "action": row.action,
            "actor_id": row.actor_id,
            "entity_type": row.entity_type,
            "entity_id": row.entity_id,
            "job_id": row.job_id,
            "data": row.data,
            "created_at": row.created_at.isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
        default=_json_default,
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def chain_name(job_id: int | None) -> str:
    """The chain an event of ``job_id`` (or of no job) belongs to."""
    return f"job:{job_id}" if job_id is not None else "global"


def record(session: Session, event: Event) -> AuditEvent:
    """Append ``event`` to its chain in the session's transaction; plugins hear of it after
    the commit."""
    chain = chain_name(event.job_id)
    bumped = session.execute(_BUMP, {"chain": chain}).first()
    if bumped is None:
        seq, prev_hash = 1, GENESIS_HASH
        session.execute(_START, {"chain": chain, "hash": GENESIS_HASH})
    else:
        seq, prev_hash = int(bumped[0]), str(bumped[1])
    row = AuditEvent(
        chain=chain,
        seq=seq,
        action=event.action,
        actor_id=event.actor_id,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        job_id=event.job_id,
        data=jsonable(event.properties()),
        created_at=event.created,
        prev_hash=prev_hash,
        hash="",
    )
    row.hash = event_hash(prev_hash, row)
    session.add(row)
    session.execute(_SET_HASH, {"chain": chain, "hash": row.hash})
    session.info.setdefault(EVENTS_KEY, []).append(event)
    return row


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops verifying."""

    chain: str
    seq: int
    reason: str


def verify_chain(session: Session, chain: str) -> ChainBreak | None:
    """Recompute ``chain``'s hashes; the first break, or ``None`` if it is intact."""
    prev_hash, expected_seq = GENESIS_HASH, 1
    rows = session.exec(
        select(AuditEvent).where(AuditEvent.chain == chain).order_by(col(AuditEvent.seq))
    )
    for row in rows:
        if row.seq != expected_seq:
            return ChainBreak(chain, expected_seq, f"event {expected_seq} is missing")
        if row.prev_hash != prev_hash or event_hash(prev_hash, row) != row.hash:
            return ChainBreak(chain, row.seq, "hash does not match the event's content")
        prev_hash, expected_seq = row.hash, expected_seq + 1
    return None

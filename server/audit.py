"""The audit trail: events recorded during a transaction, appended to their chains last.

Every job has its own chain (``job:<id>``); users and teams share ``global``. Each event's
hash is SHA-256 over the previous event's hash and this event's canonical JSON, so editing
or deleting any event breaks every later hash of its chain (:func:`verify_chain`).

:func:`record` only queues an event on the session. :class:`quorum.db.Database` calls
:func:`write_pending` right before the transaction commits, so that the events land in the
same transaction as the change they describe, and so that the lock that serialises a
chain (SQLite's write lock, or a PostgreSQL transaction-level advisory lock per chain,
taken in chain order) is always the *last* lock a transaction takes. Taking it while
still locking rows would let a claim (holding an item, waiting for the chain) and the
runner (holding the chain, waiting for that item) deadlock.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from quorum.events import Event
from quorum.models import AuditEvent
from quorum.rows import execute, table

GENESIS_HASH = "0" * 64

#: Session.info keys: events waiting to be written, and events written (for after commit).
PENDING_KEY = "quorum.audit.pending"
EVENTS_KEY = "quorum.audit.written"

_LAST = text("SELECT seq, hash FROM audit_events WHERE chain = :chain ORDER BY seq DESC LIMIT 1")
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO strings, ready for a JSON column."""
    return json.loads(json.dumps(value, default=_json_default))


HASHED_FIELDS = (
    "chain",
    "seq",
    "action",
    "actor_id",
    "entity_type",
    "entity_id",
    "job_id",
    "data",
    "created_at",
)


def event_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The hash of an audit row (its fields as a mapping) chained after ``prev_hash``."""
    canonical = json.dumps(
        {name: row[name] for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        default=_json_default,
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def chain_name(job_id: int | None) -> str:
    """The chain an event of ``job_id`` (or of no job) belongs to."""
    return f"job:{job_id}" if job_id is not None else "global"


def record(session: Session, event: Event) -> None:
    """Queue ``event`` for the audit trail; it is written when the transaction commits, and
    plugins hear of it after that."""
    session.info.setdefault(PENDING_KEY, []).append(event)


def _advisory_key(chain: str) -> int:
    return int.from_bytes(hashlib.sha256(chain.encode()).digest()[:8], "big", signed=True)


def write_pending(session: Session) -> None:
    """Append every queued event to its chain (called by the database right before commit)."""
    pending: list[Event] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    by_chain: dict[str, list[Event]] = defaultdict(list)
    for event in pending:
        by_chain[chain_name(event.job_id)].append(event)
    postgres = session.get_bind().dialect.name == "postgresql"
    rows: list[dict[str, Any]] = []
    for chain in sorted(by_chain):  # one lock order for every transaction
        if postgres:
            execute(session, _LOCK, {"key": _advisory_key(chain)})
        last = execute(session, _LAST, {"chain": chain}).mappings().first()
        seq, prev_hash = (0, GENESIS_HASH) if last is None else (int(last["seq"]), last["hash"])
        for event in by_chain[chain]:
            seq += 1
            row: dict[str, Any] = {
                "chain": chain,
                "seq": seq,
                "action": event.action,
                "actor_id": event.actor_id,
                "entity_type": event.entity_type,
                "entity_id": event.entity_id,
                "job_id": event.job_id,
                "data": jsonable(event.properties()),
                "created_at": event.created,
                "prev_hash": prev_hash,
            }
            row["hash"] = prev_hash = event_hash(prev_hash, row)
            rows.append(row)
    execute(session, table(AuditEvent).insert(), rows)
    session.info.setdefault(EVENTS_KEY, []).extend(pending)


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
        if row.prev_hash != prev_hash or event_hash(prev_hash, row.model_dump()) != row.hash:
            return ChainBreak(chain, row.seq, "hash does not match the event's content")
        prev_hash, expected_seq = row.hash, expected_seq + 1
    return None

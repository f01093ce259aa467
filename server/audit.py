"""The audit trail: events written with their change, then sealed into hash chains.

Every job has its own chain (``job:<id>``); users and teams share ``global``.

Writing and sealing are split so that no request waits for another:

- :func:`record` queues an event on the session, and :class:`quorum.db.engine.Database` inserts
  the queued events right before the transaction commits (:func:`pending_inserts`): the
  event exists if and only if its change does. Nothing is locked and nothing is read, so
  concurrent claims and submits of one job do not queue behind each other.
- The runner seals pending events in id order (:func:`seal_pending`): it numbers them in
  their chain (``seq``) and sets ``hash`` = SHA-256 over the previous hash and the event's
  canonical JSON. One sealer per chain at a time (SQLite's write lock; a PostgreSQL
  advisory lock per chain), so chains never fork; (chain, seq) is unique besides.

Once sealed, editing or deleting an event breaks every later hash of its chain
(:func:`verify_chain`). An event stays unsealed for at most one runner pass.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session

from quorum.db.rows import Statement, run_many, select_rows, table
from quorum.events import Event
from quorum.models import AuditEvent

GENESIS_HASH = "0" * 64

#: Session.info keys: events waiting to be inserted, and events inserted (for after commit).
PENDING_KEY = "quorum.audit.pending"
EVENTS_KEY = "quorum.audit.written"

#: Most events one chain seals in one pass.
SEAL_BATCH = 5_000

EVENTS = table(AuditEvent)
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

_LAST_SEALED = text(
    "SELECT seq, hash FROM audit_events WHERE chain = :chain AND seq IS NOT NULL "
    "ORDER BY seq DESC LIMIT 1"
)
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
_PENDING = (
    "SELECT * FROM audit_events WHERE chain = :chain AND hash IS NULL ORDER BY id LIMIT :limit"
)
_SEAL = "UPDATE audit_events SET seq = :seq, prev_hash = :prev, hash = :digest WHERE id = :key"
_INSERT = (
    "INSERT INTO audit_events (chain, action, actor_id, entity_type, entity_id, job_id, data, "
    "created_at) VALUES (:chain, :action, :actor_id, :entity_type, :entity_id, :job_id, :data, "
    ":created_at)"
)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):  # one form whatever zone a driver hands back
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO strings, ready for a JSON column."""
    return json.loads(json.dumps(value, default=_json_default))


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
    """Queue ``event`` for the audit trail: it is inserted when the transaction commits,
    and plugins hear of it after that."""
    session.info.setdefault(PENDING_KEY, []).append(event)


def pending_inserts(session: Session) -> list[Statement]:
    """The inserts of every queued event, unsealed, for the database to run with its commit
    (:func:`quorum.db.rows.commit`); the events then wait for ``after_commit``."""
    pending: list[Event] = session.info.pop(PENDING_KEY, [])
    session.info.setdefault(EVENTS_KEY, []).extend(pending)
    return [
        (
            _INSERT,
            {
                "chain": chain_name(event.job_id),
                "action": event.action,
                "actor_id": event.actor_id,
                "entity_type": event.entity_type,
                "entity_id": event.entity_id,
                "job_id": event.job_id,
                "data": jsonable(event.properties()),
                "created_at": event.created,
            },
        )
        for event in pending
    ]


def _advisory_key(chain: str) -> int:
    return int.from_bytes(hashlib.sha256(chain.encode()).digest()[:8], "big", signed=True)


def _seal_chain(session: Session, chain: str) -> int:
    last = session.execute(_LAST_SEALED, {"chain": chain}).mappings().first()
    seq, prev_hash = (0, GENESIS_HASH) if last is None else (int(last["seq"]), last["hash"])
    pending = select_rows(session, _PENDING, {"chain": chain, "limit": SEAL_BATCH}, AuditEvent)
    updates: list[dict[str, Any]] = []
    for event in pending:
        seq += 1
        row = {**event, "seq": seq}
        digest = event_hash(prev_hash, row)
        updates.append({"key": event["id"], "seq": seq, "prev": prev_hash, "digest": digest})
        prev_hash = digest
    if updates:
        run_many(session, _SEAL, updates)
    return len(updates)


def seal_pending(session: Session) -> int:
    """Seal pending events of every chain (the runner calls this); returns how many."""
    chains = session.execute(
        select(EVENTS.c.chain).where(EVENTS.c.hash.is_(None)).distinct()
    ).scalars()
    postgres = session.get_bind().dialect.name == "postgresql"
    sealed = 0
    for chain in sorted(chains):
        if postgres and not session.execute(_TRY_LOCK, {"key": _advisory_key(chain)}).scalar():
            continue  # another runner is sealing this chain
        sealed += _seal_chain(session, chain)
    return sealed


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops verifying."""

    chain: str
    seq: int
    reason: str


def verify_chain(session: Session, chain: str) -> ChainBreak | None:
    """Recompute the hashes of ``chain``'s sealed events; the first break, or ``None`` if
    the chain is intact."""
    prev_hash, expected_seq = GENESIS_HASH, 1
    rows = session.execute(
        select(EVENTS)
        .where(EVENTS.c.chain == chain, EVENTS.c.seq.is_not(None))
        .order_by(EVENTS.c.seq),
    ).mappings()
    for row in rows:
        if row["seq"] != expected_seq:
            return ChainBreak(chain, expected_seq, f"event {expected_seq} is missing")
        if row["prev_hash"] != prev_hash or event_hash(prev_hash, dict(row)) != row["hash"]:
            return ChainBreak(chain, row["seq"], "hash does not match the event's content")
        prev_hash, expected_seq = row["hash"], expected_seq + 1
    return None

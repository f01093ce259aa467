"""Factories for the project's own tests that a plugin author does not need (the others ship
in :mod:`quorum.testing`)."""

from __future__ import annotations

from starlette.applications import Starlette

from quorum.settings import Settings


def write_manifest_bytes(settings: Settings, name: str, data: bytes) -> str:
    """Write raw bytes (say, a line that is not UTF-8) as a manifest into the local object
    store; returns its file:// URL."""
    path = settings.objects_dir / "inputs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"file://{path}"


def row_counts(app: Starlette, job_id: int | str | None = None) -> dict[str, int]:
    """How many rows the tables a job writes to hold (all of them, or one job's): to show
    that a refused call left nothing half-written."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from quorum.models import AuditEvent, Item, Job, Task

    keys = {
        "jobs": col(Job.id),
        "items": col(Item.job_id),
        "tasks": col(Task.job_id),
        "audit_events": col(AuditEvent.job_id),
    }
    counts: dict[str, int] = {}
    with app.state.db.read() as session:
        for table, key in keys.items():
            query = select(func.count()).select_from(key.table)
            if job_id is not None:
                query = query.where(key == int(job_id))
            counts[table] = int(session.exec(query).one())
    return counts

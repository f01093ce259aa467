"""Factories for tests: users, teams, manifests and jobs, made the way a user would."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from quorum.models import Role
from quorum.services.users import create_team, create_user
from quorum.settings import Settings
from quorum.testing import GraphQLClient

CREATE_JOB = """
mutation($input: CreateJobInput!) {
  createJob(input: $input) { id name status labels workersPerItem consensus }
}
"""

CLAIM = """
mutation($jobId: ID) {
  claimTask(jobId: $jobId) { id status leaseExpiresAt input item { id position } }
}
"""

SUBMIT = """
mutation($taskId: ID!, $answer: JSON!) {
  submitTask(taskId: $taskId, answer: $answer) { id status answer timeSpentSeconds }
}
"""

JOB = """
query($id: ID!) {
  job(id: $id) {
    id status failureReason outputManifest
    counters { total humanLabeled machineLabeled failed unlabeled inProgress skipped }
    cost { workforce service compute total }
  }
}
"""


def make_user(app: Starlette, name: str, role: Role) -> tuple[int, str]:
    """A user straight in the database; returns (id, token)."""
    with app.state.db.write() as session:
        user, token = create_user(session, name=name, role=role, actor_id=None)
    assert user.id is not None
    return user.id, token


def make_team(app: Starlette, name: str, member_ids: Iterable[int]) -> int:
    """A team straight in the database; returns its id."""
    with app.state.db.write() as session:
        team = create_team(session, name=name, member_ids=list(member_ids), actor_id=None)
    assert team.id is not None
    return team.id


def write_manifest(settings: Settings, name: str, lines: Iterable[Mapping[str, Any] | str]) -> str:
    """Write a manifest into the local object store; returns its file:// URL."""
    path = settings.objects_dir / "inputs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return f"file://{path}"


def text_lines(count: int, **extra: Any) -> list[dict[str, Any]]:
    """``count`` inline-text manifest lines with an ``id`` key that must pass through."""
    return [{"source": f"text number {index}", "id": index, **extra} for index in range(count)]


def create_job(gql: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    """Create a job through GraphQL; returns the createJob payload."""
    data = gql.ok(CREATE_JOB, {"input": fields}, token)
    job: dict[str, Any] = data["createJob"]
    return job


def read_output(settings: Settings, url: str) -> list[dict[str, Any]]:
    """The lines of a file:// output manifest."""
    assert url.startswith("file://"), url
    path = Path(url.removeprefix("file://"))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


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

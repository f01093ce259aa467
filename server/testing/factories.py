"""Factories for tests: users, teams, manifests and jobs, made the way a user would, and the
GraphQL operations a requester and a worker send."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from quorum.services.users import create_team, create_user
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing.clients import GraphQLClient

#: ``createJob(input: $input)``; returns the job's id, name, status, labels,
#: workersPerItem and consensus.
CREATE_JOB = """
mutation($input: CreateJobInput!) {
  createJob(input: $input) { id name status labels workersPerItem consensus }
}
"""

#: ``claimTask(jobId: $jobId)``; returns the task (``null`` when there is none to claim).
CLAIM = """
mutation($jobId: ID) {
  claimTask(jobId: $jobId) { id status leaseExpiresAt input item { id position } }
}
"""

#: ``submitTask(taskId: $taskId, answer: $answer)``; returns the answered task.
SUBMIT = """
mutation($taskId: ID!, $answer: JSON!) {
  submitTask(taskId: $taskId, answer: $answer) { id status answer timeSpentSeconds }
}
"""

#: ``job(id: $id)`` as its requester sees it: status, counters, cost and output manifest.
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
    """A user straight in the app's database; returns ``(id, API token)``."""
    with app.state.db.write() as session:
        user, token = create_user(session, name=name, role=role, actor_id=None)
    assert user.id is not None
    return user.id, token


def make_team(app: Starlette, name: str, member_ids: Iterable[int]) -> int:
    """A team of the users ``member_ids`` straight in the app's database; returns its id."""
    with app.state.db.write() as session:
        team = create_team(session, name=name, member_ids=list(member_ids), actor_id=None)
    assert team.id is not None
    return team.id


def write_manifest(settings: Settings, name: str, lines: Iterable[Mapping[str, Any] | str]) -> str:
    """Write an input manifest into the local object store, one JSON line per mapping (a
    string is written as it is); returns its ``file://`` URL."""
    path = settings.objects_dir / "inputs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return f"file://{path}"


def text_lines(count: int, **extra: Any) -> list[dict[str, Any]]:
    """``count`` inline-text manifest lines (``{"source": ..., "id": n, **extra}``); the
    ``id`` key passes through to the output manifest."""
    return [{"source": f"text number {index}", "id": index, **extra} for index in range(count)]


def create_job(gql: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    """Create a job through GraphQL (``fields`` are ``CreateJobInput``'s, camelCase); returns
    the createJob payload. Fails the test when the mutation fails."""
    data = gql.ok(CREATE_JOB, {"input": fields}, token)
    job: dict[str, Any] = data["createJob"]
    return job


def read_output(url: str) -> list[dict[str, Any]]:
    """The lines of a ``file://`` output manifest, parsed."""
    assert url.startswith("file://"), url
    path = Path(url.removeprefix("file://"))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

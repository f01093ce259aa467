"""Ready-made situations for tests: a running job with its requester and workers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing.clients import GraphQLClient
from quorum.testing.factories import (
    CLAIM,
    JOB,
    SUBMIT,
    create_job,
    make_team,
    make_user,
    text_lines,
    write_manifest,
)


@dataclass
class RunningJob:
    """A job whose manifest is ingested, with the people around it: its requester's token and
    its workers' ``(id, token)``, all on the team ``team_id``."""

    app: Starlette
    gql: GraphQLClient
    id: str
    requester: str
    workers: list[tuple[int, str]]
    team_id: int

    def run_runner(self) -> None:
        """Let the runner do everything pending (consolidation, auto-labeling, the output)."""
        self.app.state.runner.run_until_idle()

    def status(self) -> dict[str, Any]:
        """The job as its requester sees it (status, counters, cost, output manifest)."""
        job: dict[str, Any] = self.gql.ok(JOB, {"id": self.id}, self.requester)["job"]
        return job

    def claim(self, worker: int = 0) -> dict[str, Any] | None:
        """Worker number ``worker`` claims a task of this job (``None`` when none is left)."""
        task: dict[str, Any] | None = self.gql.ok(
            CLAIM, {"jobId": self.id}, self.workers[worker][1]
        )["claimTask"]
        return task

    def submit(
        self, task: Mapping[str, Any], answer: str | Mapping[str, Any], worker: int = 0
    ) -> dict[str, Any]:
        """Worker number ``worker`` answers ``task``: a label (``{"label": answer}``) or the
        answer as the task type's workers send it."""
        given = {"label": answer} if isinstance(answer, str) else dict(answer)
        data = self.gql.ok(SUBMIT, {"taskId": task["id"], "answer": given}, self.workers[worker][1])
        result: dict[str, Any] = data["submitTask"]
        return result

    def label_everything(self, answer: str | Mapping[str, Any] = "positive") -> int:
        """Every worker gives ``answer`` to every task it can get; returns how many answers."""
        answers = 0
        for worker in range(len(self.workers)):
            while (task := self.claim(worker)) is not None:
                self.submit(task, answer, worker)
                answers += 1
        return answers


def running_job(
    app: Starlette,
    gql: GraphQLClient,
    settings: Settings,
    *,
    lines: Sequence[Mapping[str, Any] | str] | None = None,
    workers: int = 1,
    name: str = "job-1",
    **fields: Any,
) -> RunningJob:
    """A job over the manifest ``lines`` (default: 3 texts), created by a new requester for a
    new team of ``workers`` workers, ingested and running.

    It is a text-classification job with the labels ``negative`` and ``positive`` unless
    ``fields`` say otherwise: they are ``CreateJobInput``'s fields, camelCase, and override
    the defaults (``consensus="my-algo", workersPerItem=3``). ``name`` names the job and
    its people, so that one test can run several.
    """
    _, requester = make_user(app, f"requester-{name}", Role.REQUESTER)
    people = [make_user(app, f"worker-{name}-{n}", Role.WORKER) for n in range(workers)]
    team_id = make_team(app, f"team-{name}", [person_id for person_id, _ in people])
    manifest = write_manifest(settings, f"{name}.manifest", lines or text_lines(3))
    spec: dict[str, Any] = {
        "name": name,
        "taskType": "text-classification",
        "inputManifest": manifest,
        "labels": ["negative", "positive"],
        "teamId": str(team_id),
        **fields,
    }
    job = create_job(gql, requester, **spec)
    app.state.runner.run_until_idle()
    return RunningJob(app, gql, job["id"], requester, people, team_id)

"""A simulated workforce: workers that answer from a ground-truth key in the manifest, with a
chosen accuracy, through the same GraphQL API as people.

For benchmarks, demos and tests. Simulated workers are real users (role WORKER) in a real
team; they claim and submit over HTTP (:class:`quorum.simulation.client.LeanClient`, one
connection and one thread per worker), so the server cannot tell them from people.

**The flow has two steps**, because a job names its team when it is created
(``createJob(teamId)``) and a team's members are fixed when the team is made:

1. :meth:`SimulatedWorkforce.create` makes the workers (``createUser``, an admin's token)
   and their team (``createTeam``). On the command line:
   ``quorum simulate workers --count 3 --out crew.json`` prints the team id and writes the
   workers' ids, names and tokens to ``crew.json``.
2. The requester creates the job with that ``teamId`` (console, or ``createJob``).
3. :meth:`SimulatedWorkforce.work` runs the workers on the job until it ends, or until the
   timeout: ``quorum simulate run --workers crew.json --job ID --accuracy 0.8``. A worker
   that finds nothing to claim polls the job's status and keeps going while it is not
   COMPLETED, STOPPED or FAILED (auto-labeling opens items in rounds).

**Answers** come from :mod:`quorum.simulation.answers`: right with probability ``accuracy``,
else a wrong label drawn uniformly or from a confusion matrix. The draws for one answer
come from a generator seeded with (seed, worker index, item position), so a seeded run gives
each worker the same answer to each item, in whatever order the threads claim the items.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from quorum.errors import BadInput, NotFound, QuorumError
from quorum.simulation.answers import ANSWER_MAKERS, AnswerMaker, WorkerBehaviour, broadcast
from quorum.simulation.client import GraphQLFailed, LeanClient

log = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({"COMPLETED", "STOPPED", "FAILED"})
CREATE_USER = (
    "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } token } }"
)
CREATE_TEAM = "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }"
JOB = "query($id: ID!) { job(id: $id) { id name taskType status labels } }"
STATUS = "query($id: ID!) { job(id: $id) { status } }"
CLAIM = "mutation($jobId: ID) { claimTask(jobId: $jobId) { id item { position } input } }"
SUBMIT = "mutation($id: ID!, $answer: JSON!) { submitTask(taskId: $id, answer: $answer) { id } }"
RELEASE = "mutation($id: ID!) { releaseTask(taskId: $id) { id } }"


@dataclass(frozen=True)
class SimulatedWorker:
    """A WORKER user the simulation answers as."""

    id: str
    name: str
    token: str


@dataclass
class WorkerReport:
    """What one worker did in a run."""

    worker: SimulatedWorker
    accuracy: float
    answers: int = 0
    correct: int = 0
    rejected: int = 0  # answers the server refused: lease expired, job stopped
    blocked: str | None = None  # why the server stopped giving this worker tasks

    def to_json(self) -> dict[str, Any]:
        """The numbers, with ``measuredAccuracy`` = right answers / answers submitted."""
        return {
            "id": self.worker.id,
            "name": self.worker.name,
            "accuracy": self.accuracy,
            "answers": self.answers,
            "correct": self.correct,
            "measuredAccuracy": round(self.correct / self.answers, 4) if self.answers else None,
            "rejected": self.rejected,
            "blocked": self.blocked,
        }


@dataclass
class SimulationReport:
    """A run: the job's status at the end and each worker's numbers (why a job failed is
    for its requester: workers cannot read ``failureReason``)."""

    job_id: str
    status: str
    seed: int
    seconds: float
    workers: list[WorkerReport]

    @property
    def finished(self) -> bool:
        """Whether the job ended (COMPLETED, STOPPED or FAILED) rather than the timeout."""
        return self.status in FINAL_STATUSES

    def to_json(self) -> dict[str, Any]:
        """The report as printed by ``quorum simulate run``."""
        return {
            "job": self.job_id,
            "status": self.status,
            "seed": self.seed,
            "seconds": round(self.seconds, 2),
            "answers": sum(report.answers for report in self.workers),
            "workers": [report.to_json() for report in self.workers],
        }


@dataclass
class _Run:
    job: dict[str, Any]
    maker: AnswerMaker
    truth_key: str
    seed: int
    deadline: float
    poll_seconds: float
    stop: threading.Event = field(default_factory=threading.Event)
    errors: list[Exception] = field(default_factory=list)


@dataclass(frozen=True)
class SimulatedWorkforce:
    """Simulated workers and their team on one server."""

    server: str
    team_id: str
    workers: tuple[SimulatedWorker, ...]

    @classmethod
    def create(
        cls, server: str, admin_token: str, count: int, *, name: str | None = None
    ) -> SimulatedWorkforce:
        """Make ``count`` WORKER users named ``<name>-1``... and a team ``<name>`` of them
        (``name`` defaults to ``simulated-<random>``), with an admin's token."""
        if count < 1:
            raise BadInput(f"--count: at least 1 worker, got {count}")
        prefix = name or f"simulated-{secrets.token_hex(3)}"
        workers = []
        with LeanClient(server) as client:
            for number in range(1, count + 1):
                worker_name = f"{prefix}-{number}"
                made = client.graphql(
                    admin_token, CREATE_USER, {"input": {"name": worker_name, "role": "WORKER"}}
                )["createUser"]
                workers.append(SimulatedWorker(made["user"]["id"], worker_name, made["token"]))
            member_ids = [worker.id for worker in workers]
            team = client.graphql(
                admin_token, CREATE_TEAM, {"input": {"name": prefix, "memberIds": member_ids}}
            )["createTeam"]
        return cls(server=server, team_id=str(team["id"]), workers=tuple(workers))

    def to_json(self) -> dict[str, Any]:
        """``{"server", "teamId", "workers": [{"id", "name", "token"}]}`` (tokens: keep it
        private)."""
        return {
            "server": self.server,
            "teamId": self.team_id,
            "workers": [asdict(worker) for worker in self.workers],
        }

    @classmethod
    def load(cls, path: Path, *, server: str | None = None) -> SimulatedWorkforce:
        """Read what :meth:`to_json` wrote; ``server`` overrides the file's."""
        where = f"--workers {path}"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            workers = tuple(
                SimulatedWorker(str(entry["id"]), str(entry["name"]), str(entry["token"]))
                for entry in data["workers"]
            )
            if not workers:
                raise ValueError("no workers")
            return cls(
                server=server or data["server"], team_id=str(data["teamId"]), workers=workers
            )
        except OSError as exc:
            raise BadInput(f"{where}: cannot be read ({exc.strerror})") from None
        except (ValueError, KeyError, TypeError):
            raise BadInput(
                f"{where}: not a file written by `quorum simulate workers` "
                '({"server", "teamId", "workers": [{"id", "name", "token"}]})'
            ) from None

    def work(
        self,
        job_id: str,
        behaviours: WorkerBehaviour | Sequence[WorkerBehaviour],
        *,
        truth_key: str = "true-label",
        seed: int | None = None,
        timeout: float | None = None,
        poll_seconds: float = 0.2,
    ) -> SimulationReport:
        """Work on ``job_id``, one thread per worker, until the job ends or ``timeout``
        seconds pass; ``behaviours`` is one for every worker, or a list with one per worker.

        Raises :class:`QuorumError` (a bad job, a manifest line without a usable truth, the
        server unreachable); the worker that found the problem releases its task first.
        """
        if isinstance(behaviours, WorkerBehaviour):
            behaviours = [behaviours]
        behaviours = broadcast(behaviours, len(self.workers), "--accuracy")
        started = time.monotonic()
        job = self._job(job_id)
        maker = ANSWER_MAKERS.get(job["taskType"])
        if maker is None:
            raise BadInput(
                f"--job {job_id}: simulated workers answer {', '.join(sorted(ANSWER_MAKERS))} "
                f"jobs; job {job['name']!r} is {job['taskType']}"
            )
        for behaviour in behaviours:
            maker.check(behaviour, job["labels"])
        run = _Run(
            job=job,
            maker=maker,
            truth_key=truth_key,
            seed=secrets.randbits(32) if seed is None else seed,
            deadline=float("inf") if timeout is None else started + timeout,
            poll_seconds=poll_seconds,
        )
        reports = [
            WorkerReport(worker, behaviour.accuracy)
            for worker, behaviour in zip(self.workers, behaviours, strict=True)
        ]
        threads = [
            threading.Thread(
                target=self._guarded,
                args=(run, index, behaviours[index], reports[index]),
                name=f"simulated-{worker.name}",
            )
            for index, worker in enumerate(self.workers)
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except KeyboardInterrupt:  # Ctrl-C: the workers hand back what they hold, then stop
            run.stop.set()
            for thread in threads:
                thread.join()
            raise
        if run.errors:
            raise run.errors[0]
        with LeanClient(self.server) as client:
            final = client.graphql(self.workers[0].token, STATUS, {"id": job_id})["job"]
        return SimulationReport(
            job_id=job_id,
            status=final["status"],
            seed=run.seed,
            seconds=time.monotonic() - started,
            workers=reports,
        )

    def _job(self, job_id: str) -> dict[str, Any]:
        """The job, as the first worker sees it; :class:`NotFound` or a hint if unusable."""
        with LeanClient(self.server) as client:
            try:
                job: dict[str, Any] | None = client.graphql(
                    self.workers[0].token, JOB, {"id": job_id}
                )["job"]
            except GraphQLFailed as exc:
                if exc.error_code == "FORBIDDEN":
                    raise BadInput(
                        f"--job {job_id}: {exc.message} (the simulated workers are team "
                        f"{self.team_id}; create the job with that teamId)"
                    ) from None
                raise BadInput(f"--job {job_id}: {exc.message}") from None
        if job is None:
            raise NotFound(f"--job: no job with id {job_id}")
        return job

    def _guarded(
        self, run: _Run, index: int, behaviour: WorkerBehaviour, report: WorkerReport
    ) -> None:
        """One worker's thread: its loop, with the first failure stopping every worker."""
        try:
            self._work_one(run, index, behaviour, report)
        except Exception as exc:
            run.errors.append(exc)
            run.stop.set()

    def _work_one(
        self, run: _Run, index: int, behaviour: WorkerBehaviour, report: WorkerReport
    ) -> None:
        """Claim, answer and submit until the job ends, the deadline passes or another
        worker fails."""
        token, job_id = self.workers[index].token, run.job["id"]
        with LeanClient(self.server) as client:
            while not run.stop.is_set():
                if time.monotonic() > run.deadline:
                    return
                try:
                    task = client.graphql(token, CLAIM, {"jobId": job_id})["claimTask"]
                except GraphQLFailed as exc:
                    if exc.error_code != "FORBIDDEN":  # e.g. blocked after gold items
                        raise
                    report.blocked = exc.message
                    return
                if task is None:
                    status = client.graphql(token, STATUS, {"id": job_id})["job"]["status"]
                    if status in FINAL_STATUSES:
                        return
                    run.stop.wait(run.poll_seconds)
                    continue
                try:
                    answer, correct = self._answer(run, index, behaviour, task)
                except BadInput:
                    _release(client, token, task["id"])
                    raise
                if run.stop.is_set():
                    _release(client, token, task["id"])
                    return
                try:
                    client.graphql(token, SUBMIT, {"id": task["id"], "answer": answer})
                except GraphQLFailed as exc:
                    if exc.error_code not in {"LEASE_EXPIRED", "CONFLICT"}:
                        raise
                    report.rejected += 1
                    continue
                report.answers += 1
                report.correct += correct

    @staticmethod
    def _answer(
        run: _Run, index: int, behaviour: WorkerBehaviour, task: Mapping[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        position = task["item"]["position"]
        where = f"job {run.job['id']}, item at position {position}"
        line = task["input"].get("manifestLine") or {}
        if run.truth_key not in line:
            raise BadInput(
                f"{where}: the manifest line has no {run.truth_key!r} key to answer from "
                f"(it has {', '.join(map(repr, line)) or 'no keys'}); name it with --truth-key"
            )
        rng = random.Random(f"{run.seed}:{index}:{position}")
        try:
            return run.maker.answer(line[run.truth_key], run.job["labels"], behaviour, rng)
        except BadInput as exc:
            raise BadInput(f"{where}: its {run.truth_key} {exc.message}") from None


def _release(client: LeanClient, token: str, task_id: str) -> None:
    """Hand a task back so that it need not wait for its lease; a failure is only logged,
    since the task's lease expires anyway and a more useful error is on its way."""
    try:
        client.graphql(token, RELEASE, {"id": task_id})
    except QuorumError as exc:
        log.warning("could not release task %s: %s", task_id, exc)

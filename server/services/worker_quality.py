"""What a job knows of its workers: the consensus algorithm's state between batches, and
each worker's record (answers, agreement with consensus, estimated accuracy, confusion
matrix, spammer flag, time per task).

The runner calls :func:`record_batch` in the transaction that stores a batch's labels, so
a worker's record and the labels it was computed from never disagree. A worker's
agreement is cumulative (agreeing answers over all consolidated answers); accuracy,
confusion matrix and spammer flag are the algorithm's latest estimate, which for
Dawid-Skene already covers the whole job (its state carries the counts). Every update is
in the audit trail as ``worker.assessed``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from quorum import audit
from quorum.consensus import ConsensusResult
from quorum.db.rows import Statement, run_all, select_rows
from quorum.events import WorkerAssessed
from quorum.models import ConsensusState, Job, JobWorker, Task, User
from quorum.statuses import ItemStatus, TaskStatus, utcnow


def consensus_state(session: Session, job: Job) -> Mapping[str, Any] | None:
    """The state the job's consensus algorithm left after its last batch, if any (a state
    left by another algorithm is not handed over)."""
    row = session.get(ConsensusState, job.id)
    return row.state if row is not None and row.algorithm == job.consensus else None


_SAVE_STATE = """
INSERT INTO consensus_states (job_id, algorithm, state, updated_at)
VALUES (:job, :algorithm, :state, :now)
ON CONFLICT (job_id) DO UPDATE SET
  algorithm = excluded.algorithm, state = excluded.state, updated_at = excluded.updated_at
"""
_SAVE_WORKER = """
INSERT INTO job_workers (job_id, worker_id, answers, agreed, accuracy, confusion, spammer,
  gold_answers, gold_correct, blocked, updated_at)
VALUES (:job, :worker, :answers, :agreed, :accuracy, :confusion, :spammer, 0, 0, :false, :now)
ON CONFLICT (job_id, worker_id) DO UPDATE SET
  answers = job_workers.answers + excluded.answers,
  agreed = job_workers.agreed + excluded.agreed,
  accuracy = excluded.accuracy, confusion = excluded.confusion, spammer = excluded.spammer,
  updated_at = excluded.updated_at
"""


def record_batch(session: Session, job: Job, result: ConsensusResult) -> None:
    """Keep the algorithm's state and update the records of the batch's workers (upserts:
    submits scoring gold items may be writing the same records)."""
    assert job.id is not None
    now = utcnow()
    statements: list[Statement] = []
    if result.state is not None:
        statements.append(
            (
                _SAVE_STATE,
                {
                    "job": job.id,
                    "algorithm": job.consensus,
                    "state": dict(result.state),
                    "now": now,
                },
            )
        )
    for worker, quality in result.workers.items():
        if not isinstance(worker, int):
            continue  # answers from outside the job's tasks (a post-annotation hook's own)
        statements.append(
            (
                _SAVE_WORKER,
                {
                    "job": job.id,
                    "worker": worker,
                    "answers": quality.answers,
                    "agreed": quality.agreement * quality.answers,
                    "accuracy": quality.accuracy,
                    "confusion": None if quality.confusion is None else _matrix(quality.confusion),
                    "spammer": quality.spammer,
                    "false": False,
                    "now": now,
                },
            )
        )
        audit.record(
            session,
            WorkerAssessed(
                actor_id=None,
                entity_id=worker,
                job_id=job.id,
                algorithm=job.consensus,
                answers=quality.answers,
                agreement=quality.agreement,
                accuracy=quality.accuracy,
                spammer=quality.spammer,
            ),
        )
    run_all(session, statements)


def _matrix(rows: Any) -> list[list[float]]:
    return [[float(value) for value in row] for row in rows]


@dataclass(frozen=True)
class WorkerStats:
    """One worker's record in a job, as shown to its requester."""

    worker_id: int
    name: str
    submitted: int
    consolidated: int
    assessed: int
    agreement: float | None
    accuracy: float | None
    confusion: list[list[float]] | None
    spammer: bool
    median_seconds: float | None
    gold_answers: int
    gold_accuracy: float | None
    blocked: bool


_ASSESSED = """
SELECT t.worker_id AS worker_id, COUNT(*) AS answers
FROM tasks t JOIN items i ON i.id = t.item_id
WHERE t.job_id = :job AND t.status = :submitted AND i.status = :labeled
  AND (SELECT COUNT(*) FROM tasks o WHERE o.item_id = t.item_id AND o.status = :submitted) > 1
GROUP BY t.worker_id
"""


def assessed_answers(session: Session, job_id: int) -> dict[int, int]:
    """Per worker: the answers an accuracy estimate rests on, those on items that people
    labeled and that more than one worker answered (an item one worker answered says
    nothing of how often that worker is right)."""
    params = {
        "job": job_id,
        "submitted": TaskStatus.SUBMITTED.value,
        "labeled": ItemStatus.HUMAN_LABELED.value,
    }
    return {
        int(row["worker_id"]): int(row["answers"])
        for row in select_rows(session, _ASSESSED, params)
    }


def worker_stats(session: Session, job_id: int) -> list[WorkerStats]:
    """Every worker who answered in the job, by id: answers submitted, consolidated and
    assessed, agreement, the algorithm's estimates, and the median time spent per task."""
    records = {
        record.worker_id: record
        for record in session.exec(select(JobWorker).where(JobWorker.job_id == job_id))
    }
    times: dict[int, list[float]] = defaultdict(list)
    rows = session.exec(
        select(Task.worker_id, Task.time_spent_seconds).where(
            Task.job_id == job_id, Task.status == TaskStatus.SUBMITTED
        )
    )
    for worker_id, seconds in rows:
        times[worker_id].append(seconds or 0.0)
    worker_ids = sorted(set(records) | set(times))
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(worker_ids))).all())
    assessed = assessed_answers(session, job_id)
    return [
        _stats(
            worker_id,
            str(names.get(worker_id, "")),
            records.get(worker_id),
            times[worker_id],
            assessed.get(worker_id, 0),
        )
        for worker_id in worker_ids
    ]


def _stats(
    worker_id: int, name: str, record: JobWorker | None, seconds: list[float], assessed: int
) -> WorkerStats:
    consolidated = record.answers if record else 0
    return WorkerStats(
        worker_id=worker_id,
        name=name,
        submitted=len(seconds),
        consolidated=consolidated,
        assessed=assessed,
        agreement=round(record.agreed / consolidated, 4) if record and consolidated else None,
        accuracy=record.accuracy if record else None,
        confusion=record.confusion if record else None,
        spammer=record.spammer if record else False,
        median_seconds=round(statistics.median(seconds), 3) if seconds else None,
        gold_answers=record.gold_answers if record else 0,
        gold_accuracy=round(record.gold_correct / record.gold_answers, 4)
        if record and record.gold_answers
        else None,
        blocked=record.blocked if record else False,
    )

"""Gold items: known answers mixed into workers' streams, which score them and block those
who fall below the job's accuracy (the rules are in :mod:`quorum.services.jobs`).

A gold item is any item of the job with a ``gold_answer``: an input manifest line carrying
the gold key (part of the dataset), or a line of the job's gold manifest (status ``GOLD``,
outside the dataset; :mod:`quorum.runner.ingest`). Both are picked and scored alike.

Claims and submits read what they need here in the round trips they already make: the
claim reads the worker's blocked flag along with the job, the submit reads the item's
gold answer along with the task. A worker's score is kept with one upsert, so that
submits and the runner's consolidation can update the same record at once.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from quorum import audit
from quorum.db.rows import Statement, run, select_rows
from quorum.errors import Forbidden, ForbiddenReason
from quorum.events import WorkerBlocked
from quorum.models import Job
from quorum.statuses import utcnow


@dataclass(frozen=True)
class GoldSettings:
    """A job's gold items, with every default filled in (``gold`` of ``createJob``; checked
    by :func:`quorum.services.jobs.create_job`)."""

    #: The manifest key holding a gold line's known label.
    key: str = "gold-label"
    #: Below this accuracy on gold items, after ``min_answers`` of them, a worker is blocked.
    min_accuracy: float = 0.7
    min_answers: int = 3
    #: The share of a worker's claims that go to gold items while they have some left.
    share: float = 0.1
    #: The URL of a separate gold manifest, whose items are not part of the dataset.
    manifest: str | None = None

    def to_json(self) -> dict[str, Any]:
        """As stored in ``Job.gold``."""
        return {stored: getattr(self, name) for name, stored in _STORED_KEYS.items()}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any] | None) -> GoldSettings | None:
        """The settings stored in ``Job.gold``, or asked for by a ``gold`` input (camelCase
        keys; a key left out or ``None`` gets its default); ``None`` when gold is off."""
        if stored is None:
            return None
        given = {name: stored.get(key) for name, key in _STORED_KEYS.items()}
        return cls(**{name: value for name, value in given.items() if value is not None})


#: Each setting's key in ``Job.gold`` (and in the ``gold`` input).
_STORED_KEYS = {
    "key": "key",
    "min_accuracy": "minAccuracy",
    "min_answers": "minAnswers",
    "share": "share",
    "manifest": "manifest",
}

#: The worker's record in the job (read with the claim's other queries).
WORKER_RECORD = (
    "SELECT blocked, gold_answers, gold_correct FROM job_workers "
    "WHERE job_id = :job AND worker_id = :worker"
)
#: The gold answer of a task's item (read with the submit's other queries).
GOLD_OF_TASK = "SELECT gold_answer FROM items WHERE id = (SELECT item_id FROM tasks WHERE id = :id)"

_PICK = """
SELECT id FROM items
WHERE job_id = :job AND gold_answer IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.item_id = items.id AND tasks.worker_id = :worker)
ORDER BY random() LIMIT 1
"""
#: A gold item stays closed to ordinary claims: only the count of its tasks changes.
TAKE = "UPDATE items SET active_count = active_count + 1 WHERE id = :id"

_SCORE = """
INSERT INTO job_workers
  (job_id, worker_id, answers, agreed, spammer, gold_answers, gold_correct, blocked, updated_at)
VALUES (:job, :worker, 0, 0, :false, 1, :correct, :false, :now)
ON CONFLICT (job_id, worker_id) DO UPDATE SET
  gold_answers = job_workers.gold_answers + 1,
  gold_correct = job_workers.gold_correct + excluded.gold_correct,
  updated_at = excluded.updated_at
RETURNING gold_answers, gold_correct, blocked
"""
_BLOCK = (
    "UPDATE job_workers SET blocked = :true "
    "WHERE job_id = :job AND worker_id = :worker AND blocked = :false"
)


def is_blocked(session: Session, job: Job, worker_id: int) -> bool:
    """Whether gold items have blocked the worker from ``job`` (read on its own, for a
    claim that looks through every job the worker may work on)."""
    if job.gold is None:
        return False
    record = select_rows(session, WORKER_RECORD, {"job": job.id, "worker": worker_id})
    return _blocked(job, record)


def _blocked(job: Job, record: Sequence[Mapping[str, Any]]) -> bool:
    return job.gold is not None and bool(record) and bool(record[0]["blocked"])


def refuse_if_blocked(job: Job, record: Sequence[Mapping[str, Any]]) -> None:
    """:class:`Forbidden`, saying why, if the worker's record in ``job`` (the rows of
    :data:`WORKER_RECORD`) is blocked."""
    settings = GoldSettings.from_json(job.gold)
    if settings is not None and _blocked(job, record):
        row = record[0]
        accuracy = row["gold_correct"] / max(row["gold_answers"], 1)
        raise Forbidden(
            f"jobId: you receive no more tasks of job {job.name!r}: {accuracy:.0%} of your "
            f"answers to its gold items were right, and it needs "
            f"{settings.min_accuracy:.0%}",
            reason=ForbiddenReason.BLOCKED_BY_GOLD.value,
        )


def pick(session: Session, job: Job, worker_id: int) -> int | None:
    """A gold item for this claim (with the job's gold share of chances) that the worker
    has not answered, or ``None``."""
    settings = GoldSettings.from_json(job.gold)
    if settings is None or random.random() >= settings.share:
        return None
    rows = select_rows(session, _PICK, {"job": job.id, "worker": worker_id})
    return int(rows[0]["id"]) if rows else None


def take(item_id: int) -> Statement:
    """The statement that counts a task on a gold item."""
    return TAKE, {"id": item_id}


def score(session: Session, job: Job, worker_id: int, answer: Mapping[str, Any], gold: Any) -> None:
    """Count the worker's answer to a gold item; block them if their accuracy on gold items,
    after enough answers, is below the job's minimum."""
    if isinstance(gold, dict):
        _count(session, job, worker_id, right=answer.get("label") == gold.get("label"))


def score_unanswered(session: Session, job: Job, worker_id: int) -> None:
    """Count a gold task the worker handed back unanswered (released, declined, or let
    expire) as a wrong answer, which blocks as wrong answers do: a worker cannot tell a
    gold item, and handing one back is no way around it."""
    _count(session, job, worker_id, right=False)


def _count(session: Session, job: Job, worker_id: int, *, right: bool) -> None:
    settings = GoldSettings.from_json(job.gold)
    if settings is None:
        return
    (row,) = select_rows(
        session,
        _SCORE,
        {
            "job": job.id,
            "worker": worker_id,
            "correct": 1.0 if right else 0.0,
            "false": False,
            "now": utcnow(),
        },
    )
    answers, correct = int(row["gold_answers"]), float(row["gold_correct"])
    accuracy = correct / answers
    if row["blocked"] or answers < settings.min_answers or accuracy >= settings.min_accuracy:
        return
    if run(session, _BLOCK, {"job": job.id, "worker": worker_id, "true": True, "false": False}):
        audit.record(
            session,
            WorkerBlocked(
                actor_id=None,
                entity_id=worker_id,
                job_id=job.id,
                gold_answers=answers,
                accuracy=round(accuracy, 4),
                min_accuracy=settings.min_accuracy,
            ),
        )

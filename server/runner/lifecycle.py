"""Job state changes the runner makes: start, stop conditions, completion, failure."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from quorum import audit
from quorum.db import Database
from quorum.events import (
    JobCompleted,
    JobFailed,
    JobStarted,
    JobStopped,
    JobStopping,
)
from quorum.models import FINAL_JOB_STATUSES, Item, ItemStatus, Job, JobStatus, utcnow
from quorum.services.jobs import counters

#: How long a runner owns a job it is ingesting or writing out, unless it renews.
JOB_LEASE_SECONDS = 120


def take_job(db: Database, job_id: int) -> bool:
    """Take a job for ingest or output unless another runner holds it (compare-and-set)."""
    now = utcnow()
    with db.write() as session:
        result = session.execute(
            update(Job)
            .where(
                col(Job.id) == job_id,
                or_(col(Job.runner_lease_until).is_(None), col(Job.runner_lease_until) < now),
            )
            .values(runner_lease_until=now + timedelta(seconds=JOB_LEASE_SECONDS))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def renew_job(db: Database, job_id: int) -> None:
    """Extend this runner's hold on a job during a long ingest."""
    with db.write() as session:
        session.execute(
            update(Job)
            .where(col(Job.id) == job_id)
            .values(runner_lease_until=utcnow() + timedelta(seconds=JOB_LEASE_SECONDS))
        )


def release_job(db: Database, job_id: int) -> None:
    """Give up this runner's hold on a job (an auto-labeling iteration is done)."""
    with db.write() as session:
        session.execute(update(Job).where(col(Job.id) == job_id).values(runner_lease_until=None))


def _set_status(session: Session, job: Job, status: JobStatus) -> None:
    job.status = status
    job.updated_at = utcnow()
    job.runner_lease_until = None
    if status in FINAL_JOB_STATUSES:
        job.finished_at = job.updated_at
    session.add(job)


def start(session: Session, job: Job, items: int) -> None:
    """The manifest is in: hand out tasks."""
    assert job.id is not None
    _set_status(session, job, JobStatus.IN_PROGRESS)
    job.started_at = job.updated_at
    audit.record(session, JobStarted(actor_id=None, entity_id=job.id, job_id=job.id, items=items))


def fail(session: Session, job: Job, reason: str) -> None:
    """The job cannot go on."""
    assert job.id is not None
    _set_status(session, job, JobStatus.FAILED)
    job.failure_reason = reason
    audit.record(session, JobFailed(actor_id=None, entity_id=job.id, job_id=job.id, reason=reason))


def finish(session: Session, job: Job, output_url: str) -> None:
    """The output is written: ``COMPLETED``, or ``STOPPED`` for a stopping job."""
    assert job.id is not None
    job.output_manifest = output_url
    if job.status == JobStatus.STOPPING:
        _set_status(session, job, JobStatus.STOPPED)
        audit.record(
            session, JobStopped(actor_id=None, entity_id=job.id, job_id=job.id, output=output_url)
        )
    else:
        _set_status(session, job, JobStatus.COMPLETED)
        audit.record(
            session, JobCompleted(actor_id=None, entity_id=job.id, job_id=job.id, output=output_url)
        )


def stopping_condition_met(session: Session, job: Job) -> bool:
    """Whether ``maxHumanLabeledItems`` or ``maxLabeledPercentage`` is reached."""
    if job.max_human_labeled_items is None and job.max_labeled_percentage is None:
        return False
    assert job.id is not None
    count = counters(session, job.id)
    if (
        job.max_human_labeled_items is not None
        and count.human_labeled >= job.max_human_labeled_items
    ):
        return True
    labeled = count.human_labeled + count.machine_labeled
    return (
        job.max_labeled_percentage is not None
        and count.total > 0
        and 100 * labeled / count.total >= job.max_labeled_percentage
    )


def begin_stopping(session: Session, job: Job) -> None:
    """A stopping condition held: no more tasks go out."""
    assert job.id is not None
    _set_status(session, job, JobStatus.STOPPING)
    audit.record(session, JobStopping(actor_id=None, entity_id=job.id, job_id=job.id))


def has_open_items(session: Session, job_id: int) -> bool:
    """Whether any item still waits for answers."""
    return (
        session.exec(
            select(Item.id)
            .where(
                Item.job_id == job_id,
                col(Item.status).in_([ItemStatus.UNLABELED, ItemStatus.IN_PROGRESS]),
            )
            .limit(1)
        ).first()
        is not None
    )


def unanswered_items(session: Session, job_id: int) -> list[Item]:
    """Items no one answered (when a job's availability ended), a batch at a time."""
    return list(
        session.exec(
            select(Item)
            .where(
                Item.job_id == job_id,
                col(Item.status).in_([ItemStatus.UNLABELED, ItemStatus.IN_PROGRESS]),
                Item.answers_count == 0,
            )
            .limit(1_000)
        )
    )

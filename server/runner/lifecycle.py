"""Job state changes the runner makes: start, stop conditions, completion, failure."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from quorum import audit
from quorum.db.engine import Database
from quorum.events import (
    JobCompleted,
    JobFailed,
    JobStarted,
    JobStopped,
    JobStopping,
)
from quorum.models import Item, Job
from quorum.services.jobs import counters
from quorum.statuses import FINAL_JOB_STATUSES, UNFINISHED_ITEM_STATUSES, JobStatus, utcnow

logger = logging.getLogger("quorum.runner")

#: How long a runner owns a job it is ingesting, writing out or auto-labeling unless it
#: renews (``QUORUM_RUNNER_LEASE_SECONDS`` sets it per runner): short, so that another
#: runner takes a crashed runner's job within seconds.
JOB_LEASE_SECONDS = 15.0


class LeaseLost(Exception):
    """Another runner took the job: this runner's lease lapsed (it stalled past it)."""


class JobLease:
    """A runner's hold on one job, renewed on a thread every third of ``seconds``.

    The lease is the job's ``runner_lease_until``; the value this runner last wrote is
    its token, so a renewal only extends its own lease (compare-and-set) and a runner
    that stalled past it learns so (:meth:`check` raises :class:`LeaseLost`) instead of
    writing over its successor's work.
    """

    def __init__(self, db: Database, job_id: int, seconds: float = JOB_LEASE_SECONDS) -> None:
        self.db = db
        self.job_id = job_id
        self.seconds = seconds
        self._until: datetime | None = None
        self._renewed_at = 0.0
        self._lost = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def take(self) -> bool:
        """Take the job unless another runner holds it, and start renewing."""
        now = utcnow()
        until = now + timedelta(seconds=self.seconds)
        with self.db.write() as session:
            result = session.execute(
                update(Job)
                .where(
                    col(Job.id) == self.job_id,
                    or_(col(Job.runner_lease_until).is_(None), col(Job.runner_lease_until) < now),
                )
                .values(runner_lease_until=until)
            )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        self._until = until
        self._renewed_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._renew_until_done, name=f"quorum-lease-{self.job_id}", daemon=True
        )
        self._thread.start()
        return True

    def renew(self) -> None:
        """Extend the lease now; raises :class:`LeaseLost` if it is no longer this runner's."""
        until = utcnow() + timedelta(seconds=self.seconds)
        with self.db.write() as session:
            result = session.execute(
                update(Job)
                .where(col(Job.id) == self.job_id, col(Job.runner_lease_until) == self._until)
                .values(runner_lease_until=until)
            )
        if not result.rowcount:  # type: ignore[attr-defined]
            self._lost = True
            raise LeaseLost(f"job {self.job_id}: another runner took it")
        self._until = until
        self._renewed_at = time.monotonic()

    def check(self) -> None:
        """Raise :class:`LeaseLost` if the job is no longer this runner's: a renewal found
        it taken, or none succeeded for half the lease (this runner stalled), and renewing
        now finds it taken."""
        if self._lost:
            raise LeaseLost(f"job {self.job_id}: another runner took it")
        if time.monotonic() - self._renewed_at > self.seconds / 2:
            self.renew()

    def stop(self) -> None:
        """Stop renewing (the job's new status cleared the lease, or it runs out)."""
        self._done.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.seconds)

    def release(self) -> None:
        """Stop renewing and give the job up at once (a step is done)."""
        self.stop()
        with self.db.write() as session:
            session.execute(
                update(Job)
                .where(col(Job.id) == self.job_id, col(Job.runner_lease_until) == self._until)
                .values(runner_lease_until=None)
            )

    def _renew_until_done(self) -> None:
        while not self._done.wait(self.seconds / 3):
            try:
                self.renew()
            except LeaseLost:
                logger.warning("runner lost its lease on job %s", self.job_id)
                return
            except Exception:  # the database is away for a moment: try again soon
                logger.exception("could not renew the lease on job %s", self.job_id)


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
                col(Item.status).in_(UNFINISHED_ITEM_STATUSES),
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
                col(Item.status).in_(UNFINISHED_ITEM_STATUSES),
                Item.answers_count == 0,
            )
            .limit(1_000)
        )
    )

"""The runner: the background loop that ingests, expires leases, consolidates and writes.

``quorum serve`` runs it on a thread beside the server (never on the event loop);
``quorum runner`` runs it alone. Every step claims its work from the database, so any
number of runners on any number of machines can share one PostgreSQL.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import update
from sqlmodel import col, select

from quorum.audit import seal_pending
from quorum.db.engine import Database
from quorum.errors import QuorumError
from quorum.models import Job
from quorum.output_manifest import write_output_manifest
from quorum.plugins import PluginHost
from quorum.runner import auto_labeling, lifecycle, shortfall
from quorum.runner.consolidation import BATCH, apply, fail_items, plan, write_responses
from quorum.runner.ingest import failure_reason, ingest
from quorum.services.tasks import availability_over, expire_leases
from quorum.statuses import JobStatus, utcnow
from quorum.tenancy import job_storage, read_job_storage

logger = logging.getLogger("quorum.runner")

UNANSWERED = "no worker labeled it within taskAvailabilitySeconds"
DECLINED = "every worker who may take it declined it"


class Runner:
    """One runner: call :meth:`run_once` repeatedly, or :meth:`start` a thread."""

    def __init__(
        self,
        db: Database,
        plugins: PluginHost,
        poll_seconds: float = 0.5,
        lease_seconds: float = lifecycle.JOB_LEASE_SECONDS,
    ) -> None:
        self.db = db
        self.plugins = plugins
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.features = auto_labeling.FeatureCache()

    # -- one pass -----------------------------------------------------------

    def run_once(self) -> bool:
        """Do every kind of pending work once; ``True`` if anything was done."""
        worked = False
        with self.db.write() as session:
            worked |= expire_leases(session) > 0
        with self.db.write() as session:
            worked |= seal_pending(session) > 0
        worked |= self._ingest_pending()
        with self.db.read() as session:
            active = session.exec(
                select(Job.id).where(
                    col(Job.status).in_([JobStatus.IN_PROGRESS, JobStatus.STOPPING])
                )
            ).all()
        for job_id in active:
            assert job_id is not None
            worked |= self._advance(job_id)
        return worked

    def run_until_idle(self, max_passes: int = 1_000) -> None:
        """Run passes until one finds nothing to do (tests, benchmarks, one-shot runs)."""
        for _ in range(max_passes):
            if not self.run_once():
                return

    def _ingest_pending(self) -> bool:
        with self.db.read() as session:
            waiting = session.exec(
                select(Job).where(Job.status == JobStatus.INITIALIZING).order_by(col(Job.id))
            ).all()
        for job in waiting:
            assert job.id is not None
            lease = lifecycle.JobLease(self.db, job.id, self.lease_seconds)
            if not lease.take():
                continue
            try:
                self._ingest(job, lease)
            finally:
                lease.stop()
            return True
        return False

    def _ingest(self, job: Job, lease: lifecycle.JobLease) -> None:
        """Ingest ``job`` under ``lease``, then start it (or fail it, for a bad manifest)."""
        job_id = job.id
        try:
            items = ingest(self.db, self.plugins, job, check_lease=lease.check)
        except lifecycle.LeaseLost:
            return  # this runner stalled past its lease: the job is another runner's
        except QuorumError as exc:
            lease.stop()
            with self.db.write() as session:
                fresh = session.get(Job, job_id)
                assert fresh is not None
                lifecycle.fail(session, fresh, failure_reason(exc))
            return
        lease.stop()
        lease.check()
        with self.db.write() as session:
            fresh = session.get(Job, job_id)
            assert fresh is not None
            if fresh.status == JobStatus.INITIALIZING:
                lifecycle.start(session, fresh, items)
            else:  # stopped while ingesting
                fresh.runner_lease_until = None
                session.add(fresh)

    def _advance(self, job_id: int) -> bool:
        """Move a running or stopping job on, one phase after the other: consolidate what
        is ready, finish the items no worker can take any more, run an auto-labeling
        iteration when the job's human batch is done, then end the job if its time has
        come."""
        worked = self._consolidate_ready(job_id)
        worked |= self._finish_short_items(job_id)
        worked |= auto_labeling.advance(
            self.db, self.plugins, self.features, job_id, self.lease_seconds
        )
        return self._end_if_due(job_id) or worked

    def _consolidate_ready(self, job_id: int) -> bool:
        """Consolidate the items whose answers are in (every item with answers once the
        job is stopping or its availability is over), a batch at a time."""
        worked = False
        while True:
            with self.db.read() as session:
                job = session.get(Job, job_id)
                assert job is not None
                partial = job.status == JobStatus.STOPPING or availability_over(job, utcnow())
                batch = plan(session, self.plugins, job, partial=partial)
            if not batch.outcomes:
                return worked
            storage = read_job_storage(self.db, self.plugins, job)
            write_responses(self.plugins, storage, job, batch.outcomes)
            with self.db.write() as session:
                changed = apply(session, job, batch)
            worked |= changed > 0
            # Go round again only for a backlog (a full batch). Answers that trickle in
            # wait for the next pass: chasing them one by one costs a write transaction and
            # a file per answer while workers are submitting, and slows their requests.
            if not changed or len(batch.outcomes) < BATCH:
                return worked

    def _finish_short_items(self, job_id: int) -> bool:
        """Finish the items no eligible worker can take any more, and keep the job's count
        of those that wait for a worker (:mod:`quorum.runner.shortfall`)."""
        with self.db.read() as session:
            job = session.get(Job, job_id)
            assert job is not None
            if job.status != JobStatus.IN_PROGRESS:
                return False
            short = shortfall.find(session, self.plugins, job)
            batch = plan(session, self.plugins, job, partial=True, items=short.answered)
        if batch.outcomes:
            storage = read_job_storage(self.db, self.plugins, job)
            write_responses(self.plugins, storage, job, batch.outcomes)
        if not (batch.outcomes or short.declined) and short.waiting == job.waiting_for_workers:
            return False
        with self.db.write() as session:
            changed = apply(session, job, batch) if batch.outcomes else 0
            if short.declined:  # looked up again under the write lock, to fail them
                declined = shortfall.find(session, self.plugins, job).declined
                fail_items(session, declined, DECLINED)
            session.execute(
                update(Job).where(col(Job.id) == job_id).values(waiting_for_workers=short.waiting)
            )
        return changed > 0 or bool(short.declined)

    def _end_if_due(self, job_id: int) -> bool:
        """Begin stopping the job when a stopping condition is met, fail its unanswered
        items once its availability is over, or write its output when it is stopping or
        has no open item left; ``True`` if any of these happened. It decides in a read
        transaction and takes the write lock only to change something."""
        with self.db.read() as session:
            job = session.get(Job, job_id)
            assert job is not None
            running = job.status == JobStatus.IN_PROGRESS
            stop = running and lifecycle.stopping_condition_met(session, job)
            expire = (
                running
                and not stop
                and availability_over(job, utcnow())
                and bool(lifecycle.unanswered_items(session, job_id))
            )
            finishing = job.status == JobStatus.STOPPING or not lifecycle.has_open_items(
                session, job_id
            )
        if stop:
            with self.db.write() as session:
                job = session.get(Job, job_id)
                assert job is not None
                lifecycle.begin_stopping(session, job)
            return True
        if expire:
            with self.db.write() as session:
                while items := lifecycle.unanswered_items(session, job_id):
                    fail_items(session, items, UNANSWERED)
            return True
        return finishing and self._write_output(job_id)

    def _write_output(self, job_id: int) -> bool:
        """Write the job's output manifest under its lease, then complete (or stop) it;
        ``False`` if another runner holds the job or finished it meanwhile."""
        lease = lifecycle.JobLease(self.db, job_id, self.lease_seconds)
        if not lease.take():
            return False
        url = None
        try:
            with self.db.read() as session:
                job = session.get(Job, job_id)
                assert job is not None
                if job.status in (JobStatus.IN_PROGRESS, JobStatus.STOPPING):
                    storage = job_storage(session, self.plugins, job)
                    url = write_output_manifest(session, storage, job)
        finally:
            lease.stop()
        if url is None:  # another runner finished it meanwhile
            lease.release()
            return False
        lease.check()
        with self.db.write() as session:
            job = session.get(Job, job_id)
            assert job is not None
            lifecycle.finish(session, job, url)
        self.features.forget(job_id)
        return True

    # -- the loop -----------------------------------------------------------

    def start(self) -> None:
        """Run the loop on a daemon thread until :meth:`stop`."""
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name="quorum-runner", daemon=True)
        self._thread.start()

    def run_forever(self) -> None:
        """Loop until stopped, pausing ``poll_seconds`` after each pass (a pass drains what
        is ready, so the pause only gathers the next batch instead of consolidating answers
        one by one while workers submit them); an unexpected error is logged and the loop
        goes on."""
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                logger.exception("runner pass failed")
            self._stop.wait(self.poll_seconds)

    def stop(self) -> None:
        """Ask the loop to end and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

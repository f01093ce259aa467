"""Why ``claimTask`` gave a worker nothing: a reason a client can read and a sentence a
person can act on.

``claimTask`` answers ``null`` when there is no task for the caller, and puts one of these
in the response's ``extensions.claimTask`` (``{"reason", "message"}``). Being outside the
job's workforce, or blocked by its gold items, is an error instead (``FORBIDDEN``), since
no claim can ever succeed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from quorum.models import Job
from quorum.services.tasks import at_concurrency_cap, availability_over, load_job
from quorum.statuses import FINAL_JOB_STATUSES, JobStatus, utcnow


class NoTaskReason(enum.StrEnum):
    """Why a claim found nothing."""

    #: The job is still reading its manifest (``INITIALIZING``): try again shortly.
    NOT_STARTED = "NOT_STARTED"
    #: The job takes no more answers: stopping, stopped, completed, failed, or its
    #: ``taskAvailabilitySeconds`` are over.
    CLOSED = "CLOSED"
    #: ``maxConcurrentTasks`` items are being worked on; one may open when they are done.
    AT_CAPACITY = "AT_CAPACITY"
    #: You answered or declined every item left, or others hold the rest.
    NOTHING_LEFT = "NOTHING_LEFT"
    #: No ``jobId`` was given and no job has work for you now.
    NO_JOBS = "NO_JOBS"


@dataclass(frozen=True)
class NoTask:
    """A reason and its sentence, as ``extensions.claimTask`` carries them."""

    reason: NoTaskReason
    message: str

    def as_extension(self) -> dict[str, str]:
        """The JSON object of ``extensions.claimTask``."""
        return {"reason": self.reason.value, "message": self.message}


def explain(session: Session, job_id: int | None) -> NoTask:
    """Why the caller's claim of ``job_id`` (or of any job, for ``None``) found nothing,
    read right after it in the same transaction."""
    if job_id is None:
        return NoTask(NoTaskReason.NO_JOBS, "No job has a task for you now; check back later.")
    job = load_job(session, job_id)
    assert job is not None, "the claim found the job"
    return _of_job(job, lambda: at_concurrency_cap(session, job))


def _of_job(job: Job, capped: Callable[[], bool]) -> NoTask:
    name = repr(job.name)
    if job.status == JobStatus.INITIALIZING:
        return NoTask(
            NoTaskReason.NOT_STARTED,
            f"Job {name} has not started yet: it is still reading its manifest. "
            "Try again in a few seconds.",
        )
    if job.status in (*FINAL_JOB_STATUSES, JobStatus.STOPPING):
        return NoTask(NoTaskReason.CLOSED, f"Job {name} is {job.status}; it takes no more answers.")
    if availability_over(job, utcnow()):
        return NoTask(
            NoTaskReason.CLOSED,
            f"Job {name} is past its taskAvailabilitySeconds; it takes no more answers.",
        )
    if capped():
        return NoTask(
            NoTaskReason.AT_CAPACITY,
            f"Job {name} has {job.max_concurrent_tasks} items being worked on, its "
            "maxConcurrentTasks; try again when some are done.",
        )
    return NoTask(
        NoTaskReason.NOTHING_LEFT,
        f"Nothing is left for you in job {name}: you answered or declined every item "
        "still open, or other workers hold them.",
    )

"""What a job cost so far, and what auto-labeling saved.

As in Ground Truth's examples: every submitted answer is paid ``pricePerTask`` (the
workforce), every labeled item, by people or by machine, pays the service fee
(``QUORUM_SERVICE_FEE_PER_ITEM``, 0 by default), and auto-labeling's training and
prediction time is paid at ``QUORUM_COMPUTE_PRICE_PER_HOUR`` (0 by default). ``saved`` is
what the machine-labeled items would have cost in answers had people labeled them
(``workersPerItem`` answers each) less the compute spent: negative while the model has not
paid for itself yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from quorum.models import Job, ModelRun, Task
from quorum.services.jobs import counters
from quorum.settings import Settings
from quorum.statuses import TaskStatus

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Cost:
    """A job's cost so far, in the currency of ``pricePerTask``."""

    workforce: float
    service: float
    compute: float
    saved: float

    @property
    def total(self) -> float:
        """Workforce, service and compute together."""
        return round(self.workforce + self.service + self.compute, 6)


def job_cost(session: Session, job: Job, settings: Settings) -> Cost:
    """Count the job's answers, labeled items and compute seconds, and price them."""
    assert job.id is not None
    answers = session.exec(
        select(func.count())
        .select_from(Task)
        .where(Task.job_id == job.id, Task.status == TaskStatus.SUBMITTED)
    ).one()
    seconds = session.exec(
        select(func.coalesce(func.sum(ModelRun.seconds), 0.0)).where(ModelRun.job_id == job.id)
    ).one()
    count = counters(session, job.id)
    compute = round(float(seconds) / SECONDS_PER_HOUR * settings.compute_price_per_hour, 6)
    human_price = job.workers_per_item * job.price_per_task
    return Cost(
        workforce=round(int(answers) * job.price_per_task, 6),
        service=round(
            (count.human_labeled + count.machine_labeled) * settings.service_fee_per_item, 6
        ),
        compute=compute,
        saved=round(count.machine_labeled * human_price - compute, 6),
    )

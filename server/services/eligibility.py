"""Who may work on a job now: the workers its workforce provider lets in, less the
disabled and those its gold items blocked. Read by the runner (items short of workers,
:mod:`quorum.runner.shortfall`) and by ``Job.warnings``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set

from sqlmodel import Session, col, select

from quorum.models import Job, JobWorker, TeamMember, User
from quorum.plugin_context import JobInfo, WorkerInfo
from quorum.plugins import PluginHost
from quorum.statuses import Role
from quorum.workforce import WorkforceProvider


def may_work(provider: WorkforceProvider, job: Job, worker: User, team_ids: Set[int]) -> bool:
    """Whether ``worker`` may take ``job``'s tasks: a worker of the job's organization whom
    the job's workforce provider lets in (given the rows' value objects)."""
    return worker.organization_id == job.organization_id and provider.may_work(
        JobInfo.of(job), WorkerInfo.of(worker), team_ids
    )


def eligible_workers(session: Session, plugins: PluginHost, job: Job) -> set[int] | None:
    """The ids of the workers who may take ``job``'s tasks now (``None`` when the job's
    workforce provider is not installed)."""
    if job.workforce not in plugins.workforces:
        return None
    provider = plugins.workforces.get(job.workforce, "workforce")
    teams: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in session.exec(select(TeamMember.team_id, TeamMember.user_id)).all():
        teams[user_id].add(team_id)
    workers = session.exec(
        select(User).where(
            User.role == Role.WORKER.value,
            col(User.disabled).is_(False),
            User.organization_id == job.organization_id,
        )
    ).all()
    blocked = set(
        session.exec(
            select(JobWorker.worker_id).where(
                JobWorker.job_id == job.id, col(JobWorker.blocked).is_(True)
            )
        ).all()
    )
    return {
        worker.id
        for worker in workers
        if worker.id is not None
        and worker.id not in blocked
        and may_work(provider, job, worker, teams[worker.id])
    }

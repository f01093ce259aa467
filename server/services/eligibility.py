"""Who may work on a job now: the workers its workforce provider lets in, less the
disabled and those its gold items blocked. Read by the runner (items short of workers,
:mod:`quorum.runner.shortfall`) and by ``Job.warnings``."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from quorum.models import Job, JobWorker, Role, TeamMember, User
from quorum.plugins import PluginHost


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
        select(User).where(User.role == Role.WORKER.value, col(User.disabled).is_(False))
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
        and provider.may_work(job, worker, teams[worker.id])
    }

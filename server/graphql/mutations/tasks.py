"""Mutations on tasks: the worker's loop of claim, submit (or release)."""

from __future__ import annotations

import strawberry
from sqlmodel import Session
from strawberry.scalars import JSON

from quorum import models
from quorum.graphql.context import Info
from quorum.graphql.permissions import require_worker
from quorum.graphql.types.pagination import parse_id
from quorum.graphql.types.task import Task, task_view
from quorum.services import tasks as task_service


@strawberry.type
class TaskMutationMixin:
    """claimTask, submitTask, releaseTask."""

    @strawberry.mutation
    async def claim_task(self, info: Info, job_id: strawberry.ID | None = None) -> Task | None:
        """Take the next task of a job (or of any job you may work on); the task you already
        hold comes back if you hold one. ``null`` when nothing is left for you."""
        wanted = None if job_id is None else parse_id(job_id, "jobId")
        plugins = info.context.plugins

        def run(session: Session, caller: models.User) -> Task | None:
            require_worker(caller, "claimTask")
            task = task_service.claim_task(session, worker=caller, job_id=wanted, plugins=plugins)
            return None if task is None else task_view(info, session, task)

        return await info.context.write(run)

    @strawberry.mutation
    async def submit_task(self, info: Info, task_id: strawberry.ID, answer: JSON) -> Task:
        """Answer your task; sending the same answer again is harmless."""
        wanted = parse_id(task_id, "taskId")
        plugins = info.context.plugins

        def run(session: Session, caller: models.User) -> Task:
            require_worker(caller, "submitTask")
            task = task_service.submit_task(
                session, worker=caller, task_id=wanted, answer=answer, plugins=plugins
            )
            return task_view(info, session, task)

        return await info.context.write(run)

    @strawberry.mutation
    async def release_task(self, info: Info, task_id: strawberry.ID) -> Task:
        """Hand your task back unanswered; its item goes to another worker."""
        wanted = parse_id(task_id, "taskId")

        def run(session: Session, caller: models.User) -> Task:
            require_worker(caller, "releaseTask")
            task = task_service.release_task(session, worker=caller, task_id=wanted)
            return task_view(info, session, task)

        return await info.context.write(run)

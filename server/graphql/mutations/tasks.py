"""Mutations on tasks: the worker's loop of claim, submit (or release, or decline)."""

from __future__ import annotations

import strawberry
from sqlmodel import Session
from strawberry.scalars import JSON

from quorum import models
from quorum.graphql.context import Info
from quorum.graphql.permissions import require_worker
from quorum.graphql.types.pagination import parse_id
from quorum.graphql.types.task import Task, task_view
from quorum.services import no_task
from quorum.services import tasks as task_service


@strawberry.type
class TaskMutationMixin:
    """claimTask, submitTask, releaseTask, declineTask."""

    @strawberry.mutation
    async def claim_task(self, info: Info, job_id: strawberry.ID | None = None) -> Task | None:
        """Take the next task of a job (or of any job you may work on); the task you already
        hold comes back if you hold one. ``null`` when there is none for you, with the
        reason in the response's ``extensions.claimTask`` (``reason``: NOT_STARTED, CLOSED,
        AT_CAPACITY, NOTHING_LEFT or NO_JOBS, and a ``message``)."""
        wanted = None if job_id is None else parse_id(job_id, "jobId")
        plugins = info.context.plugins

        def run(session: Session, caller: models.User) -> Task | None:
            require_worker(caller, "claimTask")
            task = task_service.claim_task(session, worker=caller, job_id=wanted, plugins=plugins)
            if task is None:
                why = no_task.explain(session, wanted)
                info.context.response_extensions["claimTask"] = why.as_extension()
                return None
            return task_view(info, session, task)

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
        """Hand your task back unanswered ("not now"): its item goes back to the pool, and
        you may get it again once nothing else is left for you."""
        wanted = parse_id(task_id, "taskId")

        def run(session: Session, caller: models.User) -> Task:
            require_worker(caller, "releaseTask")
            task = task_service.release_task(session, worker=caller, task_id=wanted)
            return task_view(info, session, task)

        return await info.context.write(run)

    @strawberry.mutation
    async def decline_task(self, info: Info, task_id: strawberry.ID) -> Task:
        """Decline your task ("I can't do this one"): its item goes to other workers and
        never to you again."""
        wanted = parse_id(task_id, "taskId")

        def run(session: Session, caller: models.User) -> Task:
            require_worker(caller, "declineTask")
            task = task_service.decline_task(session, worker=caller, task_id=wanted)
            return task_view(info, session, task)

        return await info.context.write(run)

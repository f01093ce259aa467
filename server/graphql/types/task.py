"""Tasks: one item assigned to one worker."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlmodel import Session
from strawberry.scalars import JSON

from quorum import models
from quorum.graphql.context import Info
from quorum.graphql.types.enums import TaskStatus
from quorum.graphql.types.item import Item
from quorum.graphql.types.job import Job
from quorum.services.tasks import task_input


@strawberry.type
class Task:
    """An assignment of one item to one worker, under a lease."""

    id: strawberry.ID
    status: TaskStatus
    lease_expires_at: datetime
    accepted_at: datetime
    submitted_at: datetime | None
    time_spent_seconds: float | None
    answer: JSON | None
    job: Job
    item: Item
    input: JSON = strawberry.field(
        description="What the worker template renders: taskObject (inline text, or a signed "
        "or presigned URL for source-ref), manifestLine, and what pre-annotation added."
    )

    @classmethod
    def from_models(
        cls, task: models.Task, job: models.Job, item: models.Item, input: JSON
    ) -> Task:
        """The public view of a task, with its job and item."""
        return cls(
            id=strawberry.ID(str(task.id)),
            status=models.TaskStatus(task.status),
            lease_expires_at=task.lease_expires_at,
            accepted_at=task.accepted_at,
            submitted_at=task.submitted_at,
            time_spent_seconds=task.time_spent_seconds,
            answer=None if task.answer is None else JSON(task.answer),
            job=Job.from_model(job),
            item=Item.from_model(item),
            input=input,
        )


def task_view(info: Info, session: Session, task: models.Task) -> Task:
    """Load a task's job and item and build its public view (inside a transaction)."""
    job = session.get(models.Job, task.job_id)
    item = session.get(models.Item, task.item_id)
    assert job is not None and item is not None
    context = info.context
    payload = task_input(job, item, context.plugins.storage, context.settings.url_expiry_seconds)
    return Task.from_models(task, job, item, JSON(payload))

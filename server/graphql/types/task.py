"""Tasks: one item assigned to one worker."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlmodel import Session
from strawberry.scalars import JSON

from quorum import models, statuses
from quorum.blocking import run_blocking
from quorum.graphql.browser_urls import browser_url
from quorum.graphql.context import Info
from quorum.graphql.types.enums import TaskStatus
from quorum.graphql.types.item import Item
from quorum.graphql.types.job import Job
from quorum.services import blinding
from quorum.services.tasks import load_item_and_count, load_job, task_input
from quorum.storage import Storage
from quorum.templates import render_template
from quorum.tenancy import job_storage


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
    _job: strawberry.Private[models.Job]
    _item: strawberry.Private[models.Item | None]
    #: The job's items, gold included (0 until the item is read), and the key of its
    #: workers' view (:mod:`quorum.services.blinding`).
    _item_count: strawberry.Private[int]
    _view_key: strawberry.Private[bytes]
    _storage: strawberry.Private[Storage]
    _url_expiry: strawberry.Private[int]

    @strawberry.field
    def job(self) -> Job:
        """The task's job."""
        return Job.from_model(self._job)

    @strawberry.field
    def item(self) -> Item:
        """The item to label, as its worker may see it (:meth:`Item.worker_view`)."""
        assert self._item is not None, "task_view loads the item when it is selected"
        return Item.worker_view(self._item, self._job, self._view_key, self._item_count)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="What the worker template renders: taskObject (inline text, or a signed "
        "or presigned URL for source-ref), manifestLine, the previous label of a "
        "verification or adjustment task (previousLabel, initialValue), and what "
        "pre-annotation added."
    )
    def input(self) -> JSON:
        """Built only when asked for, since a source-ref means signing a URL."""
        assert self._item is not None, "task_view loads the item when it is selected"
        return JSON(task_input(self._job, self._item, self._storage, self._url_expiry))

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The job's worker template rendered for this task (HTML, to show in a "
        "sandboxed frame), or null when the job has no template."
    )
    async def rendered_template(self, info: Info) -> str | None:
        """The job's Liquid template with ``task.input`` of this task only
        (:mod:`quorum.templates`). ``grant_read_access`` signs what a storage backend
        serves and leaves any other URL (``https://...``) as it is."""
        if self._job.template is None:
            return None
        assert self._item is not None, "task_view loads the item when it is selected"

        def grant_read_access(url: str) -> str:
            return browser_url(info, url, self._job.organization_id) or url

        inputs = task_input(self._job, self._item, self._storage, self._url_expiry)
        # Off the event loop: a template may take a while (within its limits).
        return await run_blocking(render_template, self._job.template, inputs, grant_read_access)


#: The task fields that read its item.
_NEEDS_ITEM = frozenset({"item", "input", "renderedTemplate"})


def _selects_item(info: Info) -> bool:
    """Whether the operation asks for the task's item, input or rendered template
    (fragments count as yes)."""
    for field in info.selected_fields:
        for selection in field.selections:
            name = getattr(selection, "name", None)
            if name is None or name in _NEEDS_ITEM:  # a fragment, or a field that reads it
                return True
    return False


def task_view(info: Info, session: Session, task: models.Task) -> Task:
    """The public view of a task. Its job, and its item if the operation selects it, are
    read now (inside the transaction); the rest is computed only for the fields selected."""
    job = load_job(session, task.job_id)
    item, count = load_item_and_count(session, task) if _selects_item(info) else (None, 0)
    assert job is not None
    return Task(
        id=strawberry.ID(str(task.id)),
        status=statuses.TaskStatus(task.status),
        lease_expires_at=task.lease_expires_at,
        accepted_at=task.accepted_at,
        submitted_at=task.submitted_at,
        time_spent_seconds=task.time_spent_seconds,
        answer=None if task.answer is None else JSON(task.answer),
        _job=job,
        _item=item,
        _item_count=count,
        _view_key=blinding.job_key(info.context.session_key, task.job_id),
        _storage=job_storage(session, info.context.plugins, job),
        _url_expiry=info.context.settings.url_expiry_seconds,
    )

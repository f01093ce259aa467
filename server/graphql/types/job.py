"""Jobs, their counters, cost and items."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry
from sqlmodel import Session, col, select
from strawberry.scalars import JSON

from quorum import models, statuses
from quorum.graphql.browser_urls import browser_url
from quorum.graphql.context import Info
from quorum.graphql.permissions import JobManagersOnly
from quorum.graphql.types.enums import ItemStatus, JobStatus
from quorum.graphql.types.item import Item
from quorum.graphql.types.pagination import Connection, connection, decode_cursor, page_size
from quorum.services import cost as cost_service
from quorum.services import gold as gold_service
from quorum.services import jobs as job_service
from quorum.services import worker_quality
from quorum.services.jobs import Counters
from quorum.services.shortcuts import effective_shortcuts

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

#: What the description of a field for the job's requester and admins says.
_MANAGERS = "Requesters and admins only: FORBIDDEN for a worker."

_View = TypeVar("_View", bound="DataclassInstance")


def _view(cls: type[_View], source: object, **shown: Any) -> _View:
    """An instance of the strawberry type ``cls``: the values ``shown``, and for each other
    public field its constructor takes (not those a resolver computes), ``source``'s
    attribute of the same name, as it is."""
    copied = {
        field.name: getattr(source, field.name)
        for field in dataclasses.fields(cls)
        if field.init and not field.name.startswith("_") and field.name not in shown
    }
    return cls(**copied, **shown)


def _managers_only(description: str = "") -> Any:
    """A job field only its requester and admins read (:class:`JobManagersOnly`): how the
    job is run and where its data lives, none of which labeling needs."""
    return strawberry.field(
        permission_classes=[JobManagersOnly], description=f"{description} {_MANAGERS}".strip()
    )


@strawberry.type
class JobCounters:
    """How many items are in each state."""

    total: int
    human_labeled: int
    machine_labeled: int
    failed: int
    unlabeled: int
    in_progress: int
    skipped: int
    gold: int = strawberry.field(
        description="Items of the job's gold manifest: not part of the dataset or total."
    )
    waiting_for_workers: int = strawberry.field(
        default=0,
        description=(
            "Unfinished items that no worker who may work on the job can take any more "
            "(the workforce has no eligible worker left for them: add workers, or they "
            "fail when taskAvailabilitySeconds is over)."
        ),
    )

    @classmethod
    def from_counters(cls, counters: Counters) -> JobCounters:
        """The GraphQL view of service counters."""
        return _view(cls, counters)


@strawberry.type
class JobCost:
    """What a job cost so far, in the currency of ``pricePerTask``."""

    workforce: float = strawberry.field(description="Submitted answers x pricePerTask.")
    service: float = strawberry.field(description="Labeled items x the service fee.")
    compute: float = strawberry.field(description="Auto-labeling compute time x its price.")
    total: float = strawberry.field(description="Workforce, service and compute together.")
    saved: float = strawberry.field(
        description="What people would have been paid for the machine-labeled items, less compute."
    )
    currency: str = strawberry.field(
        description="The ISO 4217 code of the currency of these amounts and of pricePerTask "
        "(the server's QUORUM_CURRENCY, USD by default)."
    )


@strawberry.type
class ModelRun:
    """One auto-labeling iteration: trained on ``trainingSize`` human labels, it labeled
    ``itemsLabeled`` items by machine and sent ``itemsSent`` to people."""

    id: strawberry.ID
    iteration: int = strawberry.field(description="1 for the first model, then 2, 3, ...")
    model: str
    status: str = strawberry.field(description="SUCCEEDED, SKIPPED or FAILED.")
    training_size: int = strawberry.field(description="Human labels trained on.")
    threshold: float | None = strawberry.field(
        description="Confidence at or above which items were machine-labeled (null: none)."
    )
    estimated_accuracy: float | None = strawberry.field(
        description="Cross-validated accuracy of the human-labeled items at or above it."
    )
    accuracy_lower_bound: float | None = strawberry.field(
        description="Its one-sided lower confidence bound, which met the target."
    )
    validated_items: int = strawberry.field(
        description="Cross-validated items at or above the threshold."
    )
    items_labeled: int = strawberry.field(description="Items labeled by machine.")
    items_sent: int = strawberry.field(description="Items sent to people next.")
    seconds: float = strawberry.field(description="Compute time of the iteration.")
    error: str | None = strawberry.field(description="Why it failed or was skipped.")
    created_at: datetime

    @classmethod
    def from_model(cls, run: models.ModelRun) -> ModelRun:
        """The GraphQL view of a stored run."""
        return _view(cls, run, id=strawberry.ID(str(run.id)))


@strawberry.type
class GoldSettings:
    """How a job uses gold items."""

    key: str
    min_accuracy: float
    min_answers: int
    share: float
    manifest: str | None = strawberry.field(description="The gold manifest's URL, if any.")

    @classmethod
    def from_json(cls, stored: dict[str, Any] | None) -> GoldSettings | None:
        """The GraphQL view of a job's stored gold settings (``None``: no gold)."""
        settings = gold_service.GoldSettings.from_json(stored)
        return None if settings is None else _view(cls, settings)


@strawberry.type
class WorkerStats:
    """What a job knows of one of its workers."""

    worker_id: strawberry.ID
    name: str
    submitted: int = strawberry.field(description="Answers submitted in this job.")
    consolidated: int = strawberry.field(description="Answers whose items were consolidated.")
    answers_assessed: int = strawberry.field(
        description=(
            "The answers `accuracy` rests on: those on items that people labeled and that "
            "more than one worker answered."
        )
    )
    agreement: float | None = strawberry.field(
        description="Share of consolidated answers that agreed with the consolidated label."
    )
    accuracy: float | None = strawberry.field(
        description="The consensus algorithm's estimate of the chance of a right answer."
    )
    confusion: list[list[float]] | None = strawberry.field(
        description="Estimated confusion matrix, confusion[true][answered] in label order."
    )
    spammer: bool = strawberry.field(
        description="Whether the worker's answers look independent of the truth."
    )
    median_seconds: float | None = strawberry.field(description="Median time per task.")
    gold_answers: int = strawberry.field(description="Gold items answered.")
    gold_accuracy: float | None = strawberry.field(description="Share of gold items right.")
    blocked: bool = strawberry.field(
        description="Below the job's gold accuracy: receives no more tasks of the job."
    )

    @classmethod
    def from_stats(cls, stats: worker_quality.WorkerStats) -> WorkerStats:
        """The GraphQL view of a worker's record."""
        return _view(
            cls,
            stats,
            worker_id=strawberry.ID(str(stats.worker_id)),
            answers_assessed=stats.assessed,
        )


@strawberry.type
class JobExample:
    """An example for workers: what a right answer looks like, and why."""

    label: str | None
    text: str | None
    note: str | None
    image_url: str | None = strawberry.field(
        description="The example's image, through a signed or presigned URL; null if none."
    )


@strawberry.type
class Job:
    """A labeling job."""

    id: strawberry.ID
    name: str
    task_type: str
    status: JobStatus
    labels: list[str]
    label_attribute_name: str
    audit_label_attribute_name: str | None = strawberry.field(
        description="The manifest attribute holding the previous label a verification or "
        "adjustment job audits (null for other task types)."
    )
    workers_per_item: int = _managers_only()
    max_workers_per_item: int | None = _managers_only()
    target_confidence: float | None = _managers_only()
    gold: GoldSettings | None = _managers_only()
    consensus: str = _managers_only()
    workforce: str = _managers_only()
    team_id: strawberry.ID | None = _managers_only()
    input_manifest: str = _managers_only()
    output_path: str = _managers_only()
    output_manifest: str | None = _managers_only()
    instructions: str | None
    full_instructions: str | None
    template: str | None = _managers_only(
        "The job's Liquid worker template; a worker gets it rendered (Task.renderedTemplate)."
    )
    price_per_task: float
    task_time_limit_seconds: int
    task_availability_seconds: int | None
    max_concurrent_tasks: int | None = _managers_only()
    max_human_labeled_items: int | None = _managers_only()
    max_labeled_percentage: float | None = _managers_only()
    failure_reason: str | None = _managers_only()
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    _shortcuts: strawberry.Private[dict[str, Any] | None] = None
    _examples: strawberry.Private[list[dict[str, str]] | None] = None
    _organization_id: strawberry.Private[int] = statuses.DEFAULT_ORGANIZATION_ID
    _row: strawberry.Private[models.Job | None] = None
    #: Whether the caller manages the job, asked by the first field that needs it.
    _managed: strawberry.Private[asyncio.Task[bool] | None] = None

    @classmethod
    def from_model(cls, job: models.Job) -> Job:
        """The public view of a job row: its columns as they are, but for the ids, the
        status, the labels and the gold settings."""
        return _view(
            cls,
            job,
            id=strawberry.ID(str(job.id)),
            status=statuses.JobStatus(job.status),
            labels=list(job.labels),
            gold=GoldSettings.from_json(job.gold),
            team_id=None if job.team_id is None else strawberry.ID(str(job.team_id)),
            _shortcuts=job.shortcuts,
            _examples=job.examples,
            _organization_id=job.organization_id,
            _row=job,
        )

    def caller_manages(self, info: Info) -> asyncio.Task[bool]:
        """Whether the caller is the job's requester or an admin of its organization
        (:func:`quorum.services.jobs.can_manage`), looked up once per job object however
        many of its :class:`JobManagersOnly` fields the operation selects."""
        if self._managed is None:
            row = self._row
            assert row is not None, "from_model keeps the row"
            self._managed = asyncio.ensure_future(
                info.context.read(lambda _session, user: job_service.can_manage(user, row))
            )
        return self._managed

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The worker portal's keyboard shortcuts for this job: {action: key}, the "
        "defaults with the job's own on top. labels: one key per label category, in label "
        "order (null: none); a label that is a single letter or digit gets that key, the "
        "others the keys 1-9 left over, in order, unless the job lists its own."
    )
    def shortcuts(self) -> JSON:
        """:func:`quorum.services.shortcuts.effective_shortcuts`."""
        return JSON(effective_shortcuts(self._shortcuts, self.labels))

    @strawberry.field
    def examples(self, info: Info) -> list[JobExample]:
        """Examples for workers, with their images made fetchable."""
        return [
            JobExample(
                label=example.get("label"),
                text=example.get("text"),
                note=example.get("note"),
                image_url=(
                    browser_url(info, example["image"], self._organization_id)
                    if "image" in example
                    else None
                ),
            )
            for example in self._examples or []
        ]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Once the output manifest is written: a URL the browser can download it "
        "from, for a while (signed or presigned); null before."
    )
    async def output_manifest_url(self, info: Info) -> str | None:
        """The output manifest, made fetchable (:mod:`quorum.graphql.browser_urls`); only
        for the job's requester and admins (a worker would read everyone's labels)."""
        if self.output_manifest is None:
            return None

        def check(session: Session, user: models.User) -> None:
            job_service.get_managed_job(session, user, int(self.id))

        await info.context.read(check)
        return browser_url(info, self.output_manifest, self._organization_id)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="What the requester should know of the job though it is not an error, "
        "as sentences: workersPerItem above the workers who may take its tasks. Empty once "
        "the job is over (requesters and admins only)."
    )
    async def warnings(self, info: Info) -> list[str]:
        """:func:`quorum.services.jobs.warnings`."""
        plugins = info.context.plugins

        def load(session: Session, user: models.User) -> list[str]:
            job = job_service.get_managed_job(session, user, int(self.id))
            return job_service.warnings(session, plugins, job)

        return await info.context.read(load)

    @strawberry.field
    async def counters(self, info: Info) -> JobCounters:
        """Items per state."""
        return JobCounters.from_counters(await info.context.loaders.job_counters.load(int(self.id)))

    @strawberry.field
    async def cost(self, info: Info) -> JobCost:
        """Workforce (answers x price), service and compute cost so far, and what
        auto-labeling saved (:mod:`quorum.services.cost`)."""
        settings = info.context.settings

        def load(session: Session, user: models.User) -> cost_service.Cost:
            job = job_service.get_managed_job(session, user, int(self.id))
            return cost_service.job_cost(session, job, settings)

        spent = await info.context.read(load)
        return JobCost(
            workforce=spent.workforce,
            service=spent.service,
            compute=spent.compute,
            total=spent.total,
            saved=spent.saved,
            currency=settings.currency,
        )

    @strawberry.field
    async def items(
        self,
        info: Info,
        status: ItemStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Item]:
        """The job's items in manifest order (requesters and admins only)."""
        size = page_size(first)
        after_id = decode_cursor(after)

        def load(session: Session, user: models.User) -> list[models.Item]:
            job_service.get_managed_job(session, user, int(self.id))
            query = select(models.Item).where(models.Item.job_id == int(self.id))
            if status is not None:
                query = query.where(models.Item.status == status.value)
            if after_id is not None:
                query = query.where(col(models.Item.id) > after_id)
            return list(session.exec(query.order_by(col(models.Item.id)).limit(size + 1)))

        rows = await info.context.read(load)
        organization_id = self._organization_id
        return connection(
            rows,
            size,
            key=lambda row: int(row.id or 0),
            node=lambda row: Item.from_model(row, organization_id),
        )

    @strawberry.field
    async def worker_stats(self, info: Info) -> list[WorkerStats]:
        """Every worker who answered in the job: answers, agreement with consensus,
        estimated accuracy and confusion matrix, spammer flag, median time per task
        (requesters and admins only)."""

        def load(session: Session, user: models.User) -> list[worker_quality.WorkerStats]:
            job_service.get_managed_job(session, user, int(self.id))
            return worker_quality.worker_stats(session, int(self.id))

        return [WorkerStats.from_stats(stats) for stats in await info.context.read(load)]

    @strawberry.field
    async def model_runs(self, info: Info) -> list[ModelRun]:
        """Auto-labeling iterations, oldest first (none without auto-labeling)."""

        def load(session: Session, user: models.User) -> list[models.ModelRun]:
            job_service.get_managed_job(session, user, int(self.id))
            runs = select(models.ModelRun).where(models.ModelRun.job_id == int(self.id))
            return list(session.exec(runs.order_by(col(models.ModelRun.iteration))))

        return [ModelRun.from_model(run) for run in await info.context.read(load)]

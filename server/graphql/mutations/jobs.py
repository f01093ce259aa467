"""Mutations on jobs."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from sqlmodel import Session
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from quorum import models
from quorum.graphql.context import Info
from quorum.graphql.permissions import require_requester
from quorum.graphql.types.job import Job
from quorum.graphql.types.pagination import parse_id
from quorum.services import jobs as job_service


@strawberry.input
class AutoLabelingInput:
    """Auto-labeling settings of a job."""

    enabled: bool
    model: str | None = strawberry.field(
        default=None, description="An installed auto-labeler (default: the first that fits)."
    )
    target_accuracy: float | None = strawberry.field(
        default=None, description="Accuracy machine labels must reach (0.95)."
    )
    initial_batch: int | None = strawberry.field(
        default=None,
        description="Items drawn at random for the first human batch (5 % of the items, "
        "150 to 1,000).",
    )
    batch_size: int | None = strawberry.field(
        default=None,
        description="Items sent to people after each iteration (1.5 % of the items, 25 to 1,000).",
    )
    confidence_level: float | None = strawberry.field(
        default=None,
        description="Confidence with which the target must hold: a lower bound (0.95).",
    )
    folds: int | None = strawberry.field(
        default=None, description="Cross-validation folds over the human labels (5)."
    )
    validation: str | None = strawberry.field(
        default=None,
        description="cross-validation (default), or holdout: Ground Truth's fixed validation "
        "set, for comparison.",
    )
    selection: str | None = strawberry.field(
        default=None,
        description="Which items go to people: uncertain (default) or random.",
    )


@strawberry.input
class GoldInput:
    """Gold items: manifest lines whose answer is known score the workers who answer them.

    They are input manifest lines carrying ``key`` (part of the dataset, labeled with their
    known answer in the output), or the lines of a separate gold ``manifest`` (not part of
    the dataset: status GOLD, never in the output, not counted in ``total``)."""

    key: str | None = strawberry.field(
        default=None, description="The manifest key holding the known label (gold-label)."
    )
    manifest: str | None = strawberry.field(
        default=None,
        description="Storage URL of a JSON Lines gold manifest, every line of which carries "
        "the key: gold items kept out of the dataset and its output.",
    )
    min_accuracy: float | None = strawberry.field(
        default=None, description="Below this accuracy on gold items a worker is blocked (0.7)."
    )
    min_answers: int | None = strawberry.field(
        default=None, description="Gold answers a worker gives before being judged (3)."
    )
    share: float | None = strawberry.field(
        default=None, description="Share of a worker's claims that go to gold items (0.1)."
    )


@strawberry.input
class CreateJobInput:
    """A new labeling job; see ``JobSpec`` for defaults and limits."""

    name: str
    task_type: str
    input_manifest: str
    labels: list[str]
    label_attribute_name: str | None = None
    audit_label_attribute_name: str | None = strawberry.field(
        default=None,
        description="Verification and adjustment jobs: the manifest attribute holding the "
        "previous job's label that workers check or correct (that job's labelAttributeName); "
        "required for them, and other than labelAttributeName.",
    )
    output_path: str | None = None
    instructions: str | None = None
    full_instructions: str | None = None
    template: str | None = None
    workforce: str | None = None
    team_id: strawberry.ID | None = None
    workers_per_item: int | None = None
    max_workers_per_item: int | None = strawberry.field(
        default=None,
        description="Adaptive redundancy: an item whose consensus confidence is below "
        "targetConfidence goes to one more worker, up to this many.",
    )
    target_confidence: float | None = strawberry.field(
        default=None, description="With maxWorkersPerItem: the confidence to reach (0.9)."
    )
    consensus: str | None = None
    price_per_task: float | None = None
    task_time_limit_seconds: int | None = None
    task_availability_seconds: int | None = None
    max_concurrent_tasks: int | None = None
    max_human_labeled_items: int | None = None
    max_labeled_percentage: float | None = None
    auto_labeling: AutoLabelingInput | None = None
    gold: GoldInput | None = None
    shortcuts: JSON | None = strawberry.field(
        default=None,
        description="Keyboard shortcuts to change in the worker portal: {action: key}, "
        "actions labels (a list, one key per label), submit, skip, release, undo, help, "
        "instructions, nextLabel, previousLabel; null unbinds. Job.shortcuts gives the "
        "defaults with these on top.",
    )
    examples: JSON | None = strawberry.field(
        default=None,
        description="Up to 20 examples for workers: [{label, text and/or image (a storage "
        "URL), note}].",
    )

    def to_spec(self) -> job_service.JobSpec:
        """The service-level job spec: the same fields, the team's id parsed, and the
        auto-labeling and gold settings as JSON objects (:func:`_as_json`)."""
        values = {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(job_service.JobSpec)
        }
        values.update(
            labels=list(self.labels),
            team_id=None if self.team_id is None else parse_id(self.team_id, "teamId"),
            auto_labeling=_as_json(self.auto_labeling),
            gold=_as_json(self.gold),
        )
        return job_service.JobSpec(**values)


def _as_json(settings: AutoLabelingInput | GoldInput | None) -> dict[str, Any] | None:
    """A nested input as the services take it: a JSON object of its fields under their
    GraphQL (camelCase) names, ``None`` for those left out."""
    if settings is None:
        return None
    return {
        to_camel_case(field.name): getattr(settings, field.name)
        for field in dataclasses.fields(settings)
    }


@strawberry.type
class JobMutationMixin:
    """createJob, stopJob."""

    @strawberry.mutation
    async def create_job(self, info: Info, input: CreateJobInput) -> Job:
        """Create a job; it returns at once, and the runner ingests the manifest."""
        spec = input.to_spec()
        context = info.context

        def run(session: Session, caller: models.User) -> Job:
            require_requester(caller, "createJob")
            job = job_service.create_job(
                session,
                spec=spec,
                actor=caller,
                plugins=context.plugins,
            )
            return Job.from_model(job)

        return await context.write(run)

    @strawberry.mutation
    async def stop_job(self, info: Info, id: strawberry.ID) -> Job:
        """Stop handing out tasks; the output for what is labeled is then written."""
        job_id = parse_id(id, "id")

        def run(session: Session, caller: models.User) -> Job:
            require_requester(caller, "stopJob")
            job = job_service.get_managed_job(session, caller, job_id)
            return Job.from_model(job_service.stop_job(session, job=job, actor=caller))

        return await info.context.write(run)

    @strawberry.mutation
    async def retry_items(self, info: Info, job_id: strawberry.ID) -> Job:
        """Put the job's FAILED items back in progress, to be consolidated again with
        their answers (a COMPLETED job runs again and its output is rewritten)."""
        parsed = parse_id(job_id, "jobId")

        def run(session: Session, caller: models.User) -> Job:
            require_requester(caller, "retryItems")
            job = job_service.get_managed_job(session, caller, parsed)
            job_service.retry_items(session, job=job, actor=caller)
            return Job.from_model(job)

        return await info.context.write(run)

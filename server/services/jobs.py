"""Jobs: validated creation, stopping, counters, and who may see them.

``create_job`` validates everything it can without reading the manifest and returns at
once; the runner then streams the manifest into items (:mod:`quorum.runner.ingest`).
Limits follow Ground Truth's ``CreateLabelingJob`` where it has one (name pattern, 1..9
workers per item, task time limit 30 s..8 h, availability 60 s..30 days, 1..5000 concurrent
tasks).

Adaptive redundancy (Ground Truth has none): with ``maxWorkersPerItem`` above
``workersPerItem``, an item is consolidated once it has ``workersPerItem`` answers, and
while its confidence is below ``targetConfidence`` (default 0.9) and it has fewer than
``maxWorkersPerItem`` answers, it goes to one more worker instead of being labeled
(:mod:`quorum.runner.consolidation`).

Gold items (none of Ground Truth, Label Studio's community edition or CVAT score workers
this way): with ``gold`` set, an item whose answer is known comes from one of two places.

- An input manifest line carrying ``gold.key`` (``gold-label``): the line stays part of
  the dataset, labeled with its known answer in the output (confidence 1, counted as
  human-labeled).
- A line of a separate gold manifest (``gold.manifest``, a storage URL checked like
  ``inputManifest``), every line of which carries ``gold.key``: the item is not part of
  the dataset. Its status is ``GOLD``; it is never in the output manifest, and the job's
  counters count it under ``gold`` only (not in ``total``), so stopping conditions and
  completion see the dataset alone.

Gold items of either kind are mixed into every worker's stream (a share ``gold.share`` of
claims, 10 % by default, while the worker has gold items left), each worker answers each at
most once, and a worker whose accuracy on them falls below ``gold.minAccuracy`` (0.7) after
``gold.minAnswers`` (3) stops receiving tasks of the job (``worker.blocked`` in the audit
trail). Gold items are never consolidated.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from quorum import audit
from quorum.errors import BadInput, Conflict, Forbidden, NotFound
from quorum.events import ItemsRetried, JobCreated, JobStopping
from quorum.label_kinds import LabelKind
from quorum.limits import MAX_FULL_INSTRUCTIONS_CHARS, MAX_INSTRUCTIONS_CHARS, check_text
from quorum.models import Item, Job, Team, User
from quorum.plugins import PluginHost
from quorum.services.auto_labeling import check_auto_labeling
from quorum.services.eligibility import eligible_workers
from quorum.services.examples import check_examples
from quorum.services.field_errors import FieldErrors
from quorum.services.gold import GoldSettings
from quorum.services.shortcuts import check_shortcuts
from quorum.statuses import FINAL_JOB_STATUSES, ItemStatus, JobStatus, Role, utcnow
from quorum.storage import Storage
from quorum.tasktypes import TaskType
from quorum.templates import check_template
from quorum.tenancy import OrganizationStorage, home_url, organization_storage
from quorum.workforce import WorkforceProvider

JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
ATTRIBUTE_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,126}")


@dataclass
class JobSpec:
    """What a requester asks for in ``createJob``; ``None`` means the default. Each field
    is the :class:`~quorum.models.Job` column of the same name: :func:`create_job` settles
    the defaults and stores the spec as it is. ``auto_labeling`` and ``gold`` are JSON
    objects with the input's camelCase keys."""

    name: str
    task_type: str
    input_manifest: str
    labels: list[str]
    label_attribute_name: str | None = None
    audit_label_attribute_name: str | None = None
    output_path: str | None = None
    instructions: str | None = None
    full_instructions: str | None = None
    template: str | None = None
    workforce: str | None = None
    team_id: int | None = None
    workers_per_item: int | None = None
    max_workers_per_item: int | None = None
    target_confidence: float | None = None
    consensus: str | None = None
    price_per_task: float | None = None
    task_time_limit_seconds: int | None = None
    task_availability_seconds: int | None = None
    max_concurrent_tasks: int | None = None
    max_human_labeled_items: int | None = None
    max_labeled_percentage: float | None = None
    auto_labeling: dict[str, Any] | None = field(default=None)
    gold: dict[str, Any] | None = field(default=None)
    shortcuts: dict[str, Any] | None = field(default=None)
    examples: list[dict[str, Any]] | None = field(default=None)


def _in_range(field_name: str, value: float | None, low: float, high: float) -> None:
    if value is not None and not low <= value <= high:
        raise BadInput(f"{field_name}: must be between {low:g} and {high:g}, got {value:g}")


#: The target confidence of adaptive redundancy when a job gives none.
DEFAULT_TARGET_CONFIDENCE = 0.9


def _check_adaptive(spec: JobSpec, workers: int) -> float | None:
    """The target confidence of an adaptive job (``None`` for a fixed one), or
    :class:`BadInput` naming the field that does not fit."""
    if spec.max_workers_per_item is None:
        if spec.target_confidence is not None:
            raise BadInput(
                "targetConfidence: only used with maxWorkersPerItem (adaptive redundancy)"
            )
        return None
    if not workers <= spec.max_workers_per_item <= 9:
        raise BadInput(
            f"maxWorkersPerItem: must be between workersPerItem ({workers}) and 9, "
            f"got {spec.max_workers_per_item}"
        )
    target = DEFAULT_TARGET_CONFIDENCE if spec.target_confidence is None else spec.target_confidence
    if not 0 < target <= 0.95:
        raise BadInput(
            f"targetConfidence: must be above 0 and at most 0.95 (the highest confidence "
            f"consensus reports), got {target:g}"
        )
    return target


def _check_gold(
    gold: dict[str, Any] | None, label_kind: str, attribute: str, storage: Storage
) -> dict[str, Any] | None:
    """Gold settings with defaults filled in (:class:`~quorum.services.gold.GoldSettings`,
    as stored), or :class:`BadInput` naming the field."""
    settings = GoldSettings.from_json(gold)
    if settings is None:
        return None
    if label_kind != LabelKind.SINGLE_LABEL:
        raise BadInput("gold: gold items are supported for single-label classification only")
    key = settings.key
    if not isinstance(key, str) or not key or key in {"source", "source-ref", attribute}:
        raise BadInput(
            f"gold.key: {key!r} must name a manifest key other than source, source-ref and "
            "the label attribute"
        )
    if not 0 < settings.min_accuracy <= 1:
        raise BadInput(
            f"gold.minAccuracy: must be above 0 and at most 1, got {settings.min_accuracy:g}"
        )
    _in_range("gold.minAnswers", settings.min_answers, 1, 1_000)
    if not 0 < settings.share <= 1:
        raise BadInput(f"gold.share: must be above 0 and at most 1, got {settings.share:g}")
    if settings.manifest is not None:
        _check_manifest_url(storage, "gold.manifest", settings.manifest)
    return settings.to_json()


def label_attribute(spec: JobSpec, task_type: TaskType) -> str:
    """The job's label attribute name, checked against Ground Truth's rules (GROUNDTRUTH.md
    1.3); :class:`BadInput` naming the problem otherwise.

    Without ``labelAttributeName`` it is the job's name, with ``-ref`` appended for a task
    type whose label is a reference (``label_is_reference``: semantic segmentation) unless
    the name already ends with it: such a name must end with ``-ref``, any other must not.
    """
    if spec.label_attribute_name:
        name, field = spec.label_attribute_name, "labelAttributeName"
    elif task_type.label_is_reference and not spec.name.endswith("-ref"):
        name, field = f"{spec.name}-ref", "labelAttributeName (the job name and -ref)"
    else:
        name, field = spec.name, "labelAttributeName (the job name)"
    _check_attribute_name(name, field, task_type)
    return name


def _check_attribute_pattern(name: str, field: str) -> None:
    """Ground Truth's rules for any label attribute name (GROUNDTRUTH.md 1.3)."""
    if len(name) > 127 or not ATTRIBUTE_NAME.fullmatch(name):
        raise BadInput(
            f"{field}: {name!r} must be 1-127 letters, digits and hyphens, starting and "
            "ending with a letter or digit"
        )
    if name.endswith("-metadata") or name in {"source", "source-ref"}:
        raise BadInput(f"{field}: {name!r} is reserved for Ground Truth's manifest keys")


def _check_attribute_name(name: str, field: str, task_type: TaskType) -> None:
    _check_attribute_pattern(name, field)
    if task_type.label_is_reference and not name.endswith("-ref"):
        raise BadInput(
            f"{field}: {name!r} must end with -ref for {task_type.name}, whose label is the "
            "URL of an object"
        )
    if not task_type.label_is_reference and name.endswith("-ref"):
        raise BadInput(f"{field}: {name!r} must not end with -ref for {task_type.name}")


def audit_attribute(
    spec: JobSpec, task_type: TaskType, attribute: str, plugins: PluginHost
) -> str | None:
    """The manifest attribute holding the previous label that a verification or
    adjustment job audits (``None`` for other task types), or :class:`BadInput` naming the
    field: such a job must name one, other jobs must not, and the job's own label attribute
    (``attribute``) must be another, since the previous label passes to the output
    unchanged beside the new one (GROUNDTRUTH.md 1.2)."""
    name = spec.audit_label_attribute_name
    if not task_type.audits_labels:
        if name is not None:
            auditing = [n for n, t in plugins.task_types.items() if t.audits_labels]
            raise BadInput(
                f"auditLabelAttributeName: only for task types that verify or adjust a "
                f"previous job's labels ({', '.join(auditing) or 'none installed'}), "
                f"not {task_type.name}"
            )
        return None
    if not name:
        raise BadInput(
            f"auditLabelAttributeName: {task_type.name} shows workers a previous job's "
            "label; name the manifest attribute holding it (that job's labelAttributeName)"
        )
    _check_attribute_pattern(name, "auditLabelAttributeName")
    if name == attribute:
        raise BadInput(
            f"labelAttributeName: {attribute!r} is also the auditLabelAttributeName; "
            f"{task_type.name} keeps the previous label there and writes its own under "
            "another attribute"
        )
    return name


def _check_url(storage: Storage, field: str, url: str) -> None:
    """A URL the job's organization holds (:mod:`quorum.tenancy`) and a backend serves."""
    try:
        storage.check_url(url)
    except BadInput as exc:
        raise BadInput(f"{field}: {exc.message}") from None


def _check_manifest_url(storage: Storage, field: str, url: str) -> None:
    """A manifest's URL: at most 1024 characters, and one the organization may read."""
    if len(url) > 1024:
        raise BadInput(f"{field}: at most 1024 characters")
    _check_url(storage, field, url)


def _check_name(session: Session, name: str, organization_id: int) -> None:
    """A job name: Ground Truth's pattern, and not taken yet in the organization (names
    ignore case)."""
    if not name:
        raise BadInput(
            "name: required: 1-63 letters, digits and hyphens, starting and ending with a "
            "letter or digit"
        )
    if len(name) > 63 or not JOB_NAME.fullmatch(name):
        raise BadInput(
            f"name: {name!r} must be 1-63 letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    taken = select(Job.id).where(
        func.lower(Job.name) == name.lower(), Job.organization_id == organization_id
    )
    if session.exec(taken).first() is not None:  # output job-names are lowercased
        raise Conflict(f"name: a job called {name!r} already exists (names ignore case)")


def _check_template(spec: JobSpec, task_type: TaskType) -> None:
    """The worker template, which a custom task type requires."""
    if spec.template is not None:
        check_template(spec.template)
    elif task_type.requires_template:
        raise BadInput(
            f"template: {task_type.name} jobs need a worker template (Liquid HTML, as in "
            f"Ground Truth's custom tasks)"
        )


def _check_team(
    session: Session, team_id: int | None, workforce: WorkforceProvider, organization_id: int
) -> None:
    """The team: one of the organization's, and one at all where the workforce needs a
    team."""
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.organization_id != organization_id:
            raise NotFound(f"teamId: no team with id {team_id}")
    elif workforce.requires_team:
        raise BadInput(f"teamId: the {workforce.name} workforce needs a team")


def _validate(
    session: Session,
    spec: JobSpec,
    plugins: PluginHost,
    storage: OrganizationStorage,
    default_output: str,
) -> JobSpec:
    """Check every field of ``spec`` for a job of ``storage``'s organization, and return it
    with every default settled and every value in its stored form; one error naming every
    refused field if any was (:class:`~quorum.services.field_errors.FieldErrors`). A check
    that needs another field (the labels need the task type) is left out while that field
    is wrong."""
    organization_id = storage.organization_id
    errors = FieldErrors()
    with errors.check("name"):
        _check_name(session, spec.name, organization_id)
    task_type: TaskType | None = None
    with errors.check("taskType"):
        task_type = plugins.task_types.get(spec.task_type, "taskType")
    attribute, audited = spec.name, None
    if task_type is not None:
        with errors.check("labels"):
            task_type.validate_labels(spec.labels)
        if not errors.failed("name"):
            with errors.check("labelAttributeName"):
                attribute = label_attribute(spec, task_type)
                audited = audit_attribute(spec, task_type, attribute, plugins)
        with errors.check("template"):
            _check_template(spec, task_type)
    with errors.check("instructions"):
        check_text(spec.instructions, "instructions", MAX_INSTRUCTIONS_CHARS)
    with errors.check("fullInstructions"):
        check_text(spec.full_instructions, "fullInstructions", MAX_FULL_INSTRUCTIONS_CHARS)
    with errors.check("inputManifest"):
        if not spec.input_manifest.strip():
            raise BadInput("inputManifest: required: upload a manifest or give its storage URL")
        _check_manifest_url(storage, "inputManifest", spec.input_manifest)
    output_path = spec.output_path or default_output
    with errors.check("outputPath"):
        _check_url(storage, "outputPath", output_path)
    workforce: WorkforceProvider | None = None
    with errors.check("workforce"):
        workforce = plugins.workforces.get(spec.workforce or "private", "workforce")
    if workforce is not None:
        with errors.check("teamId"):
            _check_team(session, spec.team_id, workforce, organization_id)
    workers = 1 if spec.workers_per_item is None else spec.workers_per_item
    target = None
    with errors.check("workersPerItem"):
        _in_range("workersPerItem", workers, 1, 9)
        target = _check_adaptive(spec, workers)
    gold = auto_labeling = None
    consensus_name = spec.consensus or ""
    if task_type is not None:
        consensus_name = consensus_name or task_type.default_consensus
        with errors.check("gold"):
            gold = _check_gold(spec.gold, task_type.label_kind, attribute, storage)
        with errors.check("consensus"):
            plugins.consensus_for(task_type, consensus_name, "consensus")
        with errors.check("autoLabeling"):
            auto_labeling = check_auto_labeling(spec.auto_labeling, task_type, plugins)
    price = 0.0 if spec.price_per_task is None else spec.price_per_task
    time_limit = 3600 if spec.task_time_limit_seconds is None else spec.task_time_limit_seconds
    for field_name, value, low, high in (
        ("pricePerTask", price, 0, 1_000),
        ("taskTimeLimitSeconds", time_limit, 30, 28_800),
        ("taskAvailabilitySeconds", spec.task_availability_seconds, 60, 2_592_000),
        ("maxConcurrentTasks", spec.max_concurrent_tasks, 1, 5_000),
        ("maxHumanLabeledItems", spec.max_human_labeled_items, 1, 2**31 - 1),
        ("maxLabeledPercentage", spec.max_labeled_percentage, 1, 100),
    ):
        with errors.check(field_name):
            _in_range(field_name, value, low, high)
    shortcuts = examples = None
    with errors.check("shortcuts"):
        shortcuts = check_shortcuts(spec.shortcuts, spec.labels)
    with errors.check("examples"):
        examples = check_examples(spec.examples, spec.labels, storage)
    errors.raise_if_any()
    assert task_type is not None and workforce is not None
    return replace(
        spec,
        task_type=task_type.name,
        label_attribute_name=attribute,
        audit_label_attribute_name=audited,
        output_path=output_path,
        workforce=workforce.name,
        workers_per_item=workers,
        target_confidence=target,
        gold=gold,
        consensus=consensus_name,
        price_per_task=price,
        task_time_limit_seconds=time_limit,
        auto_labeling=auto_labeling,
        shortcuts=shortcuts,
        examples=examples,
    )


def create_job(session: Session, *, spec: JobSpec, actor: User, plugins: PluginHost) -> Job:
    """Validate ``spec`` and create the job in ``INITIALIZING``, in the actor's
    organization (its storage only; the output under its home by default); the runner
    ingests it. A refusal names every field at fault at once (``extensions.fields``)."""
    settings = plugins.settings
    storage = organization_storage(session, plugins.storage, settings, actor.organization_id)
    default_output = home_url(settings, actor.organization_id)
    settled = _validate(session, spec, plugins, storage, default_output)
    assert actor.id is not None
    job = Job(
        **asdict(settled),
        organization_id=actor.organization_id,
        created_by_id=actor.id,
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    audit.record(
        session,
        JobCreated(
            actor_id=actor.id,
            entity_id=job.id,
            job_id=job.id,
            name=job.name,
            task_type=job.task_type,
            input_manifest=job.input_manifest,
        ),
    )
    return job


def can_manage(user: User, job: Job) -> bool:
    """Admins manage every job of their organization; requesters the jobs they created."""
    if user.organization_id != job.organization_id:
        return False
    return user.role == Role.ADMIN or (user.role == Role.REQUESTER and job.created_by_id == user.id)


def get_managed_job(session: Session, user: User, job_id: int) -> Job:
    """The job, if ``user`` may manage it: :class:`Forbidden` otherwise, and
    :class:`NotFound` for a job of another organization as for one that does not exist."""
    job = session.get(Job, job_id)
    if job is None or job.organization_id != user.organization_id:
        raise NotFound(f"no job with id {job_id}")
    if not can_manage(user, job):
        raise Forbidden(f"job {job_id} is managed by its requester and admins only")
    return job


def stop_job(session: Session, *, job: Job, actor: User) -> Job:
    """Stop handing out tasks; the runner writes the output for what is labeled."""
    if job.status in FINAL_JOB_STATUSES or job.status == JobStatus.STOPPING:
        raise Conflict(f"job {job.name!r} is already {job.status}")
    job.status = JobStatus.STOPPING
    job.updated_at = utcnow()
    session.add(job)
    assert job.id is not None
    audit.record(session, JobStopping(actor_id=actor.id, entity_id=job.id, job_id=job.id))
    return job


def retry_items(session: Session, *, job: Job, actor: User) -> int:
    """Put the job's ``FAILED`` items back in progress, with their answers and without
    their failure reason, for the runner to consolidate again (a ``COMPLETED`` job runs
    again and its output is rewritten); returns how many items."""
    if job.status not in (JobStatus.IN_PROGRESS, JobStatus.COMPLETED):
        raise Conflict(
            f"job {job.name!r} is {job.status}; only the failed items of a job in progress "
            "or completed can be retried"
        )
    failed = session.exec(
        select(Item).where(Item.job_id == job.id, Item.status == ItemStatus.FAILED)
    ).all()
    for item in failed:
        item.status, item.failure_reason = ItemStatus.IN_PROGRESS, None
        session.add(item)
    if failed and job.status == JobStatus.COMPLETED:
        job.status, job.updated_at = JobStatus.IN_PROGRESS, utcnow()
        session.add(job)
    assert job.id is not None
    audit.record(
        session, ItemsRetried(actor_id=actor.id, entity_id=job.id, job_id=job.id, items=len(failed))
    )
    return len(failed)


def warnings(session: Session, plugins: PluginHost, job: Job) -> list[str]:
    """What the requester of a running job should know though it is not wrong enough to
    refuse: ``workersPerItem`` above the workers who may take its tasks (a team can still
    grow, so :func:`create_job` accepts it; :mod:`quorum.runner.shortfall` finishes such
    items with the answers they have). Nothing once the job is over."""
    if job.status in FINAL_JOB_STATUSES:
        return []
    eligible = eligible_workers(session, plugins, job)
    if eligible is None or len(eligible) >= job.workers_per_item:
        return []
    team = None if job.team_id is None else session.get(Team, job.team_id)
    where = f"the {job.workforce} workforce" if team is None else f"team {team.name}"
    wanted = f"workersPerItem is {job.workers_per_item} but {where}"
    if not eligible:
        return [f"{wanted} has no workers who may take its tasks; items wait until one joins"]
    workers = "1 worker" if len(eligible) == 1 else f"{len(eligible)} workers"
    return [
        f"{wanted} has {workers}; items will be finished with the answers "
        f"{'the team' if team else 'they'} can give"
    ]


@dataclass(frozen=True)
class Counters:
    """How many of a job's items are in each state; ``total`` counts the dataset (the
    input manifest's items), ``gold`` the gold manifest's items, which are not part of it."""

    total: int = 0
    human_labeled: int = 0
    machine_labeled: int = 0
    failed: int = 0
    unlabeled: int = 0
    in_progress: int = 0
    skipped: int = 0
    gold: int = 0
    #: Unfinished items that no worker who may work on the job can take any more (the
    #: runner's last count, :mod:`quorum.runner.shortfall`).
    waiting_for_workers: int = 0


def counters_from_statuses(by_status: dict[str, int], waiting_for_workers: int = 0) -> Counters:
    """Counters from item counts per status, and the job's count of items waiting for a
    worker."""
    gold = by_status.get(ItemStatus.GOLD, 0)
    return Counters(
        total=sum(by_status.values()) - gold,
        human_labeled=by_status.get(ItemStatus.HUMAN_LABELED, 0),
        machine_labeled=by_status.get(ItemStatus.MACHINE_LABELED, 0),
        failed=by_status.get(ItemStatus.FAILED, 0),
        unlabeled=by_status.get(ItemStatus.UNLABELED, 0),
        in_progress=by_status.get(ItemStatus.IN_PROGRESS, 0),
        skipped=by_status.get(ItemStatus.SKIPPED, 0),
        gold=gold,
        waiting_for_workers=waiting_for_workers,
    )


def counters(session: Session, job_id: int) -> Counters:
    """Count a job's items by status (one indexed GROUP BY)."""
    rows = session.exec(
        select(Item.status, func.count()).where(Item.job_id == job_id).group_by(Item.status)
    ).all()
    waiting = session.exec(select(Job.waiting_for_workers).where(Job.id == job_id)).first()
    return counters_from_statuses({status: int(count) for status, count in rows}, waiting or 0)

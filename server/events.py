"""Typed audit events. Each class's docstring names its action and its fields.

Services create an event and hand it to :func:`quorum.audit.record`, which writes it to the
hash-chained audit trail in the caller's transaction; once that transaction commits, the
event is delivered to every ``quorum_event`` hook.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from quorum.statuses import utcnow


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every audit event: who did it, to what, when."""

    action: ClassVar[str]
    entity_type: ClassVar[str]
    actor_id: int | None
    entity_id: int
    job_id: int | None = None
    created: datetime = field(default_factory=utcnow)

    def properties(self) -> dict[str, Any]:
        """The event's own fields (everything but the base ones), JSON-ready."""
        base = {f.name for f in dataclasses.fields(Event)}
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in base
        }


@dataclass(frozen=True, kw_only=True)
class UserCreated(Event):
    """``user.created``: a user was created. Fields: ``name``, ``role``."""

    action = "user.created"
    entity_type = "user"
    name: str
    role: str


@dataclass(frozen=True, kw_only=True)
class TeamCreated(Event):
    """``team.created``: a team was created. Fields: ``name``, ``member_ids``."""

    action = "team.created"
    entity_type = "team"
    name: str
    member_ids: list[int]


@dataclass(frozen=True, kw_only=True)
class OrganizationCreated(Event):
    """``organization.created``: an organization was created. Fields: ``name``,
    ``storage_roots``."""

    action = "organization.created"
    entity_type = "organization"
    name: str
    storage_roots: list[str]


@dataclass(frozen=True, kw_only=True)
class StorageRootsSet(Event):
    """``organization.storage_roots_set``: an organization's storage roots were replaced.
    Fields: ``storage_roots`` (the new ones)."""

    action = "organization.storage_roots_set"
    entity_type = "organization"
    storage_roots: list[str]


@dataclass(frozen=True, kw_only=True)
class UserDisabled(Event):
    """``user.disabled``: a user was disabled; their tokens stop working and, a worker,
    they get no more tasks. Fields: ``name``."""

    action = "user.disabled"
    entity_type = "user"
    name: str


@dataclass(frozen=True, kw_only=True)
class UserEnabled(Event):
    """``user.enabled``: a disabled user was enabled again. Fields: ``name``."""

    action = "user.enabled"
    entity_type = "user"
    name: str


@dataclass(frozen=True, kw_only=True)
class TokenCreated(Event):
    """``token.created``: a new API token was issued (the entity is the token; never the
    token itself). Fields: ``user_id``, ``name``, ``last4``."""

    action = "token.created"
    entity_type = "token"
    user_id: int
    name: str | None
    last4: str


@dataclass(frozen=True, kw_only=True)
class TokenRevoked(Event):
    """``token.revoked``: an API token was revoked and deleted; it no longer
    authenticates. Fields: ``user_id``, ``last4``."""

    action = "token.revoked"
    entity_type = "token"
    user_id: int
    last4: str | None


@dataclass(frozen=True, kw_only=True)
class TeamMembersAdded(Event):
    """``team.members_added``: users joined a team. Fields: ``user_ids`` (those who were
    not members yet)."""

    action = "team.members_added"
    entity_type = "team"
    user_ids: list[int]


@dataclass(frozen=True, kw_only=True)
class TeamMembersRemoved(Event):
    """``team.members_removed``: users left a team; they claim no more of its jobs' tasks
    (a task in hand may still be answered until its lease ends). Fields: ``user_ids``
    (those who were members)."""

    action = "team.members_removed"
    entity_type = "team"
    user_ids: list[int]


@dataclass(frozen=True, kw_only=True)
class JobCreated(Event):
    """``job.created``: a job was created. Fields: ``name``, ``task_type``, ``input_manifest``."""

    action = "job.created"
    entity_type = "job"
    name: str
    task_type: str
    input_manifest: str


@dataclass(frozen=True, kw_only=True)
class JobStarted(Event):
    """``job.started``: the manifest was ingested; tasks are handed out. Fields: ``items``."""

    action = "job.started"
    entity_type = "job"
    items: int


@dataclass(frozen=True, kw_only=True)
class JobFailed(Event):
    """``job.failed``: the job cannot go on. Fields: ``reason``."""

    action = "job.failed"
    entity_type = "job"
    reason: str


@dataclass(frozen=True, kw_only=True)
class JobStopping(Event):
    """``job.stopping``: a requester asked to stop the job; no more tasks go out."""

    action = "job.stopping"
    entity_type = "job"


@dataclass(frozen=True, kw_only=True)
class JobStopped(Event):
    """``job.stopped``: the output for what was labeled is written. Fields: ``output``."""

    action = "job.stopped"
    entity_type = "job"
    output: str


@dataclass(frozen=True, kw_only=True)
class JobCompleted(Event):
    """``job.completed``: every item is done and the output is written. Fields: ``output``."""

    action = "job.completed"
    entity_type = "job"
    output: str


@dataclass(frozen=True, kw_only=True)
class TaskClaimed(Event):
    """``task.claimed``: a worker took an item under a lease. Fields: ``item_id``,
    ``worker_id``, ``lease_expires_at`` (ISO time)."""

    action = "task.claimed"
    entity_type = "task"
    item_id: int
    worker_id: int
    lease_expires_at: str


@dataclass(frozen=True, kw_only=True)
class TaskSubmitted(Event):
    """``task.submitted``: a worker's answer was accepted. Fields: ``item_id``, ``answer``,
    ``time_spent_seconds``."""

    action = "task.submitted"
    entity_type = "task"
    item_id: int
    answer: dict[str, Any]
    time_spent_seconds: float


@dataclass(frozen=True, kw_only=True)
class TaskExpired(Event):
    """``task.expired``: the lease ran out; the item went back to the pool. Fields: ``item_id``."""

    action = "task.expired"
    entity_type = "task"
    item_id: int


@dataclass(frozen=True, kw_only=True)
class TaskReleased(Event):
    """``task.released``: the worker handed the task back. Fields: ``item_id``."""

    action = "task.released"
    entity_type = "task"
    item_id: int


@dataclass(frozen=True, kw_only=True)
class TaskDeclined(Event):
    """``task.declined``: the worker declined the task and never gets its item again.
    Fields: ``item_id``."""

    action = "task.declined"
    entity_type = "task"
    item_id: int


@dataclass(frozen=True, kw_only=True)
class ItemLabeled(Event):
    """``item.labeled``: an item's answers were consolidated. Fields: ``label``,
    ``confidence``, ``algorithm``, ``human``."""

    action = "item.labeled"
    entity_type = "item"
    label: Any
    confidence: float
    algorithm: str
    human: bool


@dataclass(frozen=True, kw_only=True)
class ItemFailed(Event):
    """``item.failed``: an item could not be labeled. Fields: ``reason``."""

    action = "item.failed"
    entity_type = "item"
    reason: str


@dataclass(frozen=True, kw_only=True)
class ItemsRetried(Event):
    """``job.items_retried``: a requester put a job's failed items back in progress, to be
    consolidated again with their answers. Fields: ``items`` (how many)."""

    action = "job.items_retried"
    entity_type = "job"
    items: int


@dataclass(frozen=True, kw_only=True)
class WorkerAssessed(Event):
    """``worker.assessed``: a consolidated batch updated what a job knows of a worker.
    Fields: ``algorithm``, ``answers`` (in the batch), ``agreement`` (share agreeing with
    the consolidated labels), ``accuracy`` (the algorithm's estimate, if it makes one),
    ``spammer``."""

    action = "worker.assessed"
    entity_type = "user"
    algorithm: str
    answers: int
    agreement: float
    accuracy: float | None
    spammer: bool


@dataclass(frozen=True, kw_only=True)
class ItemEscalated(Event):
    """``item.escalated``: adaptive redundancy sent an item to one more worker, its
    consensus being less sure than the job's target. Fields: ``answers``, ``confidence``,
    ``target``."""

    action = "item.escalated"
    entity_type = "item"
    answers: int
    confidence: float
    target: float


@dataclass(frozen=True, kw_only=True)
class WorkerBlocked(Event):
    """``worker.blocked``: a worker's accuracy on a job's gold items fell below the job's
    minimum; they receive no more tasks of it. Fields: ``gold_answers``, ``accuracy``,
    ``min_accuracy``."""

    action = "worker.blocked"
    entity_type = "user"
    gold_answers: int
    accuracy: float
    min_accuracy: float


@dataclass(frozen=True, kw_only=True)
class ModelRunFinished(Event):
    """``model_run.finished``: an auto-labeling iteration ended (its ``status`` says how).
    Fields: ``iteration``, ``model``, ``status``, ``training_size``, ``threshold``,
    ``estimated_accuracy``, ``accuracy_lower_bound``, ``items_labeled``, ``items_sent``,
    ``seconds``, ``error``."""

    action = "model_run.finished"
    entity_type = "model_run"
    iteration: int
    model: str
    status: str
    training_size: int
    threshold: float | None
    estimated_accuracy: float | None
    accuracy_lower_bound: float | None
    items_labeled: int
    items_sent: int
    seconds: float
    error: str | None


@dataclass(frozen=True, kw_only=True)
class BatchSent(Event):
    """``batch.sent``: auto-labeling opened items to human workers. Fields: ``items``,
    ``reason`` (``initial``: the first random batch; ``uncertain``: those the model was
    least sure of; ``random``: no model to choose with)."""

    action = "batch.sent"
    entity_type = "job"
    items: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ManifestUploaded(Event):
    """``manifest.uploaded``: a user uploaded a manifest through ``POST /uploads`` (the
    entity is the user). Fields: ``url``, ``bytes``."""

    action = "manifest.uploaded"
    entity_type = "user"
    url: str
    bytes: int

"""The database tables, as sqlmodel classes.

One family per entity. ``*Base`` holds the shared fields, the ``table=True`` class is the
row; GraphQL types in :mod:`quorum.graphql.types` are the public shape. Migrations are
alembic's alone (``migrations/versions``); ``create_all`` is never called outside tests.

Times are timezone-aware UTC datetimes (sqlmodel's ``UTCDateTime`` stores them as UTC on
SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from quorum.statuses import DEFAULT_ORGANIZATION_ID, ItemStatus, JobStatus, TaskStatus, utcnow

#: Constraint names that alembic can rely on, on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

#: An auto-incrementing 64-bit key (SQLite needs INTEGER for its rowid alias).
BigKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Organization(SQLModel, table=True):
    """The unit of tenancy: its users, teams, jobs and uploads see only each other, and its
    jobs read and write storage only under its roots (:mod:`quorum.tenancy`).

    ``storage_roots`` are storage URL prefixes (``file:///srv/acme/``, ``s3://acme-data/``)
    granted by the server's administrators; ``None`` (the default organization's own
    setting) means every URL the server's storage reaches that no other organization holds.
    """

    __tablename__ = "organizations"
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    storage_roots: list[str] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)


def _organization_key() -> Any:
    """The ``organization_id`` column of users, teams and jobs (the default organization's
    for rows made before organizations)."""
    return Field(
        default=DEFAULT_ORGANIZATION_ID,
        foreign_key="organizations.id",
        index=True,
        sa_type=sa.BigInteger,
        sa_column_kwargs={"server_default": str(DEFAULT_ORGANIZATION_ID)},
    )


class User(SQLModel, table=True):
    """A person or a service, with a role, in one organization; authenticates with hashed
    API tokens. Names are unique within the organization."""

    __tablename__ = "users"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    organization_id: int = _organization_key()
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """An API token, stored as its SHA-256 only; the plain token is shown once."""

    __tablename__ = "api_tokens"
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, sa_type=sa.BigInteger)
    token_hash: str = Field(max_length=64, unique=True)
    #: What the token is for ("laptop", "CI"), if its maker said.
    name: str | None = Field(default=None, max_length=100)
    #: The plain token's last four characters, to tell tokens apart (none before 0009).
    last4: str | None = Field(default=None, max_length=4)
    created_at: datetime = Field(default_factory=utcnow)
    #: When the token stops authenticating, if its maker gave it an end (none: never).
    expires_at: datetime | None = None


class BrowserSession(SQLModel, table=True):
    """A browser signed in with an API token (``POST /session``, :mod:`quorum.http.sessions`):
    its cookie carries a random secret, stored here as its SHA-256 only. Signing out,
    revoking the token or disabling its user deletes the row, which ends the session."""

    __tablename__ = "browser_sessions"
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True)
    token_id: int = Field(foreign_key="api_tokens.id", index=True, sa_type=sa.BigInteger)
    created_at: datetime = Field(default_factory=utcnow)
    #: 12 hours after sign-in, or the token's own end if that comes first.
    expires_at: datetime = Field(index=True)


class Team(SQLModel, table=True):
    """A named set of an organization's workers; a private workforce hands a job to one
    team. Names are unique within the organization."""

    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    organization_id: int = _organization_key()
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class TeamMember(SQLModel, table=True):
    """Membership of a user in a team."""

    __tablename__ = "team_members"
    team_id: int = Field(foreign_key="teams.id", primary_key=True, sa_type=sa.BigInteger)
    user_id: int = Field(foreign_key="users.id", primary_key=True, sa_type=sa.BigInteger)


class Job(SQLModel, table=True):
    """A labeling job of one organization: what to label, how, by whom, and where the
    output goes. Names are unique within the organization (ignoring case)."""

    __tablename__ = "jobs"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    organization_id: int = _organization_key()
    name: str = Field(max_length=63)
    task_type: str = Field(max_length=100)
    labels: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    label_attribute_name: str = Field(max_length=127)
    #: Verification and adjustment jobs: the manifest attribute holding the previous
    #: job's label, which workers audit (``None`` for other task types).
    audit_label_attribute_name: str | None = Field(default=None, max_length=127)
    input_manifest: str = Field(max_length=1024)
    output_path: str = Field(max_length=1024)
    instructions: str | None = Field(default=None, sa_type=sa.Text)
    full_instructions: str | None = Field(default=None, sa_type=sa.Text)
    template: str | None = Field(default=None, sa_type=sa.Text)
    workforce: str = Field(max_length=100)
    team_id: int | None = Field(default=None, foreign_key="teams.id", sa_type=sa.BigInteger)
    workers_per_item: int = 1
    #: Adaptive redundancy: an item whose consensus confidence is below
    #: ``target_confidence`` goes to one more worker, up to this many (``None``: off).
    max_workers_per_item: int | None = None
    target_confidence: float | None = None
    #: Gold items: ``{"key", "minAccuracy", "minAnswers", "share", "manifest"}`` (``None``:
    #: off; ``manifest`` is the URL of a separate gold manifest, or ``None``).
    gold: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    consensus: str = Field(max_length=100)
    price_per_task: float = 0.0
    task_time_limit_seconds: int = 3600
    task_availability_seconds: int | None = None
    max_concurrent_tasks: int | None = None
    max_human_labeled_items: int | None = None
    max_labeled_percentage: float | None = None
    auto_labeling: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    #: The job's own keyboard shortcuts (:mod:`quorum.services.shortcuts`).
    shortcuts: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    #: Examples for workers (:mod:`quorum.services.examples`).
    examples: list[dict[str, str]] | None = Field(default=None, sa_type=sa.JSON)
    status: str = Field(default=JobStatus.INITIALIZING, max_length=20, index=True)
    failure_reason: str | None = Field(default=None, sa_type=sa.Text)
    output_manifest: str | None = Field(default=None, max_length=2048)
    created_by_id: int = Field(foreign_key="users.id", sa_type=sa.BigInteger)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: A runner holds the job (ingest, output) until this time; others leave it alone.
    runner_lease_until: datetime | None = None
    #: Items that no worker who may work on the job can take any more, as the runner
    #: last counted them (:mod:`quorum.runner.shortfall`).
    waiting_for_workers: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Item(SQLModel, table=True):
    """One manifest line, kept verbatim, with its consolidated label.

    ``open`` is true while the item can still be handed to a worker (fewer than
    ``workers_per_item + extra_answers`` tasks held or answered); the claim query reads only
    open items.
    ``output`` is the JSON text spliced into the output line: ``"attr":value,"attr-metadata":{}``.
    """

    __tablename__ = "items"
    __table_args__ = (
        sa.UniqueConstraint("job_id", "position"),
        sa.Index("ix_items_claim", "job_id", "open", "id"),
        sa.Index("ix_items_job_id_status", "job_id", "status"),
    )
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    job_id: int = Field(foreign_key="jobs.id", sa_type=sa.BigInteger)
    position: int
    data: str = Field(sa_type=sa.Text)
    status: str = Field(default=ItemStatus.UNLABELED, max_length=20)
    open: bool = True
    active_count: int = 0
    answers_count: int = 0
    #: Workers who declined the item (``declineTask``): they never get it again.
    declines_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: Answers asked for beyond the job's ``workers_per_item`` (adaptive redundancy).
    extra_answers: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: A gold item's known answer: it scores every worker who answers it.
    gold_answer: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    task_input: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    output: str | None = Field(default=None, sa_type=sa.Text)
    confidence: float | None = None
    #: The consensus algorithm's own probability of the label, uncapped (``confidence``
    #: follows Ground Truth: capped at 0.95, 0 for one answer); what auto-labeling takes as
    #: the chance that a human label is right.
    posterior: float | None = None
    labeled_at: datetime | None = None
    failure_reason: str | None = Field(default=None, sa_type=sa.Text)


class Task(SQLModel, table=True):
    """One assignment of one item to one worker, under a lease.

    The unique (item, worker) pair is what makes "never the same item twice to one worker"
    a database guarantee rather than a hope.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "worker_id"),
        sa.Index("ix_tasks_worker", "worker_id", "job_id", "status"),
        sa.Index("ix_tasks_lease", "status", "lease_expires_at"),
        sa.Index("ix_tasks_job_status", "job_id", "status"),
    )
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    job_id: int = Field(foreign_key="jobs.id", sa_type=sa.BigInteger)
    item_id: int = Field(foreign_key="items.id", sa_type=sa.BigInteger)
    worker_id: int = Field(foreign_key="users.id", sa_type=sa.BigInteger)
    status: str = Field(default=TaskStatus.ASSIGNED, max_length=20)
    accepted_at: datetime = Field(default_factory=utcnow)
    lease_expires_at: datetime
    submitted_at: datetime | None = None
    answer: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    time_spent_seconds: float | None = None


class AuditEvent(SQLModel, table=True):
    """An append-only record of a state change, hash-chained within its ``chain``.

    Each job has its own chain (``job:<id>``); users and teams share ``global``. The event is
    written in the transaction of the change it records, with ``seq`` and ``hash`` empty;
    the runner then seals pending events in id order (:func:`quorum.audit.seal_pending`):
    ``seq`` numbers the chain, and ``hash`` is SHA-256 over the previous hash and the event's
    canonical JSON, so an edited or deleted sealed event breaks every hash after it
    (:func:`quorum.audit.verify_chain`). The unique (chain, seq) pair makes a forked chain
    impossible.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.UniqueConstraint("chain", "seq"),
        sa.Index("ix_audit_events_job_id_id", "job_id", "id"),
        sa.Index(
            "ix_audit_events_pending",
            "chain",
            "id",
            sqlite_where=sa.text("hash IS NULL"),
            postgresql_where=sa.text("hash IS NULL"),
        ),
    )
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    chain: str = Field(max_length=40)
    seq: int | None = None
    action: str = Field(max_length=60)
    actor_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    entity_type: str = Field(max_length=30)
    entity_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    job_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class ConsensusState(SQLModel, table=True):
    """What a job's consensus algorithm carries from one batch to the next (its
    ``ConsensusResult.state``: for Dawid-Skene, every worker's confusion counts)."""

    __tablename__ = "consensus_states"
    job_id: int = Field(foreign_key="jobs.id", sa_type=sa.BigInteger, primary_key=True)
    algorithm: str = Field(max_length=100)
    state: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    updated_at: datetime = Field(default_factory=utcnow)


class JobWorker(SQLModel, table=True):
    """One worker's record in one job: answers consolidated, how many agreed with the
    consolidated label, the consensus algorithm's latest estimate of the worker (accuracy,
    confusion matrix, spammer; kept by the runner), and their score on gold items (kept as
    they answer them)."""

    __tablename__ = "job_workers"
    job_id: int = Field(foreign_key="jobs.id", sa_type=sa.BigInteger, primary_key=True)
    worker_id: int = Field(foreign_key="users.id", sa_type=sa.BigInteger, primary_key=True)
    answers: int = 0
    agreed: float = 0.0
    accuracy: float | None = None
    confusion: list[list[float]] | None = Field(default=None, sa_type=sa.JSON)
    spammer: bool = False
    gold_answers: int = 0
    gold_correct: float = 0.0
    #: Below the job's gold accuracy: the worker receives no more tasks of the job.
    blocked: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class ModelRun(SQLModel, table=True):
    """One auto-labeling iteration (:mod:`quorum.runner.auto_labeling`): trained on
    ``training_size`` human labels, it chose ``threshold`` from cross-validated predictions
    (``estimated_accuracy`` at or above it, and that accuracy's lower confidence bound),
    labeled ``items_labeled`` items by machine and sent ``items_sent`` to humans."""

    __tablename__ = "model_runs"
    __table_args__ = (sa.UniqueConstraint("job_id", "iteration"),)
    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    job_id: int = Field(foreign_key="jobs.id", sa_type=sa.BigInteger)
    iteration: int
    model: str = Field(max_length=100)
    status: str = Field(max_length=20)
    training_size: int = 0
    threshold: float | None = None
    estimated_accuracy: float | None = None
    accuracy_lower_bound: float | None = None
    #: Cross-validated items at or above the threshold (what the estimate rests on).
    validated_items: int = 0
    items_labeled: int = 0
    items_sent: int = 0
    #: Featurizing, cross-validation, training and prediction, in seconds (compute cost).
    seconds: float = 0.0
    error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow)

"""The states of jobs, items, tasks and model runs, the roles of users, and the time every
table stores: plain enums with no database behind them.

The tables (:mod:`quorum.models`) store these values; the command line and the plugin API
use them without loading the ORM (``quorum consolidate`` starts in well under a second).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as the aware UTC datetime every table stores."""
    return datetime.now(UTC)


class Role(enum.StrEnum):
    """What a user may do: administer, run jobs, or label."""

    ADMIN = "admin"
    REQUESTER = "requester"
    WORKER = "worker"


class JobStatus(enum.StrEnum):
    """A job's life, as Ground Truth names it."""

    INITIALIZING = "INITIALIZING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"


#: Jobs in these states never change again.
FINAL_JOB_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.STOPPED)


class ItemStatus(enum.StrEnum):
    """An item's life: waiting, being answered, labeled (by people or a model), failed.

    ``SKIPPED`` extends Ground Truth's set: a pre-annotation hook said no human is needed,
    and the line passes to the output unchanged.
    ``GOLD`` marks a line of the job's gold manifest: a known answer that only scores
    workers; it is not part of the dataset (not counted in ``total``, not in the output).
    """

    UNLABELED = "UNLABELED"
    IN_PROGRESS = "IN_PROGRESS"
    HUMAN_LABELED = "HUMAN_LABELED"
    MACHINE_LABELED = "MACHINE_LABELED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    GOLD = "GOLD"


#: Items in these states still wait for answers: the runner completes a job once none is
#: (a gold manifest's item, ``GOLD``, never holds a job back).
UNFINISHED_ITEM_STATUSES = (ItemStatus.UNLABELED, ItemStatus.IN_PROGRESS)


class TaskStatus(enum.StrEnum):
    """One assignment's life: held under a lease, then answered, expired, handed back or
    declined.

    ``RELEASED`` ("not now") and ``EXPIRED`` return the item to the pool, and the same
    worker may get it again once nothing else is left for them; ``DECLINED`` ("I can't do
    this one") means the worker never gets the item again.
    """

    ASSIGNED = "ASSIGNED"
    SUBMITTED = "SUBMITTED"
    EXPIRED = "EXPIRED"
    RELEASED = "RELEASED"
    DECLINED = "DECLINED"


#: A task in one of these states gave its item back: its worker may take it again.
RETURNED_TASK_STATUSES = (TaskStatus.RELEASED, TaskStatus.EXPIRED)


#: The organization every installation starts with; the embedded default has no other.
DEFAULT_ORGANIZATION_ID = 1


class ModelRunStatus(enum.StrEnum):
    """How an auto-labeling iteration ended."""

    SUCCEEDED = "SUCCEEDED"
    #: Too few human labels to train on (fewer than two classes): humans get another batch.
    SKIPPED = "SKIPPED"
    #: The model plugin raised; ``error`` says what, and humans get another batch.
    FAILED = "FAILED"

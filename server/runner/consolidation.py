"""Consolidates items whose answers are in, with the job's consensus algorithm.

An item is ready when it has ``workersPerItem`` answers; when a job stops or its
availability ends, items with at least one answer are consolidated with what they have
(Ground Truth: "an object succeeds if at least one worker labels it"). Each item first goes
to ``quorum_post_annotation``; the job's algorithm decides the rest, seeing the whole batch
at once. An algorithm that fails marks the batch's items ``FAILED`` with the reason.

A batch goes in three steps, so that the database's write lock is held only for the
updates themselves: :func:`plan` reads the items and answers and decides (read
transaction), :func:`write_responses` writes the raw answers to storage (no transaction),
and :func:`apply` stores the labels (write transaction). ``apply`` only touches items
still ``IN_PROGRESS``, so two runners racing on one batch label each item once.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from quorum import audit
from quorum.consensus import Consolidated, WorkerAnswer
from quorum.events import ItemFailed, ItemLabeled
from quorum.models import Item, ItemStatus, Job, Task, TaskStatus, utcnow
from quorum.plugins import PluginHost
from quorum.rows import run
from quorum.runner.output import (
    label_fragment,
    labeled_output,
    worker_response,
    worker_responses_prefix,
)

logger = logging.getLogger("quorum.runner")

BATCH = 500

_LABEL = (
    "UPDATE items SET status = :status, open = :false, output = :output, "
    "confidence = :confidence, labeled_at = :now, failure_reason = :reason "
    "WHERE id = :id AND status = :in_progress"
)


@dataclass
class Outcome:
    """What consolidation decided for one item: a label (with its output fragment) or a
    failure reason."""

    item: Item
    tasks: list[Task]
    label: Consolidated | None = None
    value: Any = None
    output: str | None = None
    decided_by: str = ""
    failure: str | None = None


def ready_items(session: Session, job: Job, *, partial: bool) -> list[Item]:
    """Items with all their answers (or, with ``partial``, with any answer) to consolidate."""
    needed = 1 if partial else job.workers_per_item
    return list(
        session.exec(
            select(Item)
            .where(
                Item.job_id == job.id,
                Item.status == ItemStatus.IN_PROGRESS,
                Item.answers_count >= needed,
            )
            .order_by(col(Item.id))
            .limit(BATCH)
        )
    )


def fail_items(session: Session, items: Sequence[Item], reason: str) -> None:
    """Mark ``items`` failed with ``reason`` (in the caller's write transaction)."""
    for item in items:
        assert item.id is not None
        item.status = ItemStatus.FAILED
        item.open = False
        item.failure_reason = reason
        session.add(item)
        audit.record(
            session, ItemFailed(actor_id=None, entity_id=item.id, job_id=item.job_id, reason=reason)
        )


def _answers_by_item(session: Session, items: Sequence[Item]) -> dict[int, list[Task]]:
    tasks = session.exec(
        select(Task)
        .where(col(Task.item_id).in_([item.id for item in items]))
        .where(Task.status == TaskStatus.SUBMITTED)
        .order_by(col(Task.id))
    ).all()
    grouped: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        grouped[task.item_id].append(task)
    return grouped


def plan(session: Session, plugins: PluginHost, job: Job, *, partial: bool) -> list[Outcome]:
    """Read the next batch of ready items and decide their labels (nothing is written)."""
    items = ready_items(session, job, partial=partial)
    if not items:
        return []
    task_type = plugins.task_types.get(job.task_type, "taskType")
    algorithm = plugins.consensus_algorithms.get(job.consensus, "consensus")
    grouped = _answers_by_item(session, items)
    outcomes = [Outcome(item=item, tasks=grouped.get(item.id or 0, [])) for item in items]
    rest: list[WorkerAnswer] = []
    try:
        for outcome in outcomes:
            answers = [
                WorkerAnswer(item=task.item_id, worker=task.worker_id, answer=task.answer or {})
                for task in outcome.tasks
            ]
            own = plugins.post_annotation(job, json.loads(outcome.item.data), answers)
            if own is not None:
                outcome.label, outcome.decided_by = own, "post-annotation"
            else:
                rest.extend(answers)
        decided = algorithm.consolidate(rest, job.labels).labels if rest else {}
    except Exception as exc:
        logger.exception("consolidation of job %s failed", job.name)
        for outcome in outcomes:
            outcome.failure = f"consensus {job.consensus} failed: {exc}"
        return outcomes
    for outcome in outcomes:
        if outcome.label is None:
            outcome.label = decided.get(outcome.item.id)
            outcome.decided_by = job.consensus
        if outcome.label is None:
            outcome.failure = "no answer to consolidate"
            continue
        outcome.value, metadata = labeled_output(task_type, outcome.label, job.labels, job.name)
        outcome.output = label_fragment(job.label_attribute_name, outcome.value, metadata)
    return outcomes


def write_responses(plugins: PluginHost, job: Job, outcomes: Sequence[Outcome]) -> None:
    """Write the raw answers of the labeled items to storage, in Ground Truth's layout."""
    task_type = plugins.task_types.get(job.task_type, "taskType")
    plugins.storage.write_many(
        worker_responses_prefix(job),
        (
            worker_response(job, task_type, outcome.item, outcome.tasks)
            for outcome in outcomes
            if outcome.output is not None
        ),
    )


def apply(session: Session, job: Job, outcomes: Sequence[Outcome]) -> int:
    """Store the decided labels and failures; returns how many items changed."""
    now = utcnow()
    changed = 0
    for outcome in outcomes:
        item_id = outcome.item.id
        assert item_id is not None
        labeled = outcome.output is not None and outcome.label is not None
        updated = run(
            session,
            _LABEL,
            {
                "status": (ItemStatus.HUMAN_LABELED if labeled else ItemStatus.FAILED).value,
                "false": False,
                "output": outcome.output,
                "confidence": outcome.label.confidence if labeled and outcome.label else None,
                "now": now,
                "reason": outcome.failure,
                "id": item_id,
                "in_progress": ItemStatus.IN_PROGRESS.value,
            },
        )
        if not updated:
            continue  # another runner got there first
        changed += 1
        if labeled and outcome.label is not None:
            event: ItemLabeled | ItemFailed = ItemLabeled(
                actor_id=None,
                entity_id=item_id,
                job_id=job.id,
                label=outcome.value,
                confidence=outcome.label.confidence,
                algorithm=outcome.decided_by,
                human=True,
            )
        else:
            event = ItemFailed(
                actor_id=None, entity_id=item_id, job_id=job.id, reason=outcome.failure or ""
            )
        audit.record(session, event)
    return changed

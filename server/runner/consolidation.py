"""Consolidates items whose answers are in, with the job's consensus algorithm.

An item is ready when it has ``workersPerItem`` answers; when a job stops or its
availability ends, items with at least one answer are consolidated with what they have
(Ground Truth: "an object succeeds if at least one worker labels it"). Each item first goes
to ``quorum_post_annotation``; the job's algorithm decides the rest, seeing the whole batch
at once. An algorithm that fails marks the batch's items ``FAILED`` with the reason.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Hashable, Sequence

from sqlmodel import Session, col, select

from quorum import audit
from quorum.consensus import Consolidated, WorkerAnswer
from quorum.events import ItemFailed, ItemLabeled
from quorum.models import Item, ItemStatus, Job, Task, TaskStatus, utcnow
from quorum.plugins import PluginHost
from quorum.runner.output import label_fragment, labeled_output, write_worker_responses

logger = logging.getLogger("quorum.runner")

BATCH = 1_000


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
    for item in items:
        assert item.id is not None
        item.status = ItemStatus.FAILED
        item.open = False
        item.failure_reason = reason
        session.add(item)
        audit.record(
            session, ItemFailed(actor_id=None, entity_id=item.id, job_id=item.job_id, reason=reason)
        )


def consolidate(session: Session, plugins: PluginHost, job: Job, items: Sequence[Item]) -> int:
    """Consolidate ``items`` of ``job`` and write their raw answers; returns how many."""
    if not items:
        return 0
    task_type = plugins.task_types.get(job.task_type, "taskType")
    algorithm = plugins.consensus_algorithms.get(job.consensus, "consensus")
    by_id = {item.id: item for item in items}
    tasks = session.exec(
        select(Task)
        .where(col(Task.item_id).in_(list(by_id)), Task.status == TaskStatus.SUBMITTED)
        .order_by(col(Task.id))
    ).all()
    tasks_of: dict[Hashable, list[Task]] = defaultdict(list)
    for task in tasks:
        tasks_of[task.item_id].append(task)
    answers = [
        WorkerAnswer(item=task.item_id, worker=task.worker_id, answer=task.answer or {})
        for task in tasks
    ]
    decided: dict[Hashable, Consolidated] = {}
    try:
        for item in items:
            own = plugins.post_annotation(
                job, json.loads(item.data), [a for a in answers if a.item == item.id]
            )
            if own is not None:
                decided[item.id] = own
        rest = [answer for answer in answers if answer.item not in decided]
        if rest:
            decided.update(algorithm.consolidate(rest, job.labels).labels)
    except Exception as exc:
        logger.exception("consolidation of job %s failed", job.name)
        fail_items(session, items, f"consensus {job.consensus} failed: {exc}")
        return 0
    now = utcnow()
    for item in items:
        assert item.id is not None
        label = decided.get(item.id)
        if label is None:
            fail_items(session, [item], "no answer to consolidate")
            continue
        value, metadata = labeled_output(task_type, label, job.labels, job.name)
        item.output = label_fragment(job.label_attribute_name, value, metadata)
        item.status = ItemStatus.HUMAN_LABELED
        item.open = False
        item.confidence = label.confidence
        item.labeled_at = now
        session.add(item)
        write_worker_responses(plugins.storage, job, task_type, item, tasks_of[item.id])
        audit.record(
            session,
            ItemLabeled(
                actor_id=None,
                entity_id=item.id,
                job_id=job.id,
                label=value,
                confidence=label.confidence,
                algorithm=job.consensus if item.id in decided else "post-annotation",
                human=True,
            ),
        )
    return len(items)

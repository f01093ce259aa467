"""Items short of workers: those that no worker who may work on the job can take any more.

An item needs ``workersPerItem`` answers (more, with adaptive redundancy). It falls short
when every *eligible* worker (a worker whose workforce lets them take the job's tasks, who
is not disabled and not blocked by the job's gold items) has answered or declined it and
nobody holds it: a team smaller than ``workersPerItem``, or a worker who declined. Rather
than let the job hang, the runner finishes such an item as soon as it sees it:

- with at least one answer, it is consolidated with the answers it has (its confidence is
  lower, as with a stopped job's items);
- with none, because everyone eligible declined it, it fails with that reason;
- with none, because the workforce has no eligible worker at all (an empty team, or every
  member blocked by gold), it waits: a worker may still join. The job counts these items
  in ``counters { waitingForWorkers }`` and they fail, like every unanswered item, when
  ``taskAvailabilitySeconds`` is over.

A released or expired task does not count: its worker may take the item again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from quorum.db.rows import select_rows
from quorum.models import Item, Job
from quorum.plugins import PluginHost
from quorum.services.eligibility import eligible_workers
from quorum.statuses import ItemStatus, TaskStatus

#: How many short items one runner pass finishes at most.
LIMIT = 500

_UNFINISHED = """
FROM items WHERE job_id = :job AND status IN (:unlabeled, :in_progress)
  AND (open = :true OR status = :in_progress) AND active_count = answers_count
  AND answers_count < :needed + extra_answers
"""
_COUNTED = (
    "(SELECT COUNT(*) FROM tasks WHERE tasks.item_id = items.id "
    "AND tasks.status IN (:submitted, :declined) AND tasks.worker_id IN ({workers}))"
)


@dataclass
class Shortfall:
    """What :func:`find` found: items to consolidate with the answers they have, items
    every eligible worker declined, and how many wait for a worker who does not exist."""

    answered: list[Item] = field(default_factory=list)
    declined: list[Item] = field(default_factory=list)
    waiting: int = 0


def find(session: Session, plugins: PluginHost, job: Job) -> Shortfall:
    """The job's items that no eligible worker can take any more (up to :data:`LIMIT`)."""
    eligible = eligible_workers(session, plugins, job)
    if eligible is None:
        return Shortfall()
    params: dict[str, Any] = {
        "job": job.id,
        "unlabeled": ItemStatus.UNLABELED.value,
        "in_progress": ItemStatus.IN_PROGRESS.value,
        "true": True,
        "needed": job.workers_per_item,
    }
    if not eligible:
        answered = select_rows(
            session,
            f"SELECT id {_UNFINISHED} AND answers_count > 0 ORDER BY id LIMIT {LIMIT}",
            params,
        )
        (count,) = select_rows(
            session, f"SELECT COUNT(*) AS n {_UNFINISHED} AND answers_count = 0", params
        )
        return Shortfall(answered=_items(session, answered), waiting=int(count["n"]))
    workers = {f"w{index}": worker for index, worker in enumerate(sorted(eligible))}
    counted = _COUNTED.format(workers=", ".join(f":{name}" for name in workers))
    rows = select_rows(
        session,
        # The first condition is a cheap filter for the exact second one.
        f"SELECT id {_UNFINISHED} AND answers_count + declines_count >= :eligible "
        f"AND {counted} >= :eligible ORDER BY id LIMIT {LIMIT}",
        {
            **params,
            **workers,
            "eligible": len(eligible),
            "submitted": TaskStatus.SUBMITTED.value,
            "declined": TaskStatus.DECLINED.value,
        },
    )
    items = _items(session, rows)
    return Shortfall(
        answered=[item for item in items if item.answers_count > 0],
        declined=[item for item in items if item.answers_count == 0],
    )


def _items(session: Session, rows: list[dict[str, Any]]) -> list[Item]:
    """The items of ``rows`` (their ``id`` column), loaded by the session, in id order."""
    if not rows:
        return []
    ids = [int(row["id"]) for row in rows]
    return list(session.exec(select(Item).where(col(Item.id).in_(ids)).order_by(col(Item.id))))

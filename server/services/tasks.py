"""Tasks: claim, submit, release, and lease expiry.

Guarantees, on SQLite and PostgreSQL alike:

- an item is never given twice to one worker: ``tasks`` has a unique (item, worker) pair;
- an item never gets more than ``workersPerItem`` answers: a claim takes an item only while
  its held-or-answered count is below the limit, under the item's row lock
  (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent workers take different items;
  SQLite serialises writers with ``BEGIN IMMEDIATE``);
- a worker who already holds an unexpired task of a job gets that task back, so a page
  reload strands nothing.

Handing a task back, as Ground Truth's worker portal has it: *release* ("not now",
:func:`release_task`) and an expired lease return the item to the pool, and the same
worker may get it again once nothing else is left for them (the claim reuses their
task's row, so the pair stays unique); *decline* ("I can't do this one",
:func:`decline_task`) means the worker never gets the item again. An item that no
eligible worker can take any more is the runner's to finish
(:mod:`quorum.runner.shortfall`).

``maxConcurrentTasks`` caps the items being worked on at once: while the cap is reached,
claims only go to items already in progress. On PostgreSQL the cap is checked without a
job-wide lock, so concurrent claims may overshoot it by the number of racing workers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from quorum import audit
from quorum.db.rows import (
    Statement,
    fetch_one,
    insert,
    model_from_row,
    run,
    run_all,
    select_all,
    select_rows,
)
from quorum.errors import Conflict, Forbidden, ForbiddenReason, LeaseExpired, NotFound
from quorum.events import TaskClaimed, TaskDeclined, TaskExpired, TaskReleased, TaskSubmitted
from quorum.item_source import item_source
from quorum.json_input import check_json
from quorum.models import Item, Job, Task, User
from quorum.plugins import PluginHost
from quorum.services import gold
from quorum.services.eligibility import may_work
from quorum.services.users import TEAM_IDS, team_ids_in, team_ids_of
from quorum.statuses import RETURNED_TASK_STATUSES, ItemStatus, JobStatus, TaskStatus, utcnow
from quorum.storage import Storage
from quorum.tenancy import job_storage

_PICK = """
SELECT id FROM items
WHERE job_id = :job_id AND open = :true {status_filter}
  AND NOT EXISTS (
    SELECT 1 FROM tasks WHERE tasks.item_id = items.id AND tasks.worker_id = :worker_id {fence}
  )
ORDER BY id LIMIT 1 {lock}
"""
# Once nothing new is left: an item the worker released (or let expire), oldest first.
_PICK_RETURNED = """
SELECT items.id AS item_id, tasks.id AS task_id FROM tasks
JOIN items ON items.id = tasks.item_id
WHERE tasks.worker_id = :worker_id AND tasks.job_id = :job_id
  AND tasks.status IN (:released, :expired) AND items.open = :true {status_filter}
ORDER BY tasks.id LIMIT 1 {lock}
"""
_RETAKE = (
    "UPDATE tasks SET status = :assigned, accepted_at = :now, lease_expires_at = :lease "
    "WHERE id = :id AND status IN (:released, :expired)"
)

_ANSWERED = "UPDATE items SET answers_count = answers_count + 1 WHERE id = :id"
_DECLINED = "UPDATE items SET declines_count = declines_count + 1 WHERE id = :id"
_TAKE = (
    "UPDATE items SET active_count = active_count + 1, "
    "open = (active_count + 1 < :limit + extra_answers), status = :in_progress WHERE id = :id"
)
# A slot handed back reopens the item; an item nobody holds or answered is unlabeled again.
_GIVE_BACK = (
    "UPDATE items SET active_count = active_count - 1, open = :true, "
    "status = CASE WHEN active_count = 1 AND answers_count = 0 THEN :unlabeled ELSE status END "
    "WHERE id = :id AND status IN (:unlabeled, :in_progress)"
)
_HELD = (
    "SELECT * FROM tasks WHERE job_id = :job AND worker_id = :worker AND status = :assigned "
    "AND lease_expires_at > :now"
)


_JOB = "SELECT * FROM jobs WHERE id = :id"
_JOBS_KEY = "quorum.jobs"


def load_job(session: Session, job_id: int) -> Job | None:
    """A job row (a transient copy, read once per transaction)."""
    loaded: dict[int, Job | None] = session.info.setdefault(_JOBS_KEY, {})
    if job_id not in loaded:
        loaded[job_id] = fetch_one(session, Job, _JOB, {"id": job_id})
    return loaded[job_id]


def _keep_job(session: Session, job_id: int, rows: Sequence[Mapping[str, Any]]) -> Job | None:
    """The job in ``rows`` (read along with other queries), kept for :func:`load_job`."""
    job = model_from_row(Job, rows[0]) if rows else None
    session.info.setdefault(_JOBS_KEY, {})[job_id] = job
    return job


_ITEM = "SELECT * FROM items WHERE id = :id"
#: A job's items, gold included: their positions are 0 to this less one.
_ITEM_COUNT = "SELECT MAX(position) + 1 AS n FROM items WHERE job_id = :job"


def load_item(session: Session, item_id: int) -> Item | None:
    """An item row (a transient copy)."""
    return fetch_one(session, Item, _ITEM, {"id": item_id})


def load_item_and_count(session: Session, task: Task) -> tuple[Item, int]:
    """A task's item (a transient copy) and how many items its job has, gold included,
    read in one round trip."""
    item_rows, count_rows = select_all(
        session,
        [(_ITEM, {"id": task.item_id}, Item), (_ITEM_COUNT, {"job": task.job_id}, None)],
    )
    assert item_rows, "tasks.item_id is a foreign key"
    return model_from_row(Item, item_rows[0]), int(count_rows[0]["n"])


def availability_over(job: Job, now: datetime) -> bool:
    """Whether the job's ``taskAvailabilitySeconds`` have run out."""
    return (
        job.task_availability_seconds is not None
        and job.started_at is not None
        and now > job.started_at + timedelta(seconds=job.task_availability_seconds)
    )


def job_is_open(job: Job, now: datetime) -> bool:
    """Whether the job hands out tasks now (in progress, within its availability)."""
    return job.status == JobStatus.IN_PROGRESS and not availability_over(job, now)


@dataclass(frozen=True)
class _Pick:
    """An item to give a worker: ``task_id`` is their returned task of it, if they had
    one (the claim reuses it), and ``take`` the statement that takes the item's slot."""

    item_id: int
    task_id: int | None = None
    take: Statement | None = None


def _pick_item(
    session: Session, job: Job, worker_id: int, *, in_progress_only: bool, lock: bool = True
) -> _Pick | None:
    postgres = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL would turn NOT EXISTS into a merge anti-join that walks the primary key
    # from the job's first item, past every closed one (7 ms at 50k closed items, growing);
    # OFFSET 0 keeps it a per-row probe, so the claim index is read from the first open item.
    fence = "OFFSET 0" if postgres else ""
    status_filter = "AND status = :in_progress" if in_progress_only else ""
    params = {
        "job_id": job.id,
        "worker_id": worker_id,
        "true": True,
        "in_progress": ItemStatus.IN_PROGRESS.value,
    }
    lock_clause = "FOR UPDATE SKIP LOCKED" if lock and postgres else ""
    rows = select_rows(
        session,
        _PICK.format(status_filter=status_filter, lock=lock_clause, fence=fence),
        params,
    )
    if rows:
        return _Pick(item_id=int(rows[0]["id"]))
    returned_lock = "FOR UPDATE OF items SKIP LOCKED" if lock and postgres else ""
    rows = select_rows(
        session,
        _PICK_RETURNED.format(
            status_filter=status_filter.replace("status", "items.status"), lock=returned_lock
        ),
        {**params, "released": TaskStatus.RELEASED.value, "expired": TaskStatus.EXPIRED.value},
    )
    if rows:
        return _Pick(item_id=int(rows[0]["item_id"]), task_id=int(rows[0]["task_id"]))
    return None


def _held_params(job_id: int, worker_id: int, now: datetime) -> dict[str, Any]:
    return {"job": job_id, "worker": worker_id, "assigned": TaskStatus.ASSIGNED.value, "now": now}


def _held_task(session: Session, job_id: int, worker_id: int, now: datetime) -> Task | None:
    return fetch_one(session, Task, _HELD, _held_params(job_id, worker_id, now))


def at_concurrency_cap(session: Session, job: Job) -> bool:
    """Whether ``maxConcurrentTasks`` items of the job are being worked on."""
    if job.max_concurrent_tasks is None:
        return False
    (row,) = select_rows(
        session,
        "SELECT COUNT(*) AS n FROM items WHERE job_id = :job AND status = :in_progress",
        {"job": job.id, "in_progress": ItemStatus.IN_PROGRESS.value},
    )
    return int(row["n"]) >= job.max_concurrent_tasks


def workable_jobs(session: Session, plugins: PluginHost, worker: User) -> list[Job]:
    """The in-progress jobs ``worker`` may take tasks of, oldest first."""
    assert worker.id is not None
    team_ids = team_ids_of(session, worker.id)
    now = utcnow()
    jobs = session.scalars(
        select(Job).where(col(Job.status) == JobStatus.IN_PROGRESS).order_by(col(Job.id))
    ).all()
    return [
        job
        for job in jobs
        if job_is_open(job, now)
        and job.workforce in plugins.workforces
        and may_work(plugins.workforces.get(job.workforce, "workforce"), job, worker, team_ids)
    ]


def claim_task(
    session: Session, *, worker: User, job_id: int | None, plugins: PluginHost
) -> Task | None:
    """Give ``worker`` a task of ``job_id`` (or of any job they may work on), or ``None``."""
    assert worker.id is not None
    now = utcnow()
    if job_id is None:
        jobs = workable_jobs(session, plugins, worker)
    else:
        # The job, the worker's teams, record and held task: one round trip.
        job_rows, team_rows, record_rows, held_rows = select_all(
            session,
            [
                (_JOB, {"id": job_id}, Job),
                (TEAM_IDS, {"user": worker.id}, None),
                (gold.WORKER_RECORD, {"job": job_id, "worker": worker.id}, None),
                (_HELD, _held_params(job_id, worker.id, now), Task),
            ],
        )
        job = _keep_job(session, job_id, job_rows)
        if job is None or job.organization_id != worker.organization_id:
            raise NotFound(f"jobId: no job with id {job_id}")
        provider = plugins.workforces.get(job.workforce, "workforce")
        if not may_work(provider, job, worker, team_ids_in(team_rows)):
            raise Forbidden(
                f"jobId: you are not in the workforce of job {job.name!r}",
                reason=ForbiddenReason.NOT_IN_TEAM.value,
            )
        gold.refuse_if_blocked(job, record_rows)
        if held_rows:
            return model_from_row(Task, held_rows[0])
        jobs = [job]
    for job in jobs:
        assert job.id is not None
        if job_id is None:
            if gold.is_blocked(session, job, worker.id):
                continue
            if held := _held_task(session, job.id, worker.id, now):
                return held
        if not job_is_open(job, now):
            continue
        picked = _next_item(session, job, worker.id)
        if picked is None:
            continue
        task = _take(session, job, worker.id, picked, now)
        if task is None:
            continue
        assert task.id is not None
        audit.record(
            session,
            TaskClaimed(
                actor_id=worker.id,
                entity_id=task.id,
                job_id=job.id,
                item_id=picked.item_id,
                worker_id=worker.id,
                lease_expires_at=task.lease_expires_at.isoformat(),
            ),
        )
        return task
    return None


def _take(session: Session, job: Job, worker_id: int, picked: _Pick, now: datetime) -> Task | None:
    """Assign the picked item to the worker: a new task, or their returned one again;
    ``None`` if a concurrent claim of theirs took that one first."""
    assert job.id is not None and picked.take is not None
    task = Task(
        job_id=job.id,
        item_id=picked.item_id,
        worker_id=worker_id,
        status=TaskStatus.ASSIGNED,
        accepted_at=now,
        lease_expires_at=now + timedelta(seconds=job.task_time_limit_seconds),
    )
    if picked.task_id is None:
        task.id = insert(session, Task, task.model_dump(exclude={"id"}), then=[picked.take])
        return task
    retake = {
        "assigned": TaskStatus.ASSIGNED.value,
        "now": now,
        "lease": task.lease_expires_at,
        "id": picked.task_id,
        "released": TaskStatus.RELEASED.value,
        "expired": TaskStatus.EXPIRED.value,
    }
    if not run(session, _RETAKE, retake):
        return None
    run(session, *picked.take)
    task.id = picked.task_id
    return task


_TASKS_JOB = "SELECT * FROM jobs WHERE id = (SELECT job_id FROM tasks WHERE id = :id)"


def _next_item(session: Session, job: Job, worker_id: int) -> _Pick | None:
    """The item to give the worker and the statement that takes it; ``None`` when nothing
    is left for them. For the job's gold share of claims, a gold item comes instead of the
    data item picked, so that no run of claims is gold alone (:mod:`quorum.services.gold`)."""
    capped = at_concurrency_cap(session, job)
    picked = _pick_item(session, job, worker_id, in_progress_only=capped)
    if picked is None:
        return None  # gold only ever comes instead of a data item, never on its own
    if (item_id := gold.pick(session, job, worker_id)) is not None:
        return _Pick(item_id=item_id, take=gold.take(item_id))
    params = {
        "limit": job.workers_per_item,
        "in_progress": ItemStatus.IN_PROGRESS.value,
        "id": picked.item_id,
    }
    return replace(picked, take=(_TAKE, params))


def _own_task(session: Session, worker: User, task_id: int) -> tuple[Task, Job, Any]:
    """The caller's task (locked, on PostgreSQL), its job and its item's gold answer (if
    it is a gold item), read in one round trip."""
    query = "SELECT * FROM tasks WHERE id = :id"
    if session.get_bind().dialect.name == "postgresql":
        query += " FOR UPDATE"
    task_rows, job_rows, gold_rows = select_all(
        session,
        [
            (query, {"id": task_id}, Task),
            (_TASKS_JOB, {"id": task_id}, Job),
            (gold.GOLD_OF_TASK, {"id": task_id}, Item),
        ],
    )
    if not task_rows:
        raise NotFound(f"taskId: no task with id {task_id}")
    task = model_from_row(Task, task_rows[0])
    if task.worker_id != worker.id:
        raise Forbidden(f"taskId: task {task_id} belongs to another worker")
    job = _keep_job(session, task.job_id, job_rows)
    assert job is not None, "tasks.job_id is a foreign key"
    return task, job, gold_rows[0]["gold_answer"] if gold_rows else None


def submit_task(
    session: Session, *, worker: User, task_id: int, answer: Any, plugins: PluginHost
) -> Task:
    """Accept ``worker``'s answer for their task; the same answer again is a no-op."""
    task, job, known = _own_task(session, worker, task_id)
    assert task.id is not None
    task_type = plugins.task_types.get(job.task_type, "taskType")
    check_json(answer, "answer")
    cleaned = task_type.validate_answer(answer, job.labels)
    if task.status == TaskStatus.ASSIGNED:
        item = load_item(session, task.item_id)
        assert item is not None, "tasks.item_id is a foreign key"
        source = item_source(json.loads(item.data), job_storage(session, plugins, job))
        task_type.check_against_item(cleaned, source)
    if task.status == TaskStatus.SUBMITTED:
        if task.answer == cleaned:
            return task
        raise Conflict(f"taskId: task {task_id} was already submitted with another answer")
    if task.status in (TaskStatus.RELEASED, TaskStatus.DECLINED):
        raise Conflict(f"taskId: you {task.status.lower()} task {task_id}; claim a new task")
    if task.status != TaskStatus.ASSIGNED:
        raise LeaseExpired(
            f"taskId: task {task_id} expired; its item went back to the pool, claim a new task"
        )
    now = utcnow()
    if now > task.lease_expires_at:
        raise LeaseExpired(
            f"taskId: the time limit of task {task_id} passed at "
            f"{task.lease_expires_at.isoformat()}; claim a new task"
        )
    if job.status != JobStatus.IN_PROGRESS:
        raise Conflict(f"job {job.name!r} is {job.status}; it takes no more answers")
    task.status = TaskStatus.SUBMITTED
    task.answer = cleaned
    task.submitted_at = now
    task.time_spent_seconds = round((now - task.accepted_at).total_seconds(), 3)
    run_all(
        session,
        [
            _status_update(
                task, answer=cleaned, submitted_at=now, time_spent_seconds=task.time_spent_seconds
            ),
            (_ANSWERED, {"id": task.item_id}),
        ],
    )
    if known is not None:
        gold.score(session, job, worker.id or 0, cleaned, known)
    audit.record(
        session,
        TaskSubmitted(
            actor_id=worker.id,
            entity_id=task.id,
            job_id=job.id,
            item_id=task.item_id,
            answer=cleaned,
            time_spent_seconds=task.time_spent_seconds,
        ),
    )
    return task


def _status_update(task: Task, **values: Any) -> Statement:
    """The statement that writes ``task.status`` (and ``values``) to the task's row."""
    changes = {"status": task.status, **values}
    assignments = ", ".join(f"{name} = :{name}" for name in changes)
    return f"UPDATE tasks SET {assignments} WHERE id = :id", {**changes, "id": task.id}


def _save_status(session: Session, task: Task, **values: Any) -> None:
    """Write ``task.status`` (and ``values``) to the task's row."""
    run(session, *_status_update(task, **values))


def _return_item(session: Session, task: Task) -> None:
    """Give a task's slot back to its item, reopening it."""
    run(
        session,
        _GIVE_BACK,
        {
            "id": task.item_id,
            "true": True,
            "unlabeled": ItemStatus.UNLABELED.value,
            "in_progress": ItemStatus.IN_PROGRESS.value,
        },
    )


def release_task(session: Session, *, worker: User, task_id: int) -> Task:
    """Hand an unanswered task back ("not now"): its item returns to the pool, and the
    worker may get it again once nothing else is left for them. Releasing again is a
    no-op."""
    task, changed = _hand_back(session, worker, task_id, TaskStatus.RELEASED)
    if changed:
        assert task.id is not None
        audit.record(
            session,
            TaskReleased(
                actor_id=worker.id, entity_id=task.id, job_id=task.job_id, item_id=task.item_id
            ),
        )
    return task


def decline_task(session: Session, *, worker: User, task_id: int) -> Task:
    """Decline a task ("I can't do this one"): its item goes to other workers, and never
    to this worker again. A released or expired task may still be declined; declining
    again is a no-op."""
    task, changed = _hand_back(session, worker, task_id, TaskStatus.DECLINED)
    if changed:
        assert task.id is not None
        run(session, _DECLINED, {"id": task.item_id})
        audit.record(
            session,
            TaskDeclined(
                actor_id=worker.id, entity_id=task.id, job_id=task.job_id, item_id=task.item_id
            ),
        )
    return task


def _hand_back(
    session: Session, worker: User, task_id: int, status: TaskStatus
) -> tuple[Task, bool]:
    """Set the caller's task to ``status``, giving its item's slot back if they held it;
    whether anything changed."""
    task, job, known = _own_task(session, worker, task_id)
    if task.status == status:
        return task, False
    returned = task.status in RETURNED_TASK_STATUSES
    if task.status != TaskStatus.ASSIGNED and not (returned and status == TaskStatus.DECLINED):
        verb = "released" if status == TaskStatus.RELEASED else "declined"
        raise Conflict(f"taskId: task {task_id} is {task.status.lower()}; it cannot be {verb}")
    task.status = status
    _save_status(session, task)
    if not returned:
        _return_item(session, task)
        if known is not None:
            gold.score_unanswered(session, job, task.worker_id)
    return task, True


def expire_leases(session: Session, *, limit: int = 500) -> int:
    """Expire up to ``limit`` tasks whose lease ran out; their items go back to the pool."""
    query = (
        "SELECT * FROM tasks WHERE status = :assigned AND lease_expires_at <= :now "
        "ORDER BY id LIMIT :limit"
    )
    if session.get_bind().dialect.name == "postgresql":
        query += " FOR UPDATE SKIP LOCKED"
    found = select_rows(
        session,
        query,
        {"assigned": TaskStatus.ASSIGNED.value, "now": utcnow(), "limit": limit},
        Task,
    )
    tasks = [model_from_row(Task, row) for row in found]
    on_gold = _on_gold_items(session, tasks)
    for task in tasks:
        assert task.id is not None
        task.status = TaskStatus.EXPIRED
        _save_status(session, task)
        _return_item(session, task)
        if task.id in on_gold and (job := load_job(session, task.job_id)) is not None:
            gold.score_unanswered(session, job, task.worker_id)
        audit.record(
            session,
            TaskExpired(actor_id=None, entity_id=task.id, job_id=task.job_id, item_id=task.item_id),
        )
    return len(tasks)


def _on_gold_items(session: Session, tasks: Sequence[Task]) -> set[int]:
    """The ids of those of ``tasks`` whose items are gold items."""
    if not tasks:
        return set()
    query = (
        select(col(Task.id))
        .join(Item, col(Item.id) == col(Task.item_id))
        .where(col(Task.id).in_([task.id for task in tasks]), col(Item.gold_answer).is_not(None))
    )
    return {task_id for task_id in session.scalars(query) if task_id is not None}


def worker_line(job: Job, item: Item) -> dict[str, Any]:
    """The item's manifest line as a worker may see it: without the job's gold key, so that
    a gold item's known answer (and the fact that it is one) stays hidden."""
    line: dict[str, Any] = json.loads(item.data)
    settings = gold.GoldSettings.from_json(job.gold)
    if settings is not None:
        line.pop(settings.key, None)
    return line


def task_input(job: Job, item: Item, storage: Storage, expires_seconds: int) -> dict[str, Any]:
    """What the worker template renders: ``taskObject`` (the inline text, or a presigned or
    signed URL for ``source-ref``), the manifest line (:func:`worker_line`: less the gold
    key), and the item's stored task input: what a verification or adjustment task shows of
    the previous label (:meth:`~quorum.tasktypes.TaskType.audit_input`) and what a
    pre-annotation hook added."""
    line = worker_line(job, item)
    task_object: Any = None  # a custom task's line may have neither
    if "source" in line:
        task_object = line["source"]
    elif "source-ref" in line:
        task_object = storage.browser_url(str(line["source-ref"]), expires_seconds)
    result: dict[str, Any] = {"taskObject": task_object, "manifestLine": line}
    if item.task_input:
        result.update(item.task_input)
    return result


def has_work_for(session: Session, job: Job, worker: User) -> bool:
    """Whether ``worker`` holds a task of ``job`` or could claim one now."""
    assert job.id is not None and worker.id is not None
    if _held_task(session, job.id, worker.id, utcnow()) is not None:
        return True
    return (
        _pick_item(
            session, job, worker.id, in_progress_only=at_concurrency_cap(session, job), lock=False
        )
        is not None
    )

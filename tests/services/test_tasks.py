"""Claiming, leases, release and the per-job limits, as workers see them."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from quorum.models import Item, Task
from quorum.statuses import TaskStatus, utcnow
from quorum.testing import running_job, text_lines

RELEASE = "mutation($id: ID!) { releaseTask(taskId: $id) { id status } }"
AVAILABLE = "{ availableJobs { id name } }"


def test_a_reload_gives_the_same_task_back(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings)
    first = job.claim()
    again = job.claim()
    assert again["id"] == first["id"]
    assert again["leaseExpiresAt"] == first["leaseExpiresAt"]


def test_no_item_twice_to_one_worker_and_never_over_the_limit(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, workers=3, workersPerItem=2)
    seen: dict[int, list[int]] = {}
    for worker in range(3):
        while (task := job.claim(worker)) is not None:
            seen.setdefault(task["item"]["position"], []).append(worker)
            job.submit(task, "positive", worker)
    assert sorted(seen) == [0, 1, 2]
    for workers in seen.values():
        assert len(workers) == 2
        assert len(set(workers)) == 2


def test_an_expired_lease_returns_the_item_to_the_pool(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1), workers=2)
    task = job.claim(0)
    assert job.claim(1) is None  # one worker per item, and it is taken
    with quorum_app.state.db.write() as session:
        row = session.get(Task, int(task["id"]))
        row.lease_expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    job.run_runner()
    with quorum_app.state.db.read() as session:
        assert session.get(Task, int(task["id"])).status == TaskStatus.EXPIRED
    other = job.claim(1)
    assert other is not None and other["item"]["position"] == 0
    # Taken by the other worker now: nothing for the first.
    assert job.claim(0) is None
    job.submit(other, "negative", 1)
    job.run_runner()
    assert job.status()["status"] == "COMPLETED"


def test_a_released_task_goes_to_someone_else(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1), workers=2)
    task = job.claim(0)
    released = gql.ok(RELEASE, {"id": task["id"]}, job.workers[0][1])["releaseTask"]
    assert released["status"] == "RELEASED"
    assert job.status()["counters"]["unlabeled"] == 1
    assert job.claim(1)["item"]["position"] == 0


def test_max_concurrent_tasks_caps_items_in_flight(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(5), workers=3, maxConcurrentTasks=2
    )
    claimed = [job.claim(worker) for worker in range(3)]
    assert [task is not None for task in claimed] == [True, True, False]
    job.submit(claimed[0], "positive", 0)
    job.run_runner()  # the answered item is done: one slot frees up
    assert job.claim(2) is not None


def test_available_jobs_lists_only_jobs_with_work_for_me(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1))
    token = job.workers[0][1]
    assert [j["id"] for j in gql.ok(AVAILABLE, token=token)["availableJobs"]] == [job.id]
    task = job.claim()
    assert [j["id"] for j in gql.ok(AVAILABLE, token=token)["availableJobs"]] == [job.id]
    job.submit(task, "positive")
    assert gql.ok(AVAILABLE, token=token)["availableJobs"] == []


def test_claim_without_a_job_takes_from_any_job_of_mine(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1))
    task = gql.ok("mutation { claimTask { id job { id } } }", token=job.workers[0][1])["claimTask"]
    assert task["job"]["id"] == job.id


def test_time_spent_is_recorded(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1))
    task = job.claim()
    with quorum_app.state.db.write() as session:
        row = session.get(Task, int(task["id"]))
        row.accepted_at = utcnow() - timedelta(seconds=12)
        session.add(row)
    submitted = job.submit(task, "positive")
    assert 12 <= submitted["timeSpentSeconds"] < 20


def test_items_are_closed_once_full(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(1), workers=2, workersPerItem=2
    )
    job.claim(0)
    job.claim(1)
    with quorum_app.state.db.read() as session:
        item = session.exec(select(Item)).one()
        assert (item.active_count, item.open) == (2, False)

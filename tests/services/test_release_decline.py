"""Release ("not now"), decline ("I can't do this one"), and items no eligible worker can
take any more: the job finishes instead of hanging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from quorum.models import Item, Task, TeamMember
from quorum.statuses import Role, TaskStatus, utcnow
from quorum.testing import (
    RunningJob,
    create_job,
    make_user,
    running_job,
    text_lines,
    write_manifest,
)

RELEASE = "mutation($id: ID!) { releaseTask(taskId: $id) { id status } }"
DECLINE = "mutation($id: ID!) { declineTask(taskId: $id) { id status } }"
WAITING = "query($id: ID!) { job(id: $id) { counters { waitingForWorkers total } } }"


def release(job: RunningJob, task: dict[str, Any], worker: int) -> dict[str, Any]:
    data = job.gql.ok(RELEASE, {"id": task["id"]}, job.workers[worker][1])
    released: dict[str, Any] = data["releaseTask"]
    return released


def decline(job: RunningJob, task: dict[str, Any], worker: int) -> dict[str, Any]:
    declined: dict[str, Any] = job.gql.ok(DECLINE, {"id": task["id"]}, job.workers[worker][1])[
        "declineTask"
    ]
    return declined


def waiting(job: RunningJob) -> int:
    data = job.gql.ok(WAITING, {"id": job.id}, job.requester)
    count: int = data["job"]["counters"]["waitingForWorkers"]
    return count


def test_a_released_item_comes_back_to_its_worker_and_the_job_completes(
    quorum_app, quorum_settings, gql
):
    # The case: team of 2, two workers per item, one worker releases an item.
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(3), workers=2, workersPerItem=2
    )
    first = job.claim(0)
    assert release(job, first, 0)["status"] == "RELEASED"
    # The releasing worker gets the other items first, then the released one again.
    positions = []
    while (task := job.claim(0)) is not None:
        positions.append(task["item"]["position"])
        job.submit(task, "positive", 0)
    assert positions == [1, 2, first["item"]["position"]]
    job.label_everything()
    job.run_runner()
    status = job.status()
    assert status["status"] == "COMPLETED"
    assert status["counters"]["humanLabeled"] == 3


def test_the_same_task_comes_back_after_a_release(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1))
    task = job.claim()
    release(job, task, 0)
    again = job.claim()
    assert again is not None and again["id"] == task["id"] and again["status"] == "ASSIGNED"
    assert release(job, task, 0)["status"] == "RELEASED"
    assert release(job, task, 0)["status"] == "RELEASED"  # twice is harmless
    events = job.gql.ok(
        "query($id: ID) { auditEvents(jobId: $id, first: 50) { edges { node { action } } } }",
        {"id": job.id},
        job.requester,
    )["auditEvents"]["edges"]
    actions = [edge["node"]["action"] for edge in events]
    assert actions.count("task.released") == 2
    assert actions.count("task.claimed") == 2


def test_an_expired_task_comes_back_to_its_worker(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1))
    task = job.claim()
    with quorum_app.state.db.write() as session:
        row = session.get(Task, int(task["id"]))
        row.lease_expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    job.run_runner()
    again = job.claim()
    assert again is not None and again["id"] == task["id"]
    job.submit(again, "positive")
    job.run_runner()
    assert job.status()["status"] == "COMPLETED"


def test_a_declined_item_never_comes_back_and_is_finished_with_the_answers_it_has(
    quorum_app, quorum_settings, gql
):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(2), workers=2, workersPerItem=2
    )
    task = job.claim(0)
    assert decline(job, task, 0)["status"] == "DECLINED"
    declined_position = task["item"]["position"]
    positions = []
    while (other := job.claim(0)) is not None:
        positions.append(other["item"]["position"])
        job.submit(other, "negative", 0)
    assert declined_position not in positions
    while (other := job.claim(1)) is not None:
        job.submit(other, "positive", 1)
    job.run_runner()
    status = job.status()
    assert status["status"] == "COMPLETED", status
    assert status["counters"]["humanLabeled"] == 2
    with quorum_app.state.db.read() as session:
        item = session.exec(select(Item).where(Item.position == declined_position)).one()
        assert item.answers_count == 1 and item.declines_count == 1
        full = session.exec(select(Item).where(Item.position != declined_position)).one()
        # One answer gives confidence 0 (as in Ground Truth); two agreeing give more.
        assert item.confidence is not None and full.confidence is not None
        assert item.confidence <= full.confidence


def test_an_item_everyone_declined_fails_with_the_reason(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(2), workers=2)
    decline(job, job.claim(0), 0)  # item 0
    job.submit(job.claim(0), "positive", 0)  # item 1
    task = job.claim(1)
    assert task["item"]["position"] == 0
    decline(job, task, 1)
    assert job.claim(1) is None
    job.run_runner()
    status = job.status()
    assert status["status"] == "COMPLETED", status
    assert status["counters"]["failed"] == 1
    with quorum_app.state.db.read() as session:
        item = session.exec(select(Item).where(Item.position == 0)).one()
        assert item.failure_reason == "every worker who may take it declined it"


def test_more_workers_per_item_than_the_team_finishes_with_the_team(
    quorum_app, quorum_settings, gql
):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(3), workers=2, workersPerItem=3
    )
    assert job.label_everything() == 6
    job.run_runner()
    status = job.status()
    assert status["status"] == "COMPLETED"
    assert status["counters"]["humanLabeled"] == 3


def test_items_wait_for_workers_while_the_team_is_empty(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(3), workers=0)
    job.run_runner()
    assert waiting(job) == 3
    assert job.status()["status"] == "IN_PROGRESS"
    worker = make_user(quorum_app, "late-worker", Role.WORKER)
    with quorum_app.state.db.write() as session:
        session.add(TeamMember(team_id=job.team_id, user_id=worker[0]))
    job.run_runner()
    assert waiting(job) == 0
    job.workers.append(worker)
    assert job.label_everything() == 3
    job.run_runner()
    assert job.status()["status"] == "COMPLETED"


def claim_extensions(job: RunningJob, worker: int = 0, job_id: str | None = None) -> Any:
    response = job.gql.client.post(
        "/graphql",
        json={
            "query": "mutation($jobId: ID) { claimTask(jobId: $jobId) { id } }",
            "variables": {"jobId": job_id if job_id is not None else job.id},
        },
        headers={"Authorization": f"Bearer {job.workers[worker][1]}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["claimTask"], (body.get("extensions") or {}).get("claimTask")


def test_a_null_claim_says_why(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1), workers=2)
    task = job.claim(0)
    assert task is not None
    # A claim that gets a task carries no reason.
    assert claim_extensions(job, 0) == ({"id": task["id"]}, None)
    taken, why = claim_extensions(job, 1)
    assert taken is None and why["reason"] == "NOTHING_LEFT"
    assert "job 'job-1'" in why["message"]
    job.submit(task, "positive", 0)
    job.run_runner()
    _, why = claim_extensions(job, 1)
    assert why["reason"] == "CLOSED" and "COMPLETED" in why["message"]


def test_a_claim_before_the_job_started_says_so(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1))
    manifest = write_manifest(quorum_settings, "later.manifest", text_lines(1))
    later = create_job(
        gql,
        job.requester,
        name="later",
        taskType="text-classification",
        inputManifest=manifest,
        labels=["negative", "positive"],
        teamId=str(job.team_id),
    )
    taken, why = claim_extensions(job, 0, later["id"])
    assert taken is None and why["reason"] == "NOT_STARTED"
    assert "still reading its manifest" in why["message"]


def test_a_declined_task_takes_no_answer(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(2))
    task = job.claim()
    decline(job, task, 0)
    assert decline(job, task, 0)["status"] == "DECLINED"  # twice is harmless
    error = job.gql.error(
        'mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "positive"}) { id } }',
        {"id": task["id"]},
        job.workers[0][1],
    )
    assert error.code == "CONFLICT" and "declined" in error.message
    with quorum_app.state.db.read() as session:
        assert session.get(Task, int(task["id"])).status == TaskStatus.DECLINED

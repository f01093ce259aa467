"""The runner: stopping, stopping conditions, availability, chaining, raw answers, audit."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from quorum.audit import verify_chain
from quorum.models import AuditEvent, Item, Job
from quorum.runner.ingest import ingest
from quorum.statuses import Role, utcnow
from quorum.testing import make_user, read_output, running_job, text_lines

STOP = "mutation($id: ID!) { stopJob(id: $id) { id status } }"
EVENTS = """
query($jobId: ID, $after: String) {
  auditEvents(jobId: $jobId, first: 3, after: $after) {
    edges { node { seq action hash prevHash data } cursor }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def test_stop_job_writes_the_output_for_what_is_labeled(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(3), workers=2, workersPerItem=2
    )
    first = job.claim(0)
    job.submit(first, "negative", 0)  # item 0: one answer of two
    assert gql.ok(STOP, {"id": job.id}, job.requester)["stopJob"]["status"] == "STOPPING"
    assert job.claim(1) is None  # no tasks go out any more
    job.run_runner()
    done = job.status()
    assert done["status"] == "STOPPED"
    lines = read_output(done["outputManifest"])
    assert lines[0]["job-1"] == 0  # consolidated from the answer it had
    assert lines[1] == {"source": "text number 1", "id": 1}  # unlabeled: copied unchanged
    assert done["counters"]["humanLabeled"] == 1
    error = gql.error(STOP, {"id": job.id}, job.requester)
    assert error.code == "CONFLICT"


def test_max_human_labeled_items_stops_the_job(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(5), maxHumanLabeledItems=2)
    for _ in range(2):
        job.submit(job.claim(), "positive")
    job.run_runner()
    done = job.status()
    assert done["status"] == "STOPPED"
    assert done["counters"]["humanLabeled"] == 2
    assert len(read_output(done["outputManifest"])) == 5


def test_max_labeled_percentage_stops_the_job(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(4), maxLabeledPercentage=50
    )
    job.submit(job.claim(), "positive")
    job.run_runner()
    assert job.status()["status"] == "IN_PROGRESS"
    job.submit(job.claim(), "positive")
    job.run_runner()
    assert job.status()["status"] == "STOPPED"


def test_items_nobody_labels_in_time_fail(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(2), taskAvailabilitySeconds=60
    )
    job.submit(job.claim(), "positive")
    with quorum_app.state.db.write() as session:
        row = session.get(Job, int(job.id))
        row.started_at = utcnow() - timedelta(seconds=61)
        session.add(row)
    assert job.claim() is None
    job.run_runner()
    done = job.status()
    assert done["status"] == "COMPLETED"
    assert (done["counters"]["humanLabeled"], done["counters"]["failed"]) == (1, 1)


def test_already_labeled_lines_pass_through(quorum_app, quorum_settings, gql):
    labeled = {
        "source": "done before",
        "job-1": 0,
        "job-1-metadata": {"class-name": "negative", "human-annotated": "no"},
    }
    job = running_job(quorum_app, gql, quorum_settings, lines=[labeled, {"source": "new"}])
    counters = job.status()["counters"]
    assert (counters["machineLabeled"], counters["unlabeled"]) == (1, 1)
    job.label_everything()
    job.run_runner()
    lines = read_output(job.status()["outputManifest"])
    assert lines[0] == labeled
    assert lines[1]["job-1-metadata"]["class-name"] == "positive"


def test_raw_worker_answers_land_in_ground_truth_layout(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(1), workers=2, workersPerItem=2
    )
    job.label_everything("negative")
    job.run_runner()
    output = Path(job.status()["outputManifest"].removeprefix("file://"))
    responses = list(
        (output.parents[2] / "annotations/worker-response/iteration-1/0").glob("*.json")
    )
    assert len(responses) == 1
    answers = json.loads(responses[0].read_text())["answers"]
    assert len(answers) == 2
    assert answers[0]["answerContent"] == {"crowd-classifier": {"label": "negative"}}
    assert answers[0]["workerId"].startswith("private.")
    assert answers[0]["submissionTime"].endswith("Z")
    assert answers[0]["timeSpentInSeconds"] >= 0


def test_the_audit_trail_is_complete_chained_and_paged(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(1))
    job.label_everything()
    job.run_runner()
    actions, after = [], None
    while True:
        page = gql.ok(EVENTS, {"jobId": job.id, "after": after}, job.requester)["auditEvents"]
        actions += [edge["node"]["action"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert actions == [
        "job.created",
        "job.started",
        "task.claimed",
        "task.submitted",
        "item.labeled",
        "worker.assessed",
        "job.completed",
    ]
    with quorum_app.state.db.write() as session:
        assert verify_chain(session, f"job:{job.id}") is None
        assert verify_chain(session, "global") is None
        tampered = session.exec(
            select(AuditEvent).where(AuditEvent.action == "task.submitted")
        ).one()
        tampered.data = {**tampered.data, "answer": {"label": "negative"}}
        session.add(tampered)
        session.flush()
        broken = verify_chain(session, f"job:{job.id}")
        assert broken is not None and broken.seq == tampered.seq
        session.rollback()


def test_an_interrupted_ingest_starts_over_cleanly(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(3))
    with quorum_app.state.db.read() as session:
        row = session.get(Job, int(job.id))
    # A second ingest of the same job (as after a crashed runner) leaves exactly one copy.
    assert ingest(quorum_app.state.db, quorum_app.state.plugins, row) == 3
    with quorum_app.state.db.read() as session:
        positions = sorted(
            i.position for i in session.exec(select(Item).where(Item.job_id == row.id))
        )
    assert positions == [0, 1, 2]


def test_events_are_written_with_their_change_and_sealed_by_the_runner(quorum_app, gql):
    make_user(quorum_app, "ada", Role.ADMIN)
    make_user(quorum_app, "bob", Role.WORKER)
    with quorum_app.state.db.read() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.hash) for e in events] == [("user.created", None)] * 2
    quorum_app.state.runner.run_once()
    with quorum_app.state.db.read() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.seq for e in events] == [1, 2]
        assert events[1].prev_hash == events[0].hash
        assert verify_chain(session, "global") is None

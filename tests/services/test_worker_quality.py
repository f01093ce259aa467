"""Worker quality through a real job: what the runner learns of each worker, kept per job,
shown to the requester, carried from batch to batch and written to the audit trail."""

from __future__ import annotations

from quorum.models import ConsensusState
from quorum.testing import running_job, text_lines

STATS = """
query($id: ID!) {
  job(id: $id) {
    consensus
    workerStats {
      workerId name submitted consolidated answersAssessed agreement accuracy confusion spammer
      medianSeconds
    }
  }
}
"""
EVENTS = """
query($id: ID!) { auditEvents(jobId: $id, first: 500) { edges { node { action data } } } }
"""


def label(job, worker: int, choose) -> None:
    """Worker ``worker`` answers every task they can get, with ``choose(task)``."""
    while (task := job.claim(worker)) is not None:
        job.submit(task, choose(task), worker)


def test_the_requester_sees_each_workers_agreement_accuracy_and_time(
    quorum_app, quorum_settings, gql
):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(12), workers=3, workersPerItem=3
    )
    label(job, 0, lambda task: "positive")
    label(job, 1, lambda task: "positive")
    label(job, 2, lambda task: "negative")  # always against the other two
    job.run_runner()
    data = gql.ok(STATS, {"id": job.id}, job.requester)["job"]
    assert data["consensus"] == "dawid-skene"  # the default for classification
    stats = {row["name"]: row for row in data["workerStats"]}
    assert set(stats) == {f"worker-job-1-{n}" for n in range(3)}
    good, contrarian = stats["worker-job-1-0"], stats["worker-job-1-2"]
    assert good["submitted"] == good["consolidated"] == good["answersAssessed"] == 12
    assert good["agreement"] == 1.0 and contrarian["agreement"] == 0.0
    assert good["accuracy"] > contrarian["accuracy"]
    assert len(good["confusion"]) == 2 and len(good["confusion"][0]) == 2
    assert good["medianSeconds"] >= 0
    assert job.status()["counters"]["humanLabeled"] == 12


def test_what_dawid_skene_learned_carries_over_to_later_batches(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(10), workers=2, workersPerItem=2
    )
    # First batch: 5 items both workers answered alike.
    for _ in range(5):
        for worker in range(2):
            task = job.claim(worker)
            job.submit(task, "positive", worker)
    job.run_runner()
    with quorum_app.state.db.read() as session:
        first = session.get(ConsensusState, int(job.id))
        assert first.algorithm == "dawid-skene"
        counts_after_first = sum(map(sum, first.state["workers"][str(job.workers[0][0])]))
    label(job, 0, lambda task: "positive")
    label(job, 1, lambda task: "positive")
    job.run_runner()
    with quorum_app.state.db.read() as session:
        later = session.get(ConsensusState, int(job.id))
        counts_after_all = sum(map(sum, later.state["workers"][str(job.workers[0][0])]))
    assert round(counts_after_first) == 5
    assert round(counts_after_all) == 10  # the second batch added to the first


def test_every_assessment_is_in_the_audit_trail(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=text_lines(4), workers=2, workersPerItem=2
    )
    label(job, 0, lambda task: "positive")
    label(job, 1, lambda task: "negative")
    job.run_runner()
    edges = gql.ok(EVENTS, {"id": job.id}, job.requester)["auditEvents"]["edges"]
    nodes = [edge["node"] for edge in edges]
    assessed = [node["data"] for node in nodes if node["action"] == "worker.assessed"]
    assert len(assessed) == 2
    assert {row["algorithm"] for row in assessed} == {"dawid-skene"}
    assert sorted(row["answers"] for row in assessed) == [4, 4]


def test_workers_who_have_not_answered_yet_are_not_listed(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, workers=2)
    data = gql.ok(STATS, {"id": job.id}, job.requester)["job"]
    assert data["workerStats"] == []

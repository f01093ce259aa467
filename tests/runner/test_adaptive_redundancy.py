"""Adaptive redundancy through the API: an item goes to one more worker only while its
consensus is less sure than the job's target, up to maxWorkersPerItem."""

from __future__ import annotations

from quorum.testing import running_job, text_lines

EVENTS = """
query($id: ID!) { auditEvents(jobId: $id, first: 500) { edges { node { action data } } } }
"""


def answer_all(job, worker: int, label_of) -> list[int]:
    """Worker ``worker`` answers every task they can get; the positions they answered."""
    positions = []
    while (task := job.claim(worker)) is not None:
        position = task["item"]["position"]
        job.submit(task, label_of(position), worker)
        positions.append(position)
    return positions


def test_only_the_unsure_item_gets_more_workers(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=text_lines(3),
        workers=4,
        workersPerItem=2,
        maxWorkersPerItem=4,
        targetConfidence=0.9,
        consensus="majority-vote",
    )
    # Items 1 and 2: the first two workers agree (confidence 1.0). Item 0: they split.
    assert answer_all(job, 0, lambda position: "positive") == [0, 1, 2]
    assert answer_all(job, 1, lambda position: "negative" if position == 0 else "positive") == [
        0,
        1,
        2,
    ]
    job.run_runner()
    counters = job.status()["counters"]
    assert counters["humanLabeled"] == 2 and counters["inProgress"] == 1
    # Only item 0 is open to the third worker; 2 of 3 is still below 0.9, so a fourth.
    assert answer_all(job, 2, lambda position: "positive") == [0]
    job.run_runner()
    assert answer_all(job, 3, lambda position: "positive") == [0]
    job.run_runner()
    done = job.status()
    assert done["status"] == "COMPLETED"
    assert done["counters"]["humanLabeled"] == 3
    edges = gql.ok(EVENTS, {"id": job.id}, job.requester)["auditEvents"]["edges"]
    escalations = [
        edge["node"]["data"] for edge in edges if edge["node"]["action"] == "item.escalated"
    ]
    assert [(row["answers"], row["target"]) for row in escalations] == [(2, 0.9), (3, 0.9)]


def test_at_most_max_workers_answer_even_when_still_unsure(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=text_lines(1),
        workers=4,
        workersPerItem=2,
        maxWorkersPerItem=3,
        consensus="majority-vote",
    )
    labels = iter(["positive", "negative", "positive", "negative"])
    for worker in range(4):
        answer_all(job, worker, lambda position: next(labels))
        job.run_runner()
    assert job.status()["status"] == "COMPLETED"
    answers = gql.ok(
        "query($id: ID!) { job(id: $id) { workerStats { submitted } } }",
        {"id": job.id},
        job.requester,
    )["job"]["workerStats"]
    assert sum(row["submitted"] for row in answers) == 3  # the fourth worker got nothing

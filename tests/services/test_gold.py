"""Gold items through the API: mixed into workers' streams, scoring them, blocking the ones
below the job's accuracy, labeled with their known answer in the output; or, from a separate
gold manifest, kept out of the dataset, its counters and its output."""

from __future__ import annotations

from quorum.settings import Settings
from quorum.testing import read_output, running_job, write_manifest

GOLD = {"share": 1.0, "minAnswers": 2, "minAccuracy": 0.75}
STATS = "query($id: ID!) { job(id: $id) { workerStats { name goldAnswers goldAccuracy blocked } } }"
EVENTS = """
query($id: ID!) { auditEvents(jobId: $id, first: 500) { edges { node { action data } } } }
"""


def lines() -> list[dict[str, object]]:
    """Two gold items (known answers) among four ordinary ones."""
    gold = [{"source": f"gold text {n}", "gold-label": "positive"} for n in range(2)]
    return gold + [{"source": f"text {n}"} for n in range(4)]


def test_a_worker_below_the_gold_accuracy_is_blocked_and_told_why(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=lines(), workers=2, gold=GOLD)
    # With share 1.0, each worker's first claims are the gold items.
    for worker, label in ((0, "positive"), (1, "negative")):
        for _ in range(2):
            task = job.claim(worker)
            assert task["input"]["manifestLine"]["source"].startswith("gold text")
            assert "gold-label" not in task["input"]["manifestLine"]  # the answer stays hidden
            job.submit(task, label, worker)
    error = gql.error(
        "mutation($id: ID) { claimTask(jobId: $id) { id } }", {"id": job.id}, job.workers[1][1]
    )
    assert error.extensions == {"code": "FORBIDDEN", "reason": "BLOCKED_BY_GOLD"}
    assert "0% of your answers to its gold items were right" in error.message
    assert "75%" in error.message
    # The good worker goes on to the ordinary items.
    task = job.claim(0)
    assert "gold-label" not in task["input"]["manifestLine"]
    stats = {
        row["name"]: row
        for row in gql.ok(STATS, {"id": job.id}, job.requester)["job"]["workerStats"]
    }
    assert stats["worker-job-1-0"] == {
        "name": "worker-job-1-0",
        "goldAnswers": 2,
        "goldAccuracy": 1.0,
        "blocked": False,
    }
    assert stats["worker-job-1-1"]["blocked"] is True
    assert stats["worker-job-1-1"]["goldAccuracy"] == 0.0
    edges = gql.ok(EVENTS, {"id": job.id}, job.requester)["auditEvents"]["edges"]
    blocked = [edge["node"]["data"] for edge in edges if edge["node"]["action"] == "worker.blocked"]
    assert blocked == [{"gold_answers": 2, "accuracy": 0.0, "min_accuracy": 0.75}]


def test_gold_items_are_labeled_with_their_answer_and_never_consolidated(
    quorum_app, quorum_settings, gql
):
    job = running_job(quorum_app, gql, quorum_settings, lines=lines(), workers=1, gold=GOLD)
    assert job.status()["counters"]["humanLabeled"] == 2  # the gold items, from the start
    for _ in range(2):  # wrong on both gold items: blocked after them
        job.submit(job.claim(), "negative")
    job.run_runner()
    assert job.status()["counters"]["humanLabeled"] == 2
    gql.ok("mutation($id: ID!) { stopJob(id: $id) { id } }", {"id": job.id}, job.requester)
    job.run_runner()
    output = read_output(job.status()["outputManifest"])
    assert [line["source"] for line in output][:2] == ["gold text 0", "gold text 1"]
    assert output[0]["job-1"] == 1  # "positive", the known answer, whatever the worker said
    assert output[0]["job-1-metadata"]["confidence"] == 1.0
    assert "job-1" not in output[2]  # ordinary items went unanswered


def test_each_worker_answers_each_gold_item_once(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=lines(), workers=2, gold=GOLD, workersPerItem=1
    )
    seen: dict[int, list[str]] = {0: [], 1: []}
    busy = {0, 1}
    while busy:  # taking turns, as workers at once do
        for worker in sorted(busy):
            if (task := job.claim(worker)) is None:
                busy.discard(worker)
                continue
            seen[worker].append(task["input"]["taskObject"])
            job.submit(task, "positive", worker)
    for worker in (0, 1):
        assert sorted(text for text in seen[worker] if text.startswith("gold")) == [
            "gold text 0",
            "gold text 1",
        ]
    ordinary = [text for texts in seen.values() for text in texts if not text.startswith("gold")]
    assert sorted(ordinary) == [f"text {n}" for n in range(4)]  # one worker each


def test_a_gold_label_outside_the_jobs_labels_fails_the_job_naming_the_line(
    quorum_app, quorum_settings, gql
):
    bad = [{"source": "ok"}, {"source": "gold", "gold-label": "neutral"}]
    job = running_job(quorum_app, gql, quorum_settings, lines=bad, gold=GOLD)
    status = job.status()
    assert status["status"] == "FAILED"
    assert "line 2: gold-label 'neutral' is not one of this job's labels" in status["failureReason"]
    assert status["counters"]["total"] == 0


# -- a separate gold manifest ---------------------------------------------------------------

COUNTERS = """
query($id: ID!) {
  job(id: $id) {
    status outputManifest
    counters { total humanLabeled unlabeled inProgress gold }
    gold { key manifest }
    items(status: GOLD) { edges { node { status manifestLine output } } }
  }
}
"""


def gold_manifest(settings: Settings, *labels: str) -> str:
    """A gold manifest: one known text per label."""
    known = [{"source": f"known text {n}", "gold-label": label} for n, label in enumerate(labels)]
    return write_manifest(settings, "gold.manifest", known)


def dataset() -> list[dict[str, object]]:
    """Four ordinary lines, with a key that must pass through to the output."""
    return [{"source": f"text {n}", "id": n} for n in range(4)]


def test_a_gold_manifest_scores_workers_and_stays_out_of_the_dataset(
    quorum_app, quorum_settings, gql
):
    url = gold_manifest(quorum_settings, "positive", "positive")
    gold = {**GOLD, "manifest": url}
    job = running_job(quorum_app, gql, quorum_settings, lines=dataset(), workers=2, gold=gold)
    seen = gql.ok(COUNTERS, {"id": job.id}, job.requester)["job"]
    assert seen["gold"] == {"key": "gold-label", "manifest": url}
    assert seen["counters"] == {
        "total": 4,
        "humanLabeled": 0,
        "unlabeled": 4,
        "inProgress": 0,
        "gold": 2,
    }
    statuses = [edge["node"]["status"] for edge in seen["items"]["edges"]]
    assert statuses == ["GOLD", "GOLD"]
    assert all(edge["node"]["output"] is None for edge in seen["items"]["edges"])
    # With share 1.0, each worker's first claims are the gold manifest's items.
    for worker, label in ((0, "positive"), (1, "negative")):
        for _ in range(2):
            task = job.claim(worker)
            assert task["input"]["taskObject"].startswith("known text")
            job.submit(task, label, worker)
    error = gql.error(
        "mutation($id: ID) { claimTask(jobId: $id) { id } }", {"id": job.id}, job.workers[1][1]
    )
    assert error.extensions == {"code": "FORBIDDEN", "reason": "BLOCKED_BY_GOLD"}
    assert "0% of your answers to its gold items were right" in error.message
    stats = {
        row["name"]: row
        for row in gql.ok(STATS, {"id": job.id}, job.requester)["job"]["workerStats"]
    }
    assert stats["worker-job-1-0"]["goldAccuracy"] == 1.0
    assert stats["worker-job-1-1"]["blocked"] is True
    # The good worker labels the dataset; the job completes without the gold items.
    labeled = 0
    while (task := job.claim(0)) is not None:
        assert task["input"]["taskObject"].startswith("text ")
        job.submit(task, "negative")
        labeled += 1
    assert labeled == 4
    job.run_runner()
    seen = gql.ok(COUNTERS, {"id": job.id}, job.requester)["job"]
    assert seen["status"] == "COMPLETED"
    assert seen["counters"] == {
        "total": 4,
        "humanLabeled": 4,
        "unlabeled": 0,
        "inProgress": 0,
        "gold": 2,
    }
    output = read_output(seen["outputManifest"])
    assert [(line["source"], line["id"]) for line in output] == [(f"text {n}", n) for n in range(4)]
    assert all(line["job-1"] == 0 for line in output)  # "negative", as the worker said


def test_stopping_conditions_count_the_dataset_without_the_gold_manifest(
    quorum_app, quorum_settings, gql
):
    url = gold_manifest(quorum_settings, "positive", "positive")
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=dataset(),
        gold={**GOLD, "manifest": url},
        maxLabeledPercentage=50,
    )
    for _ in range(2):  # the two gold items: nothing of the dataset is labeled yet
        job.submit(job.claim(), "positive")
    job.run_runner()
    assert job.status()["status"] == "IN_PROGRESS"
    for _ in range(2):  # two of the four dataset items: 50 %
        job.submit(job.claim(), "positive")
    job.run_runner()
    status = job.status()
    assert status["status"] == "STOPPED"
    output = read_output(status["outputManifest"])
    assert [line["source"] for line in output] == [f"text {n}" for n in range(4)]
    assert ["job-1" in line for line in output] == [True, True, False, False]


def test_a_gold_manifest_and_a_gold_key_in_the_input_manifest_work_together(
    quorum_app, quorum_settings, gql
):
    url = gold_manifest(quorum_settings, "positive")
    job = running_job(
        quorum_app, gql, quorum_settings, lines=lines(), gold={**GOLD, "manifest": url}
    )
    counters = gql.ok(COUNTERS, {"id": job.id}, job.requester)["job"]["counters"]
    assert counters["total"] == 6  # the input manifest's lines, its own gold items among them
    assert counters["humanLabeled"] == 2
    assert counters["gold"] == 1
    known = set()
    for _ in range(3):  # share 1.0: every gold item of either kind comes first
        task = job.claim()
        known.add(task["input"]["taskObject"])
        job.submit(task, "positive")
    assert known == {"gold text 0", "gold text 1", "known text 0"}
    stats = gql.ok(STATS, {"id": job.id}, job.requester)["job"]["workerStats"]
    assert (stats[0]["goldAnswers"], stats[0]["goldAccuracy"]) == (3, 1.0)
    assert "gold-label" not in job.claim()["input"]["manifestLine"]  # then the dataset


WORKER_VIEW = """
mutation($id: ID) {
  claimTask(jobId: $id) {
    id input item { status output confidence manifestLine labelUrl }
  }
}
"""


def test_a_worker_cannot_tell_a_gold_item_or_read_its_answer(quorum_app, quorum_settings, gql):
    url = gold_manifest(quorum_settings, "positive")
    job = running_job(
        quorum_app, gql, quorum_settings, lines=lines(), gold={**GOLD, "manifest": url}
    )
    worker = job.workers[0][1]
    for _ in range(3):  # share 1.0: the gold manifest's item and the two key-marked ones
        task = gql.ok(WORKER_VIEW, {"id": job.id}, worker)["claimTask"]
        item = task["item"]
        assert item["status"] == "IN_PROGRESS"  # never GOLD
        assert (item["output"], item["confidence"], item["labelUrl"]) == (None, None, None)
        assert "gold-label" not in item["manifestLine"]
        assert "gold-label" not in task["input"]["manifestLine"]
        job.submit(task, "positive")

"""The active-learning loop through the API, with a model whose accuracy we know.

``KeywordModel`` reads the label off the text ("good ..." is positive) with probability
0.99, so it is always right and its cross-validated accuracy is 1. The threshold rule then
passes exactly when the one-sided 95 % Clopper-Pearson bound of n/n, 0.05 ** (1 / n),
reaches the 0.95 target: from n = 59 human labels on, not before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from sqlmodel import col, select

from quorum import hookimpl
from quorum.auto_labelers import AutoLabeler
from quorum.consensus import WorkerAnswer
from quorum.models import Item, Job
from quorum.runner import consolidation
from quorum.runner.auto_labeling import in_holdout
from quorum.testing import RunningJob, read_output, running_job
from quorum_plugins.consensus.dawid_skene import DawidSkene

RUNS = """
query($id: ID!) {
  job(id: $id) {
    status
    counters { total humanLabeled machineLabeled unlabeled }
    cost { workforce service compute total saved }
    modelRuns {
      iteration model status trainingSize threshold estimatedAccuracy accuracyLowerBound
      validatedItems itemsLabeled itemsSent seconds error
    }
  }
}
"""
EVENTS = """
query($id: ID!) { auditEvents(jobId: $id, first: 500) { edges { node { action data } } } }
"""


class KeywordModel(AutoLabeler):
    name = "keyword"
    description = "positive when the text starts with 'good'"
    task_types = ("text-classification",)

    def fit(self, features: Any, labels: Any) -> None:
        self.fitted = True

    def predict_proba(self, features: Sequence[str]) -> Any:
        """0.99 on "positive" (the second label) or "negative" (the first), the rest spread
        over the other labels."""
        positive = np.array([text.startswith("good") for text in features], dtype=np.int64)
        proba = np.full((len(features), len(self.labels)), 0.01 / (len(self.labels) - 1))
        proba[np.arange(len(features)), positive] = 0.99
        return proba


class BrokenModel(KeywordModel):
    name = "broken"

    def fit(self, features: Any, labels: Any) -> None:
        raise RuntimeError("out of memory while training")


class Models:
    @hookimpl
    def quorum_auto_labelers(self) -> list[type[AutoLabeler]]:
        return [KeywordModel, BrokenModel]


@pytest.fixture
def quorum_plugins() -> list[object]:
    return [Models()]


def lines(count: int) -> list[dict[str, Any]]:
    """Texts whose first word gives the label."""
    return [
        {"source": f"{'good' if index % 3 else 'bad'} text {index}", "id": index}
        for index in range(count)
    ]


def label_batch(job: RunningJob) -> int:
    """The worker answers every open task correctly; the runner consolidates. How many."""
    answered = 0
    while (task := job.claim()) is not None:
        text = task["input"]["manifestLine"]["source"]
        job.submit(task, "positive" if text.startswith("good") else "negative")
        answered += 1
    job.run_runner()
    return answered


def auto_job(quorum_app, quorum_settings, gql, count: int = 200, **auto: Any) -> RunningJob:
    """A job over ``count`` texts with the keyword model; ``max*`` keys are job fields, the
    rest auto-labeling settings."""
    limits = {key: value for key, value in auto.items() if key.startswith("max")}
    settings = {"enabled": True, "model": "keyword", "initialBatch": 40, "batchSize": 20}
    settings.update({key: value for key, value in auto.items() if key not in limits})
    return running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=lines(count),
        autoLabeling=settings,
        pricePerTask=0.5,
        **limits,
    )


def runs_of(job: RunningJob) -> dict[str, Any]:
    data: dict[str, Any] = job.gql.ok(RUNS, {"id": job.id}, job.requester)["job"]
    return data


def test_machine_labels_only_once_the_lower_bound_reaches_the_target(
    quorum_app, quorum_settings, gql
):
    job = auto_job(quorum_app, quorum_settings, gql)
    assert label_batch(job) == 40  # the initial batch, drawn at random; nothing else opens
    (first,) = runs_of(job)["modelRuns"]
    # 40 of 40 right, but 0.05 ** (1/40) = 0.928 < 0.95: no threshold; 20 more to people.
    assert first["status"] == "SUCCEEDED" and first["threshold"] is None
    assert (first["trainingSize"], first["itemsLabeled"], first["itemsSent"]) == (40, 0, 20)
    assert label_batch(job) == 20
    done = runs_of(job)
    # 60 of 60: 0.05 ** (1/60) = 0.951, so every remaining item is labeled by machine.
    second = done["modelRuns"][1]
    assert second["threshold"] == pytest.approx(0.99)
    assert second["estimatedAccuracy"] == 1.0
    assert second["accuracyLowerBound"] == pytest.approx(0.05 ** (1 / 60), abs=1e-6)
    assert (second["trainingSize"], second["validatedItems"]) == (60, 60)
    assert (second["itemsLabeled"], second["itemsSent"]) == (140, 0)
    assert done["status"] == "COMPLETED"
    assert done["counters"] == {
        "total": 200,
        "humanLabeled": 60,
        "machineLabeled": 140,
        "unlabeled": 0,
    }
    assert done["cost"]["workforce"] == 60 * 0.5
    assert done["cost"]["saved"] == pytest.approx(140 * 0.5 - done["cost"]["compute"])
    output = read_output(job.status()["outputManifest"])
    machine = [line for line in output if line["job-1-metadata"]["human-annotated"] == "no"]
    assert len(machine) == 140
    for line in machine:
        expected = "positive" if line["source"].startswith("good") else "negative"
        assert line["job-1-metadata"]["class-name"] == expected
        assert line["job-1-metadata"]["confidence"] == 0.99
        assert line["job-1"] == ["negative", "positive"].index(expected)


def test_a_failing_model_fails_its_iteration_and_people_go_on(quorum_app, quorum_settings, gql):
    job = auto_job(quorum_app, quorum_settings, gql, count=80, model="broken")
    while runs_of(job)["status"] == "IN_PROGRESS":
        assert label_batch(job) > 0
    done = runs_of(job)
    assert done["status"] == "COMPLETED"
    assert done["counters"]["humanLabeled"] == 80 and done["counters"]["machineLabeled"] == 0
    assert {run["status"] for run in done["modelRuns"]} == {"FAILED"}
    assert done["modelRuns"][0]["error"] == ("broken: RuntimeError: out of memory while training")
    edges = gql.ok(EVENTS, {"id": job.id}, job.requester)["auditEvents"]["edges"]
    finished = [e["node"]["data"] for e in edges if e["node"]["action"] == "model_run.finished"]
    assert [row["status"] for row in finished] == ["FAILED"] * len(done["modelRuns"])
    sent = [e["node"]["data"] for e in edges if e["node"]["action"] == "batch.sent"]
    assert sent[0] == {"items": 40, "reason": "initial"}
    assert {row["reason"] for row in sent[1:]} == {"random"}


def test_max_human_labeled_items_stops_the_job_with_what_is_labeled(
    quorum_app, quorum_settings, gql
):
    job = auto_job(quorum_app, quorum_settings, gql, initialBatch=60, maxHumanLabeledItems=60)
    assert label_batch(job) == 60
    job.run_runner()
    done = runs_of(job)
    assert done["status"] == "STOPPED"
    assert done["counters"]["humanLabeled"] == 60
    assert done["counters"]["machineLabeled"] == 140  # the run before stopping labeled them
    assert done["modelRuns"][0]["itemsSent"] == 0  # no budget left for people


def test_max_human_labeled_items_caps_the_first_batch(quorum_app, quorum_settings, gql):
    job = auto_job(quorum_app, quorum_settings, gql, initialBatch=40, maxHumanLabeledItems=30)
    assert label_batch(job) == 30
    job.run_runner()
    done = runs_of(job)
    assert done["status"] == "STOPPED"
    output = read_output(job.status()["outputManifest"])
    assert len(output) == 200
    labeled = [line for line in output if "job-1" in line]
    assert len(labeled) == 30  # 30 labels cannot pass the bound: the rest pass unlabeled


ITEM_IDS = "query($id: ID!) { job(id: $id) { items(first: 500) { edges { node { id } } } } }"


def test_holdout_sends_ground_truths_validation_set_with_the_first_batch(
    quorum_app, quorum_settings, gql
):
    job = auto_job(quorum_app, quorum_settings, gql, validation="holdout")
    edges = gql.ok(ITEM_IDS, {"id": job.id}, job.requester)["job"]["items"]["edges"]
    held = sum(in_holdout(int(edge["node"]["id"]), 0.2) for edge in edges)
    assert 20 <= held < 59  # about 20 % of 200
    assert label_batch(job) == 40 + held
    (run,) = runs_of(job)["modelRuns"]
    assert run["trainingSize"] == 40 + held
    # The threshold rests on the held-out items alone: fewer than 59, so none passes.
    assert run["threshold"] is None and run["itemsSent"] == 20


def truth_of(task: dict[str, Any]) -> str:
    return "positive" if task["input"]["manifestLine"]["source"].startswith("good") else "negative"


def test_labels_the_workers_split_three_ways_on_are_not_trained_on(
    quorum_app, quorum_settings, gql
):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=lines(60),
        workers=3,
        workersPerItem=3,
        consensus="weighted-majority",  # equal weights: a three-way split is 1/3 each
        labels=["negative", "positive", "neutral"],
        autoLabeling={"enabled": True, "model": "keyword", "initialBatch": 40, "batchSize": 20},
    )
    split: set[str] = set()
    for worker in range(3):
        while (task := job.claim(worker)) is not None:
            number = int(task["input"]["manifestLine"]["source"].split()[-1])
            if number % 5 == 0:  # one worker each for negative, positive and neutral
                split.add(str(number))
                job.submit(task, ["negative", "positive", "neutral"][worker], worker)
            else:
                job.submit(task, truth_of(task), worker)
    job.run_runner()
    assert 0 < len(split) < 40
    (first,) = runs_of(job)["modelRuns"]
    assert first["trainingSize"] == 40 - len(split)
    assert job.status()["counters"]["humanLabeled"] == 40


def test_the_loop_decides_human_labels_again_in_one_fit(quorum_app, quorum_settings, gql):
    """The runner labels items as their answers come in; ``redecide`` fits them together,
    as Dawid-Skene over all the answers at once would."""
    job = running_job(
        quorum_app, gql, quorum_settings, lines=lines(24), workers=3, workersPerItem=3
    )
    rng = np.random.default_rng(7)
    answers: list[WorkerAnswer] = []
    for _ in range(24):
        for worker in range(3):
            task = job.claim(worker)
            assert task is not None
            right = worker < 2 or rng.random() < 0.4
            flipped = {"positive": "negative", "negative": "positive"}[truth_of(task)]
            label = truth_of(task) if right else flipped
            job.submit(task, label, worker)
            item = int(task["input"]["manifestLine"]["id"])
            answers.append(WorkerAnswer(item, job.workers[worker][0], {"label": label}))
        job.run_runner()  # consolidates the items whose answers are all in: small batches
    plugins, db = quorum_app.state.plugins, quorum_app.state.db
    with db.read() as session:
        stored_job = session.exec(select(Job)).one()
        items = session.exec(select(Item).order_by(col(Item.id))).all()
        redecided = consolidation.redecide(session, plugins, stored_job, items)
    numbers = {item.id: json.loads(item.data)["id"] for item in items}
    one_fit = DawidSkene().consolidate(answers, ["negative", "positive"]).labels
    assert {item_id: label.details for item_id, label in redecided.items()} == {
        item_id: one_fit[numbers[item_id]].details for item_id in redecided
    }
    stored = {item.id: item.posterior for item in items}
    assert any(
        stored[item_id] != consolidation.posterior_of(label) for item_id, label in redecided.items()
    ), "the runner's batches and the one fit should differ here"


def test_a_failure_deciding_the_labels_again_falls_back_to_the_stored_ones(
    quorum_app, quorum_settings, gql, monkeypatch
):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the consensus plugin fell over")

    monkeypatch.setattr("quorum.runner.auto_labeling.consolidation.redecide", broken)
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=lines(60),
        workers=3,
        workersPerItem=3,
        autoLabeling={"enabled": True, "model": "keyword", "initialBatch": 40, "batchSize": 20},
    )
    for worker in range(3):
        while (task := job.claim(worker)) is not None:
            job.submit(task, truth_of(task), worker)
    job.run_runner()
    (first,) = runs_of(job)["modelRuns"]
    assert (first["status"], first["trainingSize"]) == ("SUCCEEDED", 40)

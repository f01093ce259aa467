"""The active-learning loop through the API, with a model whose accuracy we know.

``KeywordModel`` reads the label off the text ("good ..." is positive) with probability
0.99, so it is always right and its cross-validated accuracy is 1. The threshold rule then
passes exactly when the one-sided 95 % Clopper-Pearson bound of n/n, 0.05 ** (1 / n),
reaches the 0.95 target: from n = 59 human labels on, not before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from quorum import hookimpl
from quorum.autolabel import AutoLabeler
from quorum.runner.auto_labeling import in_holdout
from tests.factories import read_output
from tests.scenarios import RunningJob, running_job

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
        positive = np.array([text.startswith("good") for text in features])
        return np.where(positive[:, None], [0.01, 0.99], [0.99, 0.01])


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
    output = read_output(quorum_settings, job.status()["outputManifest"])
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
    output = read_output(quorum_settings, job.status()["outputManifest"])
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

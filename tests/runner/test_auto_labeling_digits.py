"""A real auto-labeling job through the API: scikit-learn's 1,797 digits, the built-in
image model, a worker who is always right. The loop must label most digits by machine and
keep the machine labels at the target accuracy."""

from __future__ import annotations

import pytest

from benchmarks.auto_labeling_data import prepare_digits
from quorum.testing import RunningJob, read_output, running_job

RUNS = """
query($id: ID!) {
  job(id: $id) {
    status counters { total humanLabeled machineLabeled unlabeled }
    modelRuns { status threshold accuracyLowerBound itemsLabeled }
  }
}
"""


def label_batch(job: RunningJob) -> int:
    """The worker answers every open task with the truth; the runner consolidates."""
    answered = 0
    while (task := job.claim()) is not None:
        job.submit(task, task["input"]["manifestLine"]["true-label"])
        answered += 1
    job.run_runner()
    return answered


@pytest.mark.slow
def test_digits_are_mostly_labeled_by_machine_at_the_target(quorum_app, quorum_settings, gql):
    digits = prepare_digits(quorum_settings.objects_dir / "sets")
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[line.strip() for line in digits.manifest.read_text().splitlines()],
        taskType="image-classification",
        labels=digits.labels,
        autoLabeling={
            "enabled": True,
            "model": "image-hog-svm",
            "initialBatch": 200,
            "batchSize": 200,
            "folds": 3,
        },
    )
    while gql.ok(RUNS, {"id": job.id}, job.requester)["job"]["status"] == "IN_PROGRESS":
        assert label_batch(job) > 0
    done = gql.ok(RUNS, {"id": job.id}, job.requester)["job"]
    assert done["status"] == "COMPLETED"
    counters = done["counters"]
    assert counters["total"] == 1797 and counters["unlabeled"] == 0
    assert counters["machineLabeled"] >= 0.75 * 1797
    assert all(run["status"] == "SUCCEEDED" for run in done["modelRuns"])
    labeling = [run for run in done["modelRuns"] if run["itemsLabeled"]]
    assert labeling and all(run["accuracyLowerBound"] >= 0.95 for run in labeling)
    output = read_output(job.status()["outputManifest"])
    machine = [line for line in output if line["job-1-metadata"]["human-annotated"] == "no"]
    right = sum(line["job-1-metadata"]["class-name"] == line["true-label"] for line in machine)
    assert right / len(machine) >= 0.95

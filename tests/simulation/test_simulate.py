"""Simulated workers label real jobs through a live server, as people would."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from quorum.cli.main import main
from quorum.db.engine import Database
from quorum.services.users import create_user
from quorum.settings import Settings
from quorum.simulation.answers import SingleLabel, WorkerBehaviour
from quorum.simulation.workforce import SimulatedWorkforce
from quorum.statuses import Role
from quorum.testing import read_output, write_manifest
from tests.live import LiveServer, graphql

LABELS = ["negative", "neutral", "positive"]
CREATE_JOB = "mutation($input: CreateJobInput!) { createJob(input: $input) { id } }"
JOB = """query($id: ID!) {
  job(id: $id) { status outputManifest counters { humanLabeled inProgress } }
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory, quorum_databases):
    """One server for the module: its URL, an admin's token and its settings."""
    data_dir = tmp_path_factory.mktemp("simulate") / "quorum-data"
    data_dir.mkdir()
    url = quorum_databases.new(data_dir)
    settings = Settings.from_env({"QUORUM_DATA_DIR": str(data_dir), "QUORUM_DATABASE_URL": url})
    db = Database(url)
    with db.write() as session:
        _admin, token = create_user(session, name="admin", role=Role.ADMIN, actor_id=None)
    db.dispose()
    server = LiveServer(settings)
    server.start()
    yield server.url, token, settings
    server.stop()
    quorum_databases.drop(url)


def truths(count: int) -> list[str]:
    return [LABELS[(index * 7) % 3] for index in range(count)]


def make_job(live, team_id: str, lines: list[dict], name: str, per_item: int = 3) -> str:
    url, token, settings = live
    manifest = write_manifest(settings, f"{name}.manifest", lines)
    fields = {
        "name": name,
        "taskType": "text-classification",
        "inputManifest": manifest,
        "labels": LABELS,
        "teamId": team_id,
        "workersPerItem": per_item,
    }
    with httpx.Client(base_url=url) as client:
        return graphql(client, token, CREATE_JOB, {"input": fields})["createJob"]["id"]


def job_state(live, job_id: str) -> dict:
    url, token, _settings = live
    with httpx.Client(base_url=url) as client:
        return graphql(client, token, JOB, {"id": job_id})["job"]


def text_job(live, team_id: str, name: str, items: int) -> tuple[str, list[str]]:
    labels = truths(items)
    lines = [{"source": f"review {n}", "true-label": label} for n, label in enumerate(labels)]
    return make_job(live, team_id, lines, name), labels


def test_perfect_workers_give_every_item_its_true_label(live):
    url, token, _ = live
    crew = SimulatedWorkforce.create(url, token, 3)
    job_id, labels = text_job(live, crew.team_id, "perfect", 12)

    report = crew.work(job_id, WorkerBehaviour(accuracy=1.0), seed=0, timeout=60)

    assert report.status == "COMPLETED"
    assert [(w.answers, w.correct) for w in report.workers] == [(12, 12)] * 3
    output = read_output(job_state(live, job_id)["outputManifest"])
    assert [line["perfect-metadata"]["class-name"] for line in output] == labels


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_workers_are_right_as_often_as_their_accuracy_and_repeatably(live, tmp_path, capsys):
    url, token, _settings = live
    crew_file = tmp_path / "crew.json"
    status, team_id, _err = run_cli(
        capsys, "simulate", "workers", "--server", url, "--token", token, "--count", "3",
        "--out", str(crew_file),
    )  # fmt: skip
    assert status == 0
    job_id, labels = text_job(live, team_id.strip(), "noisy", 100)

    status, out, err = run_cli(
        capsys, "simulate", "run", "--workers", str(crew_file), "--job", job_id,
        "--accuracy", "0.6", "--seed", "7", "--timeout", "60",
    )  # fmt: skip

    assert status == 0, err
    report = json.loads(out)
    assert report["status"] == "COMPLETED"
    assert job_state(live, job_id)["counters"]["humanLabeled"] == 100
    for worker in report["workers"]:
        assert worker["answers"] == 100
        assert 0.5 <= worker["measuredAccuracy"] <= 0.7, worker
    # The seed fixes each worker's answer to each item, whatever order the items came in.
    behaviour = WorkerBehaviour(accuracy=0.6)
    expected = [
        sum(
            SingleLabel().answer(truth, LABELS, behaviour, random.Random(f"7:{index}:{n}"))[1]
            for n, truth in enumerate(labels)
        )
        for index in range(3)
    ]
    assert [worker["correct"] for worker in report["workers"]] == expected


@pytest.mark.parametrize(
    ("flags", "confusion", "message"),
    [
        (["--accuracy", "1.5"], None, "--accuracy: 1.5 is outside [0, 1]"),
        (["--accuracy", "high"], None, "--accuracy: 'high' is not a number"),
        (["--accuracy", "0.9,0.8"], None, "--accuracy: 2 values for 3 workers"),
        ([], "{not json", "not valid JSON"),
        ([], '{"negative": {"positive": 0.5}}', "row 'negative' sums to 0.5, not 1"),
        ([], '{"negative": {"negative": 1}}', "each row lists wrong answers only"),
        ([], '{"negative": {"positive": "most"}}', "must be a number >= 0"),
        ([], "[1, 2]", "expected {"),
    ],
)
def test_run_refuses_bad_accuracy_and_confusion_before_any_work(
    tmp_path, capsys, flags, confusion, message
):
    crew = tmp_path / "crew.json"
    workers = [{"id": str(n), "name": f"w{n}", "token": "t"} for n in range(3)]
    crew.write_text(json.dumps({"server": "http://127.0.0.1:9", "teamId": "1", "workers": workers}))
    if confusion is not None:
        (tmp_path / "confusion.json").write_text(confusion)
        flags = [*flags, "--confusion", str(tmp_path / "confusion.json")]

    status, out, err = run_cli(
        capsys, "simulate", "run", "--workers", str(crew), "--job", "1", *flags
    )

    assert status == 2
    assert out == ""
    assert err.startswith("quorum: error: ") and message in err, err


def test_run_refuses_unknown_jobs_and_lines_without_a_usable_truth(live, tmp_path, capsys):
    url, token, _settings = live
    crew = SimulatedWorkforce.create(url, token, 2)
    crew_file = tmp_path / "crew.json"
    crew_file.write_text(json.dumps(crew.to_json()))
    no_truth = make_job(live, crew.team_id, [{"source": "a", "label": "positive"}], "no-truth", 2)
    bad_truth = make_job(live, crew.team_id, [{"source": "a", "true-label": "great"}], "bad", 2)
    confusion = tmp_path / "confusion.json"
    confusion.write_text('{"negative": {"awful": 1}}')
    cases = [
        (["--job", "999"], "--job: no job with id 999"),
        (["--job", no_truth], "the manifest line has no 'true-label' key to answer from"),
        (["--job", bad_truth], "its true-label 'great' is not one of the job's labels"),
        (
            ["--job", bad_truth, "--confusion", str(confusion)],
            "--confusion: 'awful' is not one of the job's labels",
        ),
    ]
    for flags, message in cases:
        status, out, err = run_cli(capsys, "simulate", "run", "--workers", str(crew_file), *flags)
        assert status == 2, (flags, out, err)
        assert err.startswith("quorum: error: ") and message in err, err
    # The task the worker took was handed back, not left to its lease; nothing was answered.
    for job_id in (no_truth, bad_truth):
        state = job_state(live, job_id)
        assert state["status"] == "IN_PROGRESS"
        assert state["counters"] == {"humanLabeled": 0, "inProgress": 0}

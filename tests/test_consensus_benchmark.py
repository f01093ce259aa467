"""The consensus benchmark keeps working (its numbers are read by people, not asserted here)."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import calibration

ROOT = Path(__file__).parents[1]
DATA = ROOT.parent / "shared" / "data" / "crowd"
SET = "snow2008-wsd"


@pytest.mark.skipif(not (DATA / SET).is_dir(), reason=f"no crowd data set {DATA / SET}")
@pytest.mark.skipif(
    bool(os.environ.get("QUORUM_TEST_DATABASE_URL")), reason="run once, in the SQLite pass"
)
def test_the_consensus_benchmark_runs_and_reports_every_part(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.consensus",
            "--quick",
            "--sets",
            SET,
            "--calibration-items",
            "100",
            "--results-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    header = re.search(r"^set +MV-exp +(.+)$", out, re.MULTILINE)
    row = re.search(rf"^{SET} +(\d\.\d{{4}}(?: +\S+)+)$", out, re.MULTILINE)
    assert header and row, out
    cells = row.group(1).split()
    assert len(cells) == 1 + len(header.group(1).split()), out
    assert all(0 <= float(cell) <= 1 for cell in cells), out
    assert re.search(rf"^{SET} +\S+ \d\.\d{{4}} .*-> (PASS|FAIL)$", out, re.MULTILINE), out
    assert re.search(r"^speed: .* in \d+\.\d\d s", out, re.MULTILINE), out
    assert re.search(rf"^{SET} +adaptive \d\.\d{{4}} .* vs fixed \d\.\d{{4}}", out, re.MULTILINE)
    # Calibration: one row per simulated configuration (5 sizes x 3 x 2), then the set's jobs.
    simulated = re.findall(r"^(6|20|50|200|1000) +([235]) +(2|10) +\d+ +(\d\.\d{3}) ", out, re.M)
    assert len(simulated) == 30, out
    assert all(0 <= float(ece) <= 1 for *_, ece in simulated), out
    assert re.search(rf"^{SET} +6 +\d+ +\d\.\d{{3}} ", out, re.MULTILINE), out
    assert re.search(r"^calibration -> (PASS|FAIL)$", out, re.MULTILINE), out
    report = json.loads((tmp_path / "consensus.json").read_text())
    assert [entry["set"] for entry in report["sets"]] == [SET]
    assert {row["set"] for row in report["calibration"]["real"]} == {SET}


def _benchmark(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.consensus", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(not (DATA / SET).is_dir(), reason=f"no crowd data set {DATA / SET}")
def test_parts_runs_only_the_parts_asked_for(tmp_path):
    result = _benchmark(
        "--parts", "speed", "--speed-items", "500", "--sets", SET, "--results-dir", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^speed: .* in \d+\.\d\d s", result.stdout, re.MULTILINE)
    for absent in ("accuracy on gold", "adaptive redundancy", "calibration"):
        assert absent not in result.stdout
    report = json.loads((tmp_path / "consensus.json").read_text())
    assert set(report) >= {"speed"} and not {"sets", "adaptive", "calibration"} & set(report)


def test_an_unknown_part_is_named():
    result = _benchmark("--parts", "speed,colour")
    assert result.returncode == 2
    assert "unknown parts ['colour']" in result.stderr


def test_expected_calibration_error_is_the_weighted_gap_per_bin():
    # Bin 0.9-1.0: two items at 0.95, one right (gap 0.45); bin 0.6-0.7: two at 0.6, both
    # right (gap 0.4). Weighted by their share: (2 * 0.45 + 2 * 0.4) / 4.
    ece = calibration.expected_calibration_error([0.95, 0.95, 0.6, 0.6], [True, False] + [True] * 2)
    assert ece == pytest.approx(0.425)
    assert calibration.expected_calibration_error([0.8] * 10, [True] * 8 + [False] * 2) == (
        pytest.approx(0.0)
    )
    assert calibration.expected_calibration_error([], []) is None


def test_a_simulated_job_has_the_answers_its_configuration_says():
    answers, truth = calibration.Simulation(20, 3, 10).job(random.Random(1))
    assert len(truth) == 20 and len(answers) == 60
    per_item = {item: {a.worker for a in answers if a.item == item} for item in truth}
    assert all(len(workers) == 3 for workers in per_item.values())
    assert {a.worker for a in answers} <= set(range(4))
    assert {a.answer["label"] for a in answers} <= {str(n) for n in range(10)}


def test_judge_applies_the_goal_of_the_job_size():
    row = {"items": 6, "ece": 0.08, "worker_error_p90": None}
    assert calibration.judge(row) == {"ece": True, "workers": None}
    assert calibration.judge({**row, "items": 20}) == {"ece": False, "workers": None}
    assert calibration.judge({**row, "worker_error_p90": 0.12})["workers"] is False

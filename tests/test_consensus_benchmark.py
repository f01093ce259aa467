"""The consensus benchmark keeps working (its numbers are read by people, not asserted here)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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
    report = json.loads((tmp_path / "consensus.json").read_text())
    assert [entry["set"] for entry in report["sets"]] == [SET]

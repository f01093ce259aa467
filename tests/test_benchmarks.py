"""The benchmark script keeps working (its numbers are read by people, not asserted here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_the_core_benchmark_runs_and_reports_every_stage(tmp_path):
    """On the pass's database: SQLite, or PostgreSQL in the PostgreSQL pass."""
    pg_url = os.environ.get("QUORUM_TEST_DATABASE_URL")
    database = "postgresql" if pg_url else "sqlite"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "core.py"),
            "--quick",
            "--clients",
            "1",
            "--databases",
            database,
            *(["--pg-url", pg_url] if pg_url else []),
            "--results-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for stage in ("ingest", "claim\\+submit x1", "output"):
        assert re.search(rf"^{database}\s+{stage}", result.stdout, re.MULTILINE), result.stdout
    assert (tmp_path / f"core-{database}.json").exists()


@pytest.mark.skipif(
    bool(os.environ.get("QUORUM_TEST_DATABASE_URL")), reason="run once, in the SQLite pass"
)
def test_the_auto_labeling_benchmark_runs_a_whole_job_and_judges_it(tmp_path):
    """``--quick``: digits through a real server with one perfect simulated worker."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.auto_labeling",
            "--quick",
            "--results-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    row = re.search(r"^digits\s+1x1\s+ours\s+([\d.]+) %\s+([\d.]+) %", result.stdout, re.MULTILINE)
    assert row, result.stdout
    machine_share, accuracy = float(row.group(1)), float(row.group(2))
    assert machine_share > 50 and accuracy >= 95, result.stdout
    assert (tmp_path / "auto-labeling.json").exists()


ABUSE_ATTACKS = (
    "anon-typename",
    "anon-bad-token",
    "anon-typename-huge",
    "anon-unknown-fields",
    "anon-deep-nesting",
    "anon-connections",
    "anon-body",
    "anon-chunked-body",
    "anon-distinct-docs",
    "anon-deep-json",
    "anon-big-int-variable",
    "anon-big-int-literal",
    "anon-surrogate",
    "worker-typename-huge",
    "worker-available-jobs",
    "worker-mask-bomb",
    "requester-items",
    "requester-connections",
    "requester-distinct-docs",
    "requester-subscriptions",
)


def test_the_abuse_benchmark_replays_every_attack_and_judges_it(tmp_path):
    """``--quick``, on the suite's database (a fresh PostgreSQL database when
    ``QUORUM_TEST_DATABASE_URL`` names a server): every attack gets its row with a verdict
    (whether the goals pass is the benchmark's report, not this test's)."""
    database = "postgresql" if os.environ.get("QUORUM_TEST_DATABASE_URL") else "sqlite"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.abuse",
            "--quick",
            "--database",
            database,
            "--results-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"set up on {database} in" in result.stdout
    for attack in ABUSE_ATTACKS:
        row = rf"^{attack}\s+(anonymous|worker|requester)\s+.*\s(PASS|MISS)$"
        assert re.search(row, result.stdout, re.MULTILINE), (attack, result.stdout)
    assert re.search(r"^RSS after the run .* (PASS|MISS)$", result.stdout, re.MULTILINE)
    assert (tmp_path / "abuse.json").exists()


@pytest.mark.skipif(
    bool(os.environ.get("QUORUM_TEST_DATABASE_URL")),
    reason="uses no database: run once, in the SQLite pass",
)
def test_the_startup_benchmark_times_the_import_and_the_command(tmp_path):
    """One run of each; the medians are printed with their verdicts."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.startup", "--runs", "1", "--results-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("import quorum.testing", "quorum consolidate"):
        row = rf"^{name}\s+[\d.]+ s  \(median of 1; goal < [\d.]+ s: (PASS|FAIL)\)$"
        assert re.search(row, result.stdout, re.MULTILINE), result.stdout
    assert (tmp_path / "startup.json").exists()

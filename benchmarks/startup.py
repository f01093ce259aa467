"""What Quorum costs before it does anything: importing ``quorum.testing`` (which pytest does
on every run where Quorum is installed) and a ``quorum consolidate`` of one answer.

Each is measured in fresh interpreters, ``--runs`` times (5 by default), and the median is
printed against its goal: the import as ``python -X importtime`` reports it (cumulative,
the interpreter's own start left out), under 0.3 s; the command's wall time, interpreter
start included, under 1 s. Goals are reported, not enforced.

Run ``.venv/bin/python -m benchmarks.startup``; results go to
``benchmarks/results/startup.json`` (``--results-dir``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.core import environment

#: Goals, in seconds.
IMPORT_GOAL = 0.3
CONSOLIDATE_GOAL = 1.0
#: The one answer consolidated.
ANSWER = {"item": 1, "worker": 1, "answer": {"label": "a"}}
CONSOLIDATE = ["consolidate", "--task-type", "text-classification", "--labels", "a,b"]


def import_seconds(module: str) -> float:
    """``module``'s cumulative import time in a fresh interpreter, as ``-X importtime``
    reports it."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in reversed(done.stderr.splitlines()):
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if name.strip() == module:
            return int(cumulative) / 1e6
    raise RuntimeError(f"-X importtime did not report {module}")


def consolidate_seconds(answers: Path) -> float:
    """The wall time of ``quorum consolidate`` on ``answers`` in a fresh interpreter (its
    data folder beside ``answers``)."""
    env = {**os.environ, "QUORUM_DATA_DIR": str(answers.parent / "data")}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "quorum", *CONSOLIDATE, str(answers)],
        capture_output=True,
        check=True,
        env=env,
    )
    return time.perf_counter() - started


def report(name: str, seconds: list[float], goal: float) -> dict[str, object]:
    """Print the median of ``seconds`` against ``goal``; returns what the JSON keeps."""
    median = statistics.median(seconds)
    verdict = "PASS" if median < goal else "FAIL"
    print(f"{name:<24} {median:.3f} s  (median of {len(seconds)}; goal < {goal} s: {verdict})")
    return {"median_seconds": round(median, 3), "runs": [round(s, 3) for s in seconds]}


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default: 5)")
    parser.add_argument(
        "--results-dir",
        default=str(Path(__file__).parent / "results"),
        help="where startup.json goes (default: benchmarks/results)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        answers = Path(scratch) / "answers.jsonl"
        answers.write_text(json.dumps(ANSWER) + "\n", encoding="utf-8")
        imports = [import_seconds("quorum.testing") for _ in range(args.runs)]
        commands = [consolidate_seconds(answers) for _ in range(args.runs)]
    results = {
        "environment": environment(),
        "import_quorum_testing": report("import quorum.testing", imports, IMPORT_GOAL),
        "consolidate_one_line": report("quorum consolidate", commands, CONSOLIDATE_GOAL),
    }
    folder = Path(args.results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "startup.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

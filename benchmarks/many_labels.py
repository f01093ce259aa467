"""What a job of many labels costs consensus: memory, time and stored state, by label count.

A job may have up to 1,000 labels (``quorum.limits``). For each label count, one batch of
simulated answers (every item answered by 3 of 30 workers right 90 % of the time, and
once by a spammer) is consolidated by ``dawid-skene`` and ``dawid-skene-gt`` as shipped,
and by the same algorithms with a confusion matrix per worker whatever the label count
(``max_matrix_labels = None``: how they ran before jobs of more than 50 labels switched to
the one-coin model). Each run is a fresh process, so its peak resident memory is its own.
It prints the peak RSS, the seconds, the bytes of consensus state the runner would store,
and the share of items labeled right.

Run ``.venv/bin/python -m benchmarks.many_labels`` (2,000 items; the full-matrix run at
1,000 labels needs about 7 GB and half a minute) or ``--quick`` (300 items, up to 200
labels for the full matrices).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from typing import Any

from benchmarks.core import environment
from quorum.consensus import ConsensusAlgorithm, WorkerAnswer
from quorum_plugins.consensus.dawid_skene import DawidSkene, GroundTruthDawidSkene

WORKERS = 30
ANSWERS_PER_ITEM = 3
WORKER_ACCURACY = 0.9


@dataclass(frozen=True)
class Run:
    """One consolidation: what it cost and how right it was."""

    algorithm: str
    matrices: str
    labels: int
    items: int
    peak_rss_mb: float
    seconds: float
    state_bytes: int
    accuracy: float


def algorithm(name: str, full_matrices: bool) -> ConsensusAlgorithm:
    """``name`` as shipped, or with a confusion matrix per worker at any label count."""
    shipped = {"dawid-skene": DawidSkene, "dawid-skene-gt": GroundTruthDawidSkene}[name]
    if not full_matrices:
        return shipped()
    return type("FullMatrices", (shipped,), {"max_matrix_labels": None})()


def simulated(labels: int, items: int, seed: int) -> tuple[list[WorkerAnswer], dict[int, str]]:
    """Answers to ``items`` items over ``labels`` labels, and each item's true label."""
    rng = random.Random(seed)
    names = [f"label-{n}" for n in range(labels)]
    truth = {item: rng.choice(names) for item in range(items)}
    answers = []
    for item, true in truth.items():
        for worker in rng.sample(range(WORKERS), ANSWERS_PER_ITEM):
            said = true if rng.random() < WORKER_ACCURACY else rng.choice(names)
            answers.append(WorkerAnswer(item=item, worker=worker, answer={"label": said}))
        answers.append(
            WorkerAnswer(item=item, worker="spammer", answer={"label": rng.choice(names)})
        )
    return answers, truth


def measure(name: str, full_matrices: bool, labels: int, items: int) -> Run:
    """Consolidate one batch in this process (a fresh one: the peak RSS is this run's)."""
    answers, truth = simulated(labels, items, seed=labels)
    chosen = algorithm(name, full_matrices)
    started = time.perf_counter()
    result = chosen.consolidate(answers, [f"label-{n}" for n in range(labels)])
    seconds = time.perf_counter() - started
    right = sum(result.labels[item].value == label for item, label in truth.items())
    return Run(
        algorithm=name,
        matrices="per worker" if full_matrices else "as shipped",
        labels=labels,
        items=items,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        seconds=seconds,
        state_bytes=len(json.dumps(result.state)),
        accuracy=right / items,
    )


def measure_apart(name: str, full_matrices: bool, labels: int, items: int) -> Run:
    """:func:`measure` in a fresh spawned process."""
    with get_context("spawn").Pool(1) as pool:
        run: Run = pool.apply(measure, (name, full_matrices, labels, items))
    return run


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.many_labels", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300 items, smaller full matrices")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every configuration and print one row each."""
    args = parse_args(argv)
    items = 300 if args.quick else 2_000
    full_up_to = 200 if args.quick else 1_000
    print(environment())
    print(f"{items} items, {ANSWERS_PER_ITEM} answers each from {WORKERS} workers + a spammer")
    header = f"{'algorithm':<15} {'matrices':<11} {'labels':>6} {'peak RSS':>10} {'time':>8} "
    print(header + f"{'state':>11} {'right':>6}")
    runs: list[dict[str, Any]] = []
    for labels in (50, 200, 1_000):
        for name in ("dawid-skene", "dawid-skene-gt"):
            for full in (False, True):
                if full and not 50 < labels <= full_up_to:
                    continue  # at 50 labels or fewer "as shipped" is per worker already
                run = measure_apart(name, full, labels, items)
                runs.append(asdict(run))
                print(
                    f"{run.algorithm:<15} {run.matrices:<11} {run.labels:>6} "
                    f"{run.peak_rss_mb:>7.0f} MB {run.seconds:>6.1f} s "
                    f"{run.state_bytes / 1024:>8.0f} kB {run.accuracy:>6.1%}"
                )
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

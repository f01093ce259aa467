"""Quorum's consensus benchmark: accuracy on real crowd data against crowd-kit, speed on a
million answers, adaptive redundancy, and calibration of confidences and worker accuracies.

Run ``.venv/bin/python -m benchmarks.consensus`` (every data set, every registered
single-label algorithm) or add ``--quick`` for a smoke run. A data set is a folder with
``answers.csv`` (item, worker, label) and ``gold.csv`` (item, label); by default every folder
of ``../shared/data/crowd`` next to the repository. ``benchmarks/README.md`` explains the
four parts and their goals (``--parts`` picks some). Results are printed, with PASS/FAIL
against the goals, and written to ``benchmarks/results/consensus.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks import calibration
from benchmarks.core import environment
from quorum.consensus import ConsensusAlgorithm, WorkerAnswer
from quorum.plugins import PluginHost
from quorum.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data" / "crowd"
RESULTS_DIR = ROOT / "benchmarks" / "results"

PREFERRED_DEFAULT = "dawid-skene"
FALLBACK_DEFAULT = "majority-vote"
CROWDKIT = "crowdkit-"
#: Accuracies are fractions of the same gold count; this absorbs float noise only.
EPSILON = 1e-9

SPEED_GOAL_S = 10.0
SPEED_ANSWERS = 1_000_000
SPEED_WORKERS_PER_ITEM = 5
SPEED_POOL = 2_000
SPEED_LABELS = ["cat", "dog", "bird", "fish", "horse"]

START_ANSWERS = 2
MAX_ANSWERS = 5
ADAPTIVE_SHARE_GOAL = 0.60
ADAPTIVE_SLACK = 0.005  # accuracy may be this much below fixed redundancy's
#: Targets tried by the oracle reference (:func:`oracle_share`).
ORACLE_TARGETS = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)
PARTS = ("accuracy", "speed", "adaptive", "calibration")


# -- configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """What one run measures."""

    data: Path
    sets: list[str] | None
    algorithms: list[str] | None
    quick: bool
    target: float
    seeds: int
    time_limit: float
    speed_items: int
    calibration_items: int
    parts: list[str]
    results_dir: Path


def _names(text: str | None) -> list[str] | None:
    """A comma-separated option as a list (``None`` when not given)."""
    return [part.strip() for part in text.split(",") if part.strip()] if text else None


def parse_args(argv: Sequence[str] | None = None) -> Config:
    """The command line, as a :class:`Config`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help=f"(default {DATA_DIR})")
    parser.add_argument("--sets", help="comma-separated data set folders (default: all)")
    parser.add_argument(
        "--algorithms", help="comma-separated algorithm names (default: every single-label one)"
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--target", type=float, default=0.9, help="confidence that closes an item (0.9)"
    )
    parser.add_argument("--seeds", type=int, help="replay orders per data set (5; --quick 1)")
    parser.add_argument(
        "--time-limit", type=float, help="seconds per algorithm and data set (300; --quick 60)"
    )
    parser.add_argument(
        "--speed-items",
        type=int,
        help=f"synthetic items x {SPEED_WORKERS_PER_ITEM} answers (200000; --quick 20000)",
    )
    parser.add_argument(
        "--calibration-items",
        type=int,
        help=(
            f"items consolidated per calibration configuration "
            f"({calibration.ITEMS_PER_CONFIGURATION}; --quick "
            f"{calibration.QUICK_ITEMS_PER_CONFIGURATION})"
        ),
    )
    parser.add_argument(
        "--parts", help=f"comma-separated parts to run: {', '.join(PARTS)} (default: all)"
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    parts = _names(args.parts) or list(PARTS)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown parts {unknown} (choose from {', '.join(PARTS)})")
    return Config(
        data=args.data,
        sets=_names(args.sets),
        algorithms=_names(args.algorithms),
        quick=args.quick,
        target=args.target,
        seeds=args.seeds or (1 if args.quick else 5),
        time_limit=args.time_limit or (60.0 if args.quick else 300.0),
        speed_items=args.speed_items or (20_000 if args.quick else 200_000),
        calibration_items=args.calibration_items
        or (
            calibration.QUICK_ITEMS_PER_CONFIGURATION
            if args.quick
            else calibration.ITEMS_PER_CONFIGURATION
        ),
        parts=[part for part in PARTS if part in parts],
        results_dir=args.results_dir,
    )


# -- data and scoring ---------------------------------------------------------------------


@dataclass(frozen=True)
class CrowdSet:
    """One data set: its answers, its gold labels and its sorted label set."""

    name: str
    answers: list[WorkerAnswer]
    gold: dict[str, str]
    labels: list[str]


def _rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows as dicts."""
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def load_sets(config: Config) -> list[CrowdSet]:
    """The data sets under ``config.data`` (those named in ``config.sets``, if given)."""
    folders = sorted(path.parent for path in config.data.glob("*/gold.csv"))
    if config.sets is not None:
        folders = [folder for folder in folders if folder.name in config.sets]
        missing = set(config.sets) - {folder.name for folder in folders}
        if missing:
            raise SystemExit(f"no data set {sorted(missing)} under {config.data}")
    crowd_sets = []
    for folder in folders:
        rows = _rows(folder / "answers.csv")
        answers = [
            WorkerAnswer(row["item"], row["worker"], {"label": row["label"]}) for row in rows
        ]
        gold = {row["item"]: row["label"] for row in _rows(folder / "gold.csv")}
        labels = sorted({row["label"] for row in rows})
        crowd_sets.append(CrowdSet(folder.name, answers, gold, labels))
    return crowd_sets


def accuracy(predicted: Mapping[Hashable, Any], gold: Mapping[Hashable, str]) -> float:
    """The share of gold items whose predicted label is the gold label."""
    return sum(predicted.get(item) == label for item, label in gold.items()) / len(gold)


def mv_expected(crowd: CrowdSet) -> float:
    """Majority vote's expected accuracy with random tie-breaking: 1/t for a gold item whose
    gold label is among its t tied top labels, 0 otherwise, averaged."""
    votes: dict[Hashable, Counter[str]] = {}
    for answer in crowd.answers:
        votes.setdefault(answer.item, Counter())[answer.answer["label"]] += 1
    total = 0.0
    for item, label in crowd.gold.items():
        counter = votes.get(item, Counter())
        top = max(counter.values(), default=0)
        tied = [key for key, count in counter.items() if count == top]
        total += 1 / len(tied) if label in tied else 0.0
    return total / len(crowd.gold)


# -- the algorithms -----------------------------------------------------------------------


def registered_algorithms() -> dict[str, ConsensusAlgorithm]:
    """Every registered consensus algorithm for single-label answers, by name."""
    with tempfile.TemporaryDirectory(prefix="quorum-consensus-bench-") as data_dir:
        host = PluginHost(Settings.from_env({"QUORUM_DATA_DIR": data_dir}))
    return {
        name: algorithm
        for name, algorithm in host.consensus_algorithms.items()
        if "single-label" in algorithm.label_kinds
    }


def default_name(registered: Mapping[str, ConsensusAlgorithm]) -> tuple[str, str]:
    """The algorithm judged against the goals, and a note on why it was chosen."""
    if PREFERRED_DEFAULT in registered:
        return PREFERRED_DEFAULT, f"default {PREFERRED_DEFAULT}"
    return FALLBACK_DEFAULT, f"{PREFERRED_DEFAULT} is not registered: judging {FALLBACK_DEFAULT}"


def select(
    registered: Mapping[str, ConsensusAlgorithm], wanted: list[str] | None, default: str
) -> dict[str, ConsensusAlgorithm]:
    """The algorithms to run (always the default), Quorum's first, then crowd-kit's."""
    names = set(registered if wanted is None else wanted) | {default}
    unknown = names - set(registered)
    if unknown:
        known = ", ".join(sorted(registered))
        raise SystemExit(f"unknown algorithms {sorted(unknown)} (single-label ones: {known})")
    order = sorted(names, key=lambda name: (name != default, name.startswith(CROWDKIT), name))
    return {name: registered[name] for name in order}


def _consolidate_into(sender: Connection, algorithm: ConsensusAlgorithm, crowd: CrowdSet) -> None:
    """The child's side of :func:`run_limited`: consolidate, send the seconds and labels."""
    try:
        started = time.perf_counter()
        result = algorithm.consolidate(crowd.answers, crowd.labels)
        seconds = time.perf_counter() - started
        sender.send(("ok", seconds, {item: label.value for item, label in result.labels.items()}))
    except Exception as exc:
        sender.send((f"error: {type(exc).__name__}: {exc}", None, {}))
    finally:
        sender.close()


def run_limited(algorithm: ConsensusAlgorithm, crowd: CrowdSet, limit: float) -> dict[str, Any]:
    """Consolidate ``crowd`` in a forked child that gets ``limit`` seconds; its status,
    seconds (of ``consolidate`` alone) and accuracy on gold."""
    context = get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_consolidate_into, args=(sender, algorithm, crowd))
    child.start()
    sender.close()
    status, seconds, labels = f"timeout (> {limit:g} s)", None, {}
    try:
        if receiver.poll(limit):
            status, seconds, labels = receiver.recv()
    except EOFError:
        status = "error: the child process died"
    child.kill()
    child.join()
    score = accuracy(labels, crowd.gold) if status == "ok" else None
    return {"status": status, "seconds": seconds, "accuracy": score}


# -- part 1: accuracy on real data --------------------------------------------------------


def bench_set(
    crowd: CrowdSet, algorithms: Mapping[str, ConsensusAlgorithm], limit: float
) -> dict[str, Any]:
    """Every algorithm on one data set, with MV-exp."""
    items = len({answer.item for answer in crowd.answers})
    print(
        f"\n== {crowd.name}: {items:,} items, {len(crowd.answers):,} answers, "
        f"{len(crowd.gold):,} gold, labels {', '.join(crowd.labels)}",
        flush=True,
    )
    runs = {}
    for name, algorithm in algorithms.items():
        run = runs[name] = run_limited(algorithm, crowd, limit)
        detail = f"{run['seconds']:.2f} s" if run["status"] == "ok" else run["status"]
        print(f"  {name:<22} {_accuracy_cell(run)}  {detail}", flush=True)
    return {"set": crowd.name, "mv_exp": mv_expected(crowd), "algorithms": runs}


def best_crowdkit(runs: Mapping[str, dict[str, Any]]) -> tuple[str, float] | None:
    """The most accurate crowd-kit method that finished (first by name on a tie)."""
    scored = [
        name
        for name in sorted(runs)
        if name.startswith(CROWDKIT) and runs[name]["accuracy"] is not None
    ]
    if not scored:
        return None
    name = max(scored, key=lambda name: runs[name]["accuracy"])
    return name, runs[name]["accuracy"]


def judge(result: dict[str, Any], default: str) -> dict[str, Any]:
    """Whether the default is at least as accurate as the best crowd-kit method and MV-exp."""
    mine = result["algorithms"][default]["accuracy"]
    best = best_crowdkit(result["algorithms"])
    checks = {"mv_exp": mine is not None and mine >= result["mv_exp"] - EPSILON}
    if best is not None:
        checks["best_crowdkit"] = mine is not None and mine >= best[1] - EPSILON
    return {
        "default": default,
        "best_crowdkit": best,
        "checks": checks,
        "pass": all(checks.values()),
    }


# -- part 2: speed ------------------------------------------------------------------------


def synthetic(items: int, seed: int = 0) -> tuple[list[WorkerAnswer], dict[Hashable, str]]:
    """``items`` items with a true label each, answered by 5 of a pool of 2,000 workers whose
    accuracies are spread over 0.35-0.95 (wrong answers uniform over the other labels)."""
    rng = random.Random(seed)
    skill = [rng.uniform(0.35, 0.95) for _ in range(SPEED_POOL)]
    count = len(SPEED_LABELS)
    answers, truth = [], {}
    for item in range(items):
        true = rng.randrange(count)
        truth[item] = SPEED_LABELS[true]
        for worker in rng.sample(range(SPEED_POOL), SPEED_WORKERS_PER_ITEM):
            given = (
                true if rng.random() < skill[worker] else (true + rng.randrange(1, count)) % count
            )
            answers.append(WorkerAnswer(item, worker, {"label": SPEED_LABELS[given]}))
    return answers, truth


def bench_speed(name: str, algorithm: ConsensusAlgorithm, items: int) -> dict[str, Any]:
    """Time the default on synthetic answers, in this process."""
    answers, truth = synthetic(items)
    print(f"\n== speed: {name} on {len(answers):,} synthetic answers ({items:,} items)", flush=True)
    started = time.perf_counter()
    result = algorithm.consolidate(answers, SPEED_LABELS)
    seconds = time.perf_counter() - started
    judged = len(answers) >= SPEED_ANSWERS
    passed = seconds <= SPEED_GOAL_S if judged else None
    labels = {item: label.value for item, label in result.labels.items()}
    print(f"  {seconds:.2f} s", flush=True)
    return {
        "answers": len(answers),
        "seconds": seconds,
        "accuracy": accuracy(labels, truth),
        "pass": passed,
    }


# -- part 3: adaptive redundancy ----------------------------------------------------------


def shuffled(crowd: CrowdSet, seed: int) -> dict[Hashable, list[WorkerAnswer]]:
    """Each item's answers in a random order (the order they would arrive in)."""
    queues: dict[Hashable, list[WorkerAnswer]] = {}
    for answer in crowd.answers:
        queues.setdefault(answer.item, []).append(answer)
    rng = random.Random(seed)
    for queue in queues.values():
        rng.shuffle(queue)
    return queues


def adaptive(
    queues: Mapping[Hashable, list[WorkerAnswer]],
    crowd: CrowdSet,
    algorithm: ConsensusAlgorithm,
    target: float,
) -> tuple[float, int]:
    """Reveal 2 answers per item, then one more per open item each round; an item keeps the
    label it had when its confidence reached ``target`` or it ran out of answers (5 at
    most). Accuracy on gold and answers used."""
    shown = dict.fromkeys(queues, START_ANSWERS)
    open_items = set(queues)
    final: dict[Hashable, Any] = {}
    while open_items:
        revealed = [answer for item, queue in queues.items() for answer in queue[: shown[item]]]
        labels = algorithm.consolidate(revealed, crowd.labels).labels
        for item in list(open_items):
            limit = min(MAX_ANSWERS, len(queues[item]))
            if labels[item].confidence >= target or shown[item] >= limit:
                final[item] = labels[item].value
                open_items.remove(item)
            else:
                shown[item] += 1
    used = sum(min(shown[item], len(queue)) for item, queue in queues.items())
    return accuracy(final, crowd.gold), used


def fixed(
    queues: Mapping[Hashable, list[WorkerAnswer]], crowd: CrowdSet, algorithm: ConsensusAlgorithm
) -> tuple[float, int]:
    """The first 5 answers of every item, consolidated once: accuracy and answers used."""
    answers = [answer for queue in queues.values() for answer in queue[:MAX_ANSWERS]]
    labels = algorithm.consolidate(answers, crowd.labels).labels
    return accuracy({item: label.value for item, label in labels.items()}, crowd.gold), len(answers)


def gold_accuracies(crowd: CrowdSet) -> dict[Hashable, float]:
    """Each worker's true accuracy, measured on the gold items (add-one smoothed): what
    no algorithm can know while a job runs."""
    right: Counter[Hashable] = Counter()
    total: Counter[Hashable] = Counter()
    for answer in crowd.answers:
        if answer.item in crowd.gold:
            total[answer.worker] += 1
            right[answer.worker] += answer.answer["label"] == crowd.gold[answer.item]
    return {worker: (right[worker] + 1) / (total[worker] + 2) for worker in total}


def oracle_adaptive(
    queues: Mapping[Hashable, list[WorkerAnswer]],
    crowd: CrowdSet,
    accuracies: Mapping[Hashable, float],
    target: float,
) -> tuple[float, int]:
    """The same stopping rule as :func:`adaptive`, with each item's posterior computed from
    the workers' true accuracies (one-coin model, uniform prior): accuracy and answers used."""
    classes = len(crowd.labels)
    final: dict[Hashable, str] = {}
    used = 0
    for item, queue in queues.items():
        scores = dict.fromkeys(crowd.labels, 0.0)
        for shown, answer in enumerate(queue[:MAX_ANSWERS], start=1):
            right = min(max(accuracies.get(answer.worker, 0.7), 0.01), 0.99)
            for label in scores:
                chosen = answer.answer["label"] == label
                scores[label] += math.log(right if chosen else (1 - right) / (classes - 1))
            top = max(scores.values())
            confidence = 1 / sum(math.exp(score - top) for score in scores.values())
            if shown >= START_ANSWERS and confidence >= target:
                break
        used += shown
        final[item] = max(scores, key=scores.__getitem__)
    return accuracy(final, crowd.gold), used


def oracle_share(crowd: CrowdSet, fixed_runs: Sequence[Mapping[str, Any]]) -> Any:
    """The smallest median share of fixed redundancy's answers with which the oracle
    (:func:`oracle_adaptive`) matches fixed redundancy's median accuracy, over
    :data:`ORACLE_TARGETS`: a bound on what any confidence-based stopping rule can reach on
    this data. ``None`` if no target matches."""
    accuracies = gold_accuracies(crowd)
    fixed_accuracy = statistics.median(run["fixed_accuracy"] for run in fixed_runs)
    for target in ORACLE_TARGETS:
        runs = [
            oracle_adaptive(shuffled(crowd, run["seed"]), crowd, accuracies, target)
            for run in fixed_runs
        ]
        oracle_accuracy = statistics.median(result[0] for result in runs)
        share = statistics.median(
            used / run["fixed_answers"] for (_, used), run in zip(runs, fixed_runs, strict=True)
        )
        if oracle_accuracy >= fixed_accuracy - ADAPTIVE_SLACK - EPSILON:
            return {"target": target, "accuracy": oracle_accuracy, "share": share}
    return None


def bench_adaptive(
    crowd: CrowdSet, algorithm: ConsensusAlgorithm, config: Config
) -> dict[str, Any]:
    """Adaptive against fixed redundancy over ``config.seeds`` orders; medians and verdict."""
    runs = []
    for seed in range(config.seeds):
        queues = shuffled(crowd, seed)
        adaptive_accuracy, adaptive_used = adaptive(queues, crowd, algorithm, config.target)
        fixed_accuracy, fixed_used = fixed(queues, crowd, algorithm)
        runs.append(
            {
                "seed": seed,
                "adaptive_accuracy": adaptive_accuracy,
                "adaptive_answers": adaptive_used,
                "fixed_accuracy": fixed_accuracy,
                "fixed_answers": fixed_used,
                "share": adaptive_used / fixed_used,
            }
        )
    summary = {key: statistics.median(run[key] for run in runs) for key in runs[0] if key != "seed"}
    summary["pass"] = (
        summary["adaptive_accuracy"] >= summary["fixed_accuracy"] - ADAPTIVE_SLACK - EPSILON
        and summary["share"] <= ADAPTIVE_SHARE_GOAL
    )
    summary["oracle"] = oracle_share(crowd, runs)
    print(f"  {crowd.name:<16} {_adaptive_line(summary)}", flush=True)
    return {"set": crowd.name, **summary, "runs": runs}


# -- printing -----------------------------------------------------------------------------


def _accuracy_cell(run: Mapping[str, Any]) -> str:
    """An accuracy, or why there is none."""
    if run["accuracy"] is not None:
        return f"{run['accuracy']:.4f}"
    return "timeout" if run["status"].startswith("timeout") else "error"


def _seconds_cell(run: Mapping[str, Any]) -> str:
    """Seconds, or ``-`` for a run that did not finish."""
    return f"{run['seconds']:.2f}" if run["seconds"] is not None else "-"


def _verdict(flag: bool | None) -> str:
    """PASS, FAIL, or not judged."""
    return {True: "PASS", False: "FAIL", None: "not judged"}[flag]


def print_rows(rows: Sequence[Sequence[str]]) -> None:
    """Rows as aligned columns."""
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def print_tables(results: Sequence[dict[str, Any]], names: Sequence[str]) -> None:
    """Accuracy and seconds per data set (rows) and algorithm (columns)."""
    header = [name.replace(CROWDKIT, "ck-") for name in names]
    print("\naccuracy on gold (ck-* = crowdkit-*):")
    print_rows(
        [
            ["set", "MV-exp", *header],
            *(
                [
                    r["set"],
                    f"{r['mv_exp']:.4f}",
                    *(_accuracy_cell(r["algorithms"][n]) for n in names),
                ]
                for r in results
            ),
        ]
    )
    print("\nseconds per consolidation:")
    print_rows(
        [
            ["set", *header],
            *([r["set"], *(_seconds_cell(r["algorithms"][n]) for n in names)] for r in results),
        ]
    )


def _judgement_line(result: Mapping[str, Any]) -> str:
    """How the default compares with the best crowd-kit method and with MV-exp."""
    verdict = result["verdict"]
    yes = {True: "yes", False: "no"}
    text = f"{verdict['default']} {_accuracy_cell(result['algorithms'][verdict['default']])}"
    if verdict["best_crowdkit"] is None:
        text += "; no crowd-kit result to compare (none installed, selected or finished)"
    else:
        best_name, best = verdict["best_crowdkit"]
        text += (
            f" >= best crowd-kit {best_name} {best:.4f}: {yes[verdict['checks']['best_crowdkit']]}"
        )
    text += f"; >= MV-exp {result['mv_exp']:.4f}: {yes[verdict['checks']['mv_exp']]}"
    return f"{text} -> {_verdict(verdict['pass'])}"


def _adaptive_line(summary: Mapping[str, Any]) -> str:
    """Adaptive against fixed redundancy on one data set, and the oracle's bound."""
    oracle = summary["oracle"]
    bound = (
        "not even with every answer"
        if oracle is None
        else f"{100 * oracle['share']:.1f} % (target {oracle['target']:g})"
    )
    return (
        f"adaptive {summary['adaptive_accuracy']:.4f} with {summary['adaptive_answers']:,.0f} "
        f"answers ({100 * summary['share']:.1f} %) vs fixed {summary['fixed_accuracy']:.4f} "
        f"with {summary['fixed_answers']:,.0f} (knowing every worker's true accuracy, "
        f"matching fixed takes {bound}) -> {_verdict(summary['pass'])}"
    )


def print_summary(report: Mapping[str, Any]) -> None:
    """The compact summary of the parts that ran."""
    if "sets" in report:
        print_tables(report["sets"], list(report["sets"][0]["algorithms"]))
        print()
        for result in report["sets"]:
            print(f"{result['set']:<16} {_judgement_line(result)}")
    if "speed" in report:
        speed = report["speed"]
        print(
            f"\nspeed: {report['default']} consolidated {speed['answers']:,} answers in "
            f"{speed['seconds']:.2f} s (accuracy on the synthetic truth "
            f"{speed['accuracy']:.4f}); goal <= {SPEED_GOAL_S:g} s for {SPEED_ANSWERS:,} "
            f"answers -> {_verdict(speed['pass'])}"
        )
    if "adaptive" in report:
        print(
            f"\nadaptive redundancy (goal: accuracy within {100 * ADAPTIVE_SLACK:g} points of "
            f"fixed redundancy with <= {100 * ADAPTIVE_SHARE_GOAL:g} % of its answers):"
        )
        for replay in report["adaptive"]:
            print(f"{replay['set']:<16} {_adaptive_line(replay)}")
    if "calibration" in report:
        print_calibration(report["calibration"])


def print_calibration(result: Mapping[str, Any]) -> None:
    """Part 4's two tables (simulated and real jobs) and its overall verdict."""
    print(
        f"\ncalibration (goals: ECE <= {calibration.ECE_GOAL_SMALL:g} at "
        f"{calibration.SMALL_JOB} items, <= {calibration.ECE_GOAL:g} from 20; workers with "
        f">= {calibration.ASSESSED_ANSWERS} answers within "
        f"{100 * calibration.WORKER_ERROR_GOAL:g} points at the 90th percentile):"
    )
    print("simulated jobs (workers = answers per item, from a team of one more):")
    print_rows(calibration.table_rows(result["simulated"], ("items", "workers", "classes")))
    print("real crowd sets (jobs of items drawn from the set, then the whole set):")
    print_rows(calibration.table_rows(result["real"], ("set", "items")))
    print(f"calibration -> {_verdict(result['pass'])}")


# -- the run ------------------------------------------------------------------------------


def bench_calibration(
    algorithm: ConsensusAlgorithm, crowd_sets: Sequence[CrowdSet], budget: int
) -> dict[str, Any]:
    """Part 4: the default's calibration on simulated jobs and on jobs cut from each set."""
    print(f"\n== calibration: {budget:,} items per configuration", flush=True)
    simulated = calibration.bench_simulated(algorithm, budget)
    real = [
        row
        for crowd in crowd_sets
        for row in calibration.bench_real(
            algorithm, crowd.name, crowd.answers, crowd.gold, crowd.labels, budget
        )
    ]
    verdicts = [
        passed
        for row in (*simulated, *real)
        for passed in calibration.judge(row).values()
        if passed is not None
    ]
    return {"simulated": simulated, "real": real, "pass": all(verdicts)}


def run(config: Config) -> dict[str, Any]:
    """The parts in ``config.parts``; returns everything printed."""
    registered = registered_algorithms()
    default, note = default_name(registered)
    algorithms = select(registered, config.algorithms, default)
    crowd_sets = load_sets(config)
    if not crowd_sets:
        raise SystemExit(f"no data sets (folders with gold.csv) under {config.data}")
    print(f"{note}; algorithms: {', '.join(algorithms)}; parts: {', '.join(config.parts)}")
    report: dict[str, Any] = {"default": default, "note": note}
    if "accuracy" in config.parts:
        results = [bench_set(crowd, algorithms, config.time_limit) for crowd in crowd_sets]
        for result in results:
            result["verdict"] = judge(result, default)
        report["sets"] = results
    if "speed" in config.parts:
        report["speed"] = bench_speed(default, algorithms[default], config.speed_items)
    if "adaptive" in config.parts:
        print(
            f"\n== adaptive redundancy: {default}, target confidence {config.target:g}, "
            f"{config.seeds} order(s)",
            flush=True,
        )
        report["adaptive"] = [
            bench_adaptive(crowd, algorithms[default], config) for crowd in crowd_sets
        ]
    if "calibration" in config.parts:
        report["calibration"] = bench_calibration(
            algorithms[default], crowd_sets, config.calibration_items
        )
    return report


def write_results(report: Mapping[str, Any], config: Config) -> Path:
    """``<results dir>/consensus.json``."""
    config.results_dir.mkdir(parents=True, exist_ok=True)
    path = config.results_dir / "consensus.json"
    payload = {"config": asdict(config), "environment": environment(), **report}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; goals are reported, not enforced (the exit status is 0)."""
    config = parse_args(argv)
    report = run(config)
    print_summary(report)
    print(f"\nresults written to {write_results(report, config)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Do the default consensus algorithm's confidences and worker accuracies mean what they say?

Part 4 of ``benchmarks/consensus.py`` (``--parts calibration`` runs it alone). Two kinds of
jobs are consolidated, each many times over so that even a 6-item job is judged on
thousands of items:

- *simulated* jobs of 6 to 1,000 items, with 2, 3 or 5 workers per item drawn from a team
  of one more worker than that, and 2 or 10 classes; each worker has a known accuracy
  (uniform over 0.60-0.95, wrong answers spread evenly over the other classes), and about
  one worker in six is a spammer who answers at random;
- *real* jobs: items drawn from a crowd set of ``../shared/data/crowd`` (items with gold
  only, with all their answers), as many as a simulated job has, and the whole set.

For each the benchmark prints the expected calibration error (ECE) of the confidences the
algorithm reports (10 equal bins; items consolidated from a single answer, whose confidence
is 0 by Ground Truth's rule, are left out), and how far each worker's estimated accuracy is
from their true accuracy on the answers they gave in that job (the share that were right),
for workers with at least 50 answers in the job. ``benchmarks/README.md`` states the goals.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quorum.consensus import ConsensusAlgorithm, ConsensusResult, WorkerAnswer

SIZES = (6, 20, 50, 200, 1000)
WORKERS_PER_ITEM = (2, 3, 5)
CLASS_COUNTS = (2, 10)
#: Items consolidated per configuration, over all its repeated jobs.
ITEMS_PER_CONFIGURATION = 6000
QUICK_ITEMS_PER_CONFIGURATION = 600
ACCURACY_RANGE = (0.60, 0.95)
SPAMMER_SHARE = 1 / 6
BINS = 10

#: Goals: ECE at 6 items, and from 20 items on; worker accuracy error from this many answers.
SMALL_JOB = 6
ECE_GOAL_SMALL = 0.10
ECE_GOAL = 0.05
ASSESSED_ANSWERS = 50
WORKER_ERROR_GOAL = 0.10


@dataclass
class Tally:
    """What a configuration's jobs add up to: every multi-answer item's reported
    confidence and whether its label was right, every assessed worker's accuracy error."""

    confidences: list[float] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)
    worker_errors: list[float] = field(default_factory=list)
    jobs: int = 0
    seconds: float = 0.0

    def add(
        self,
        result: ConsensusResult,
        answers: Sequence[WorkerAnswer],
        truth: Mapping[Hashable, str],
    ) -> None:
        """Score one consolidated job against its truth."""
        self.jobs += 1
        counts = Counter(answer.item for answer in answers)
        for item, label in result.labels.items():
            if item in truth and counts[item] > 1:
                self.confidences.append(label.confidence)
                self.correct.append(label.value == truth[item])
        right: dict[Hashable, list[bool]] = defaultdict(list)
        for answer in answers:
            if answer.item in truth:
                right[answer.worker].append(answer.answer["label"] == truth[answer.item])
        for worker, quality in result.workers.items():
            given = right.get(worker, [])
            if quality.accuracy is not None and len(given) >= ASSESSED_ANSWERS:
                self.worker_errors.append(abs(quality.accuracy - sum(given) / len(given)))

    def summary(self) -> dict[str, Any]:
        """ECE, accuracy, mean confidence and the worker errors' median, 90th percentile
        and maximum."""
        errors = sorted(self.worker_errors)
        return {
            "jobs": self.jobs,
            "scored": len(self.correct),
            "ece": expected_calibration_error(self.confidences, self.correct),
            "accuracy": _mean(self.correct),
            "confidence": _mean(self.confidences),
            "assessed": len(errors),
            "worker_error_median": statistics.median(errors) if errors else None,
            "worker_error_p90": _quantile(errors, 0.9),
            "worker_error_max": errors[-1] if errors else None,
            "seconds_per_job": self.seconds / self.jobs if self.jobs else None,
        }


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = BINS
) -> float | None:
    """The items' mean gap between confidence and accuracy, bin by bin (equal-width bins
    over 0-1, each weighted by its share of the items)."""
    if not confidences:
        return None
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for confidence, right in zip(confidences, correct, strict=True):
        cell = totals[min(int(confidence * bins), bins - 1)]
        cell[0] += 1
        cell[1] += confidence
        cell[2] += float(right)
    return sum(abs(cell[1] - cell[2]) for cell in totals.values()) / len(confidences)


def _mean(values: Sequence[float] | Sequence[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def _quantile(ordered: Sequence[float], share: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# -- simulated jobs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Simulation:
    """One simulated configuration."""

    items: int
    workers_per_item: int
    classes: int

    def job(self, rng: random.Random) -> tuple[list[WorkerAnswer], dict[Hashable, str]]:
        """One job's answers and truth: a team of ``workers_per_item + 1`` workers of random
        accuracy (some spammers), each item answered by ``workers_per_item`` of them."""
        labels = [str(index) for index in range(self.classes)]
        team = self.workers_per_item + 1
        skill = [
            1.0 / self.classes if rng.random() < SPAMMER_SHARE else rng.uniform(*ACCURACY_RANGE)
            for _ in range(team)
        ]
        answers, truth = [], {}
        for item in range(self.items):
            true = rng.randrange(self.classes)
            truth[item] = labels[true]
            for worker in rng.sample(range(team), self.workers_per_item):
                given = true
                if rng.random() >= skill[worker]:
                    given = (true + rng.randrange(1, self.classes)) % self.classes
                answers.append(WorkerAnswer(item, worker, {"label": labels[given]}))
        return answers, truth


def repeats(items: int, budget: int) -> int:
    """How many jobs of ``items`` items make up about ``budget`` items (at least 3)."""
    return max(3, round(budget / items))


def bench_simulated(
    algorithm: ConsensusAlgorithm, budget: int, seed: int = 0
) -> list[dict[str, Any]]:
    """Every size x workers per item x classes, each over ``budget`` items' worth of jobs."""
    rows = []
    for classes in CLASS_COUNTS:
        for workers in WORKERS_PER_ITEM:
            for items in SIZES:
                simulation = Simulation(items, workers, classes)
                rng = random.Random(f"{seed}-{items}-{workers}-{classes}")
                labels = [str(index) for index in range(classes)]
                tally = Tally()
                for _ in range(repeats(items, budget)):
                    answers, truth = simulation.job(rng)
                    tally.seconds += _timed_add(tally, algorithm, answers, labels, truth)
                rows.append(
                    {"items": items, "workers": workers, "classes": classes, **tally.summary()}
                )
    return rows


def _timed_add(
    tally: Tally,
    algorithm: ConsensusAlgorithm,
    answers: Sequence[WorkerAnswer],
    labels: Sequence[str],
    truth: Mapping[Hashable, str],
) -> float:
    started = time.perf_counter()
    result = algorithm.consolidate(answers, labels)
    seconds = time.perf_counter() - started
    tally.add(result, answers, truth)
    return seconds


# -- real crowd sets ----------------------------------------------------------------------


def bench_real(
    algorithm: ConsensusAlgorithm,
    name: str,
    answers: Sequence[WorkerAnswer],
    gold: Mapping[Hashable, str],
    labels: Sequence[str],
    budget: int,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """The crowd set cut into jobs of each size (items with gold, drawn at random, with all
    their answers), then the whole set as one job."""
    by_item: dict[Hashable, list[WorkerAnswer]] = defaultdict(list)
    for answer in answers:
        by_item[answer.item].append(answer)
    golden = sorted((item for item in by_item if item in gold), key=str)
    rows = []
    rng = random.Random(f"{seed}-{name}")
    for items in (*(size for size in SIZES if size < len(golden)), len(golden)):
        tally = Tally()
        for _ in range(repeats(items, budget) if items < len(golden) else 1):
            chosen = rng.sample(golden, items)
            job = [answer for item in chosen for answer in by_item[item]]
            tally.seconds += _timed_add(tally, algorithm, job, labels, gold)
        rows.append({"set": name, "items": items, **tally.summary()})
    return rows


# -- verdicts -----------------------------------------------------------------------------


def ece_goal(items: int) -> float | None:
    """The ECE a job of ``items`` items must stay within (none below 6 items)."""
    if items >= 20:
        return ECE_GOAL
    if items >= SMALL_JOB:
        return ECE_GOAL_SMALL
    return None


def judge(row: Mapping[str, Any]) -> dict[str, bool | None]:
    """PASS/FAIL of one row: ECE within its size's goal; assessed workers' 90th-percentile
    accuracy error within 10 points (None where nothing was judged)."""
    goal = ece_goal(int(row["items"]))
    error = row["worker_error_p90"]
    return {
        "ece": None if goal is None or row["ece"] is None else row["ece"] <= goal,
        "workers": None if error is None else error <= WORKER_ERROR_GOAL,
    }


def _cell(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table_rows(rows: Iterable[Mapping[str, Any]], key: Sequence[str]) -> list[list[str]]:
    """Printable rows: the key columns, then ECE, accuracy, mean confidence, worker errors
    and the verdicts."""
    printed = [
        [
            *key,
            "scored",
            "ECE",
            "accuracy",
            "confidence",
            "assessed",
            "err p50",
            "err p90",
            "verdict",
        ]
    ]
    for row in rows:
        verdict = judge(row)
        failed = [part for part, passed in verdict.items() if passed is False]
        judged = any(passed is not None for passed in verdict.values())
        printed.append(
            [
                *(str(row[column]) for column in key),
                str(row["scored"]),
                _cell(row["ece"]),
                _cell(row["accuracy"]),
                _cell(row["confidence"]),
                str(row["assessed"]),
                _cell(row["worker_error_median"]),
                _cell(row["worker_error_p90"]),
                ("FAIL " + ",".join(failed)) if failed else ("PASS" if judged else "-"),
            ]
        )
    return printed

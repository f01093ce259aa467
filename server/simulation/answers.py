"""How simulated workers answer (see :mod:`quorum.simulation.workforce`): from the truth in a
manifest line, right with probability ``accuracy``, otherwise wrong in a chosen way.

A worker reads the truth from ``Task.input.manifestLine[truth_key]``. With probability
``accuracy`` it answers the truth; otherwise a wrong label, drawn uniformly or from the
worker's confusion matrix (``{true: {answered: probability}}``, each row listing wrong
answers only and summing to 1; a true label without a row gets uniform wrong answers).
The caller passes one :class:`random.Random` per answer, so answers are repeatable.

Each task type is answered by an :class:`AnswerMaker` in :data:`ANSWER_MAKERS`. Single-label
classification (``{"label": ...}``) is the only one so far; another task type (multi-label,
bounding boxes) is one more maker, turning its truth into its answer shape.
"""

from __future__ import annotations

import json
import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from quorum.errors import BadInput

T = TypeVar("T")

#: ``{true label: {answered label: probability}}``
Confusion = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class WorkerBehaviour:
    """How one simulated worker answers: how often right, and which wrong answers."""

    accuracy: float
    confusion: Confusion | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.accuracy <= 1.0:
            raise BadInput(f"accuracy must be within [0, 1], got {self.accuracy}")


class AnswerMaker(ABC):
    """Turns a manifest line's truth into one worker's answer, for some task types."""

    task_types: frozenset[str] = frozenset()

    def check(self, behaviour: WorkerBehaviour, labels: Sequence[str]) -> None:
        """:class:`BadInput` if ``behaviour`` does not fit a job with these labels (by
        default anything fits)."""
        return None

    @abstractmethod
    def answer(
        self, truth: Any, labels: Sequence[str], behaviour: WorkerBehaviour, rng: random.Random
    ) -> tuple[dict[str, Any], bool]:
        """The answer to submit and whether it is right; :class:`BadInput` if ``truth`` is
        unusable (the caller prefixes the message with the item)."""


class SingleLabel(AnswerMaker):
    """Single-label classification: ``{"label": ...}``."""

    task_types = frozenset({"image-classification", "text-classification"})

    def check(self, behaviour: WorkerBehaviour, labels: Sequence[str]) -> None:
        """Every label the confusion matrix names must be one of the job's."""
        named = set(behaviour.confusion or {})
        for row in (behaviour.confusion or {}).values():
            named.update(row)
        unknown = sorted(named - set(labels))
        if unknown:
            verb = "is not one" if len(unknown) == 1 else "are not"
            raise BadInput(
                f"--confusion: {', '.join(map(repr, unknown))} {verb} of the job's labels "
                f"({', '.join(labels)})"
            )

    def answer(
        self, truth: Any, labels: Sequence[str], behaviour: WorkerBehaviour, rng: random.Random
    ) -> tuple[dict[str, Any], bool]:
        """The truth with probability ``accuracy``, else a wrong label."""
        if isinstance(truth, int) and not isinstance(truth, bool):
            truth = str(truth)
        if not isinstance(truth, str) or truth not in labels:
            raise BadInput(f"{truth!r} is not one of the job's labels ({', '.join(labels)})")
        wrong = [label for label in labels if label != truth]
        if rng.random() < behaviour.accuracy or not wrong:
            return {"label": truth}, True
        row = (behaviour.confusion or {}).get(truth)
        if row:
            return {"label": rng.choices(list(row), weights=list(row.values()))[0]}, False
        return {"label": rng.choice(wrong)}, False


ANSWER_MAKERS: dict[str, AnswerMaker] = {
    task_type: maker for maker in (SingleLabel(),) for task_type in maker.task_types
}


def parse_accuracies(text: str) -> list[float]:
    """``"0.8"`` or ``"0.9,0.8,0.6"`` (one per worker) as numbers within [0, 1]."""
    values = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise BadInput(f"--accuracy: {part.strip()!r} is not a number") from None
        if not 0.0 <= value <= 1.0:
            raise BadInput(f"--accuracy: {part.strip()} is outside [0, 1]")
        values.append(value)
    return values


def load_confusions(path: Path) -> list[Confusion | None]:
    """A confusion file: one matrix ``{true: {answered: probability}}`` for every worker, or
    a list with one matrix (or ``null``: uniform) per worker."""
    where = f"--confusion {path}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"{where}: cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise BadInput(f"{where}: not valid JSON ({exc})") from None
    if isinstance(data, dict):
        return [_confusion(data, where)]
    if isinstance(data, list) and data:
        return [
            None if matrix is None else _confusion(matrix, f"{where}, worker {n}")
            for n, matrix in enumerate(data, start=1)
        ]
    raise BadInput(f'{where}: expected {{"true label": {{"answered label": probability}}}}')


def _confusion(data: Any, where: str) -> Confusion:
    if not isinstance(data, dict):
        raise BadInput(f'{where}: expected {{"true label": {{"answered label": probability}}}}')
    matrix: dict[str, dict[str, float]] = {}
    for truth, row in data.items():
        if not isinstance(row, dict) or not row:
            raise BadInput(f"{where}: row {truth!r} must map wrong answers to probabilities")
        for answered, share in row.items():
            if answered == truth:
                raise BadInput(
                    f"{where}: row {truth!r} names {truth!r} itself; the share of right "
                    "answers is the accuracy, so each row lists wrong answers only"
                )
            if not isinstance(share, int | float) or isinstance(share, bool) or share < 0:
                raise BadInput(f"{where}: [{truth!r}][{answered!r}] must be a number >= 0")
        total = sum(row.values())
        if abs(total - 1.0) > 1e-6:
            raise BadInput(f"{where}: row {truth!r} sums to {total:g}, not 1")
        matrix[truth] = {answered: float(share) for answered, share in row.items()}
    return matrix


def broadcast(values: Sequence[T], count: int, flag: str) -> list[T]:
    """One value for every worker, or one value per worker."""
    if len(values) == 1:
        return list(values) * count
    if len(values) != count:
        raise BadInput(f"{flag}: {len(values)} values for {count} workers; give 1 or {count}")
    return list(values)

"""Single-label answers as arrays, and the confidence rules every classification algorithm
here shares.

Algorithms that learn worker quality (``dawid-skene``, ``weighted-majority``) work on
integer arrays, one entry per answer: which item, which worker, which label. They report
confidence the way Ground Truth does: the item's top posterior rounded to 2 decimals, at
most 0.95 (the cap seen in Ground Truth's published classification outputs), and 0 for an
item only one worker answered ("a single worker gives a confidence of 0"). What they learn
of each worker carries from batch to batch of a job in a :class:`WorkerState`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from quorum.consensus import Consolidated, WorkerAnswer, WorkerQuality

#: The highest confidence reported for a consolidated label.
CONFIDENCE_CAP = 0.95

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class EncodedAnswers:
    """Answers as index arrays, with the ids the indexes stand for."""

    items: list[Hashable]
    workers: list[Hashable]
    labels: list[str]
    item_index: IntArray
    worker_index: IntArray
    label_index: IntArray

    @property
    def answer_count(self) -> int:
        """How many answers there are."""
        return int(self.item_index.size)

    def per_item(self) -> sparse.csr_matrix:
        """The items x answers incidence matrix: ``per_item() @ values`` sums per item."""
        return _incidence(self.item_index, len(self.items), self.answer_count)

    def answers_per_item(self) -> IntArray:
        """How many answers each item has."""
        return np.bincount(self.item_index, minlength=len(self.items)).astype(np.int64)

    def shared(self) -> FloatArray:
        """Per answer: 1.0 if another worker answered the same item, else 0.0 (an item one
        worker answered says nothing of how often that worker is right)."""
        return (self.answers_per_item() > 1)[self.item_index].astype(np.float64)

    def votes(self) -> FloatArray:
        """Items x labels: how many workers chose each label."""
        ones = np.ones(self.answer_count)
        counts = sparse.csr_matrix(
            (ones, (self.item_index, self.label_index)), shape=(len(self.items), len(self.labels))
        )
        return np.asarray(counts.toarray(), dtype=np.float64)


def _incidence(rows: IntArray, row_count: int, answer_count: int) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        (np.ones(answer_count), (rows, np.arange(answer_count))), shape=(row_count, answer_count)
    )


def encode(answers: Sequence[WorkerAnswer], labels: Sequence[str]) -> EncodedAnswers:
    """Index ``answers`` by item, worker and label (labels in the job's order; an answer
    naming another label is a programming error: task types validate answers first)."""
    label_ids = {label: index for index, label in enumerate(labels)}
    item_ids: dict[Hashable, int] = {}
    worker_ids: dict[Hashable, int] = {}
    item_index = np.empty(len(answers), dtype=np.int64)
    worker_index = np.empty(len(answers), dtype=np.int64)
    label_index = np.empty(len(answers), dtype=np.int64)
    for position, answer in enumerate(answers):
        item_index[position] = item_ids.setdefault(answer.item, len(item_ids))
        worker_index[position] = worker_ids.setdefault(answer.worker, len(worker_ids))
        label_index[position] = label_ids[str(answer.answer["label"])]
    return EncodedAnswers(
        items=list(item_ids),
        workers=list(worker_ids),
        labels=list(labels),
        item_index=item_index,
        worker_index=worker_index,
        label_index=label_index,
    )


def labels_from_posteriors(
    encoded: EncodedAnswers, posteriors: FloatArray, cap: float = CONFIDENCE_CAP
) -> dict[Hashable, Consolidated]:
    """One label per item: the most probable (ties go to the earlier label in the job's
    list), with Ground Truth's confidence rules (module docstring; at most ``cap``); the
    details hold the whole distribution (``posterior``: label -> probability, 4 decimals).

    An item with a single answer takes that answer, whatever the posterior says: with no
    second opinion, a class prior or a worker's estimated confusion would only overrule the
    one person who looked (with one worker per item, a batch's class prior would otherwise
    turn rare answers into common ones)."""
    chosen = np.argmax(posteriors, axis=1)
    single = encoded.answers_per_item() == 1
    answered = np.zeros(len(encoded.items), dtype=np.int64)
    answered[encoded.item_index] = encoded.label_index
    chosen[single] = answered[single]
    top = np.minimum(np.round(posteriors[np.arange(len(chosen)), chosen], 2), cap)
    top[single] = 0.0
    rounded = np.round(posteriors, 4).tolist()
    return {
        item: Consolidated(
            value=encoded.labels[int(chosen[index])],
            confidence=float(top[index]),
            details={"posterior": dict(zip(encoded.labels, rounded[index], strict=True))},
        )
        for index, item in enumerate(encoded.items)
    }


def worker_agreement(
    encoded: EncodedAnswers, chosen: IntArray, accuracy: FloatArray | None = None
) -> dict[Hashable, WorkerQuality]:
    """Per worker: answers, the share that agree with the consolidated labels ``chosen``
    (one label index per item), and an accuracy estimate if the algorithm has one."""
    agrees = (chosen[encoded.item_index] == encoded.label_index).astype(np.float64)
    given = np.bincount(encoded.worker_index, minlength=len(encoded.workers))
    agreed = np.bincount(encoded.worker_index, weights=agrees, minlength=len(encoded.workers))
    return {
        worker: WorkerQuality(
            answers=int(given[index]),
            agreement=round(float(agreed[index] / given[index]), 4),
            accuracy=None if accuracy is None else round(float(accuracy[index]), 4),
        )
        for index, worker in enumerate(encoded.workers)
    }


@dataclass(frozen=True)
class WorkerState:
    """The shape of an algorithm's ``ConsensusResult.state``: ``{"version", "workers":
    {str(worker id): numbers}}``, with the job's ``labels`` too when the numbers depend on
    them. A state of another version, or made with other labels, is ignored."""

    version: int
    with_labels: bool

    def earlier(self, state: Mapping[str, Any] | None, labels: Sequence[str]) -> Mapping[str, Any]:
        """Worker id -> the numbers ``state`` carries (nothing if it does not fit)."""
        if not state or state.get("version") != self.version:
            return {}
        if self.with_labels and state.get("labels") != list(labels):
            return {}
        workers: Mapping[str, Any] = state.get("workers", {})
        return workers

    def updated(
        self,
        state: Mapping[str, Any] | None,
        labels: Sequence[str],
        numbers: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The next state: every worker ``state`` knew, with ``numbers`` (by worker id)
        replacing theirs."""
        workers = {**self.earlier(state, labels), **numbers}
        if self.with_labels:
            return {"version": self.version, "labels": list(labels), "workers": workers}
        return {"version": self.version, "workers": workers}

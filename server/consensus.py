"""The base class of consensus algorithms and the values they exchange with the core.

The core hands an algorithm every answer of a batch of items at once, so that algorithms
that learn worker quality across items (Dawid-Skene) see the whole batch; an algorithm
that works item by item (majority vote) simply groups them, with :func:`answers_by_item`,
and scores workers by their agreement with :func:`worker_qualities`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from quorum.label_kinds import LabelKind


@dataclass(frozen=True)
class WorkerAnswer:
    """One worker's validated answer for one item."""

    item: Hashable
    worker: Hashable
    answer: Mapping[str, Any]


@dataclass(frozen=True)
class Consolidated:
    """The consolidated label of one item: a kind-specific value and a confidence in 0..1.

    :mod:`quorum.label_kinds` gives the value's shape for each kind (for ``single-label``,
    the category name) and the ``details`` keys the core reads; the runner checks both
    before the task type writes the label.
    """

    value: Any
    confidence: float
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkerQuality:
    """What an algorithm learned about one worker in one batch: how many answers, the share
    that agreed with the consolidated labels, and, where the algorithm estimates them, the
    probability of a right answer, the confusion matrix (``confusion[true][answered]`` in
    the job's label order) and whether the worker looks like a spammer (answers that do not
    depend on the truth)."""

    answers: int
    agreement: float
    accuracy: float | None = None
    confusion: Sequence[Sequence[float]] | None = None
    spammer: bool = False


@dataclass(frozen=True)
class ConsensusResult:
    """Labels per item, quality per worker, and what to start from on the next batch."""

    labels: Mapping[Hashable, Consolidated]
    workers: Mapping[Hashable, WorkerQuality] = field(default_factory=dict)
    #: What the algorithm learned that should carry over to the job's next batch (for
    #: Dawid-Skene, the workers' confusion counts), JSON-serialisable. The core keeps it per
    #: job and hands it back as ``state``; ``None`` keeps nothing.
    state: Mapping[str, Any] | None = None


class ConsensusAlgorithm:
    """Merges several workers' answers into one label per item. Subclass it.

    One instance, made at startup (with no arguments), serves every job, on the runner's
    thread (and ``quorum consolidate``): keep no per-job state on ``self`` (what must carry
    over from one batch to the next goes in :attr:`ConsensusResult.state`), and whatever it
    does keep must be safe to share between threads.

    When :meth:`consolidate` raises, the runner consolidates the batch's items one at a
    time: an item it fails on alone is ``FAILED`` with ``failureReason`` "consensus <name>
    failed on this item: <error>", the rest of the batch is labeled, and items that fail
    only together are all ``FAILED`` with "consensus <name> failed: <error>"
    (``retryItems`` puts them back). A label of the wrong shape for the task type's kind
    (:func:`quorum.label_kinds.check_consolidated`) fails its item with a message naming
    the algorithm, its plugin and the field. When deciding the labels again for
    auto-labeling, a failure is logged and the stored labels serve. ``quorum consolidate``
    stops with the exception (a wrong-shaped label: one error line naming the item).
    """

    #: Unique, lowercase, as used in ``createJob(input: {consensus})``.
    name: ClassVar[str]
    #: One line for people choosing an algorithm.
    description: ClassVar[str] = ""
    #: The task types' label kinds this algorithm understands.
    label_kinds: ClassVar[tuple[LabelKind, ...]] = ()

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Consolidate ``answers`` (all answers of a batch of items) over the job's
        ``labels``; return one :class:`Consolidated` per item that has answers.

        ``state`` is the :attr:`ConsensusResult.state` this algorithm returned for the
        job's previous batch (``None`` for the first batch and for ``quorum consolidate``).
        Worker ids in it are strings (it went through JSON)."""
        raise NotImplementedError(f"{type(self).__name__}.consolidate")


def answers_by_item(answers: Iterable[WorkerAnswer]) -> dict[Hashable, list[WorkerAnswer]]:
    """The answers of each item, in the order given: for an algorithm that works item by
    item."""
    grouped: dict[Hashable, list[WorkerAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.item].append(answer)
    return dict(grouped)


def worker_qualities(scores: Iterable[tuple[Hashable, float]]) -> dict[Hashable, WorkerQuality]:
    """One :class:`WorkerQuality` per worker from ``(worker, agreement)`` pairs, one pair
    per answer: ``answers`` counts the pairs and ``agreement`` is their mean."""
    collected: dict[Hashable, list[float]] = defaultdict(list)
    for worker, score in scores:
        collected[worker].append(score)
    return {
        worker: WorkerQuality(answers=len(values), agreement=sum(values) / len(values))
        for worker, values in collected.items()
    }

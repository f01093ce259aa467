"""Built-in consensus ``majority-vote`` for single-label answers.

The label is the category most workers chose. Confidence is the share of workers who chose
it, divided by the number of categories tied for the most votes: a tie is reported as such,
and is broken deterministically by the order of the job's labels (the first listed wins),
so that the same answers always give the same output. One worker gives confidence 0, as in
Ground Truth ("a single worker gives a confidence of 0").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from quorum import hookimpl
from quorum.consensus import (
    ConsensusAlgorithm,
    ConsensusResult,
    Consolidated,
    WorkerAnswer,
    WorkerQuality,
)
from quorum.label_kinds import LabelKind


class MajorityVote(ConsensusAlgorithm):
    """Most votes win; ties go to the first label in the job's list, at lower confidence."""

    name = "majority-vote"
    description = "The category most workers chose; ties broken by label order."
    label_kinds = (LabelKind.SINGLE_LABEL,)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Vote per item, then score each worker by agreement with the winners (``state``
        is not used: a vote needs nothing from earlier batches)."""
        order = {label: index for index, label in enumerate(labels)}
        votes: dict[Hashable, Counter[str]] = defaultdict(Counter)
        for answer in answers:
            votes[answer.item][str(answer.answer["label"])] += 1
        results: dict[Hashable, Consolidated] = {}
        for item, counter in votes.items():
            top = max(counter.values())
            tied = sorted(
                (label for label, count in counter.items() if count == top),
                key=lambda label: order.get(label, len(order)),
            )
            total = sum(counter.values())
            confidence = 0.0 if total == 1 else round(top / total / len(tied), 2)
            results[item] = Consolidated(
                value=tied[0], confidence=confidence, details={"votes": dict(counter)}
            )
        agreed: Counter[Hashable] = Counter()
        given: Counter[Hashable] = Counter()
        for answer in answers:
            given[answer.worker] += 1
            if answer.answer["label"] == results[answer.item].value:
                agreed[answer.worker] += 1
        workers = {
            worker: WorkerQuality(answers=count, agreement=agreed[worker] / count)
            for worker, count in given.items()
        }
        return ConsensusResult(labels=results, workers=workers)


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``majority-vote``."""
    return [MajorityVote]

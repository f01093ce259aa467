"""Built-in consensus ``multi-label-vote`` for multi-label answers (``{"labels": [...]}``).

As in Ground Truth, the consolidated label holds every category chosen by at least one
worker, listed in the job's label order, and each category gets its own confidence: the
share of the item's workers who chose it, rounded to 2 decimals (the ``confidence-map``
detail, keyed by category name). The item's confidence is the mean of those, rounded to 2
decimals; an item on which no worker chose anything has confidence 0, like an empty image
for boxes. One worker gives confidence 0 for every category ("a single worker gives a
confidence of 0").

Ground Truth does not say how to score workers here. Since every choice is in the union,
agreeing with the label itself means nothing; instead, for each consolidated category a
worker scores the share of the item's workers (the worker included) who made the same
decision (chose it, or did not), and the worker's agreement on the item is the mean over
those categories (1 when there are none). A worker who ticks categories nobody else sees
scores low on them, and so does a worker who misses what everyone else chose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from quorum import hookimpl
from quorum.consensus import (
    ConsensusAlgorithm,
    ConsensusResult,
    Consolidated,
    WorkerAnswer,
    answers_by_item,
    worker_qualities,
)
from quorum.label_kinds import LabelKind
from quorum_plugins.consensus._geometry import mean_confidence


class MultiLabelVote(ConsensusAlgorithm):
    """The union of the workers' categories, each with the share of workers who chose it."""

    name = "multi-label-vote"
    description = "Every category any worker chose, each scored by the share who chose it."
    label_kinds = (LabelKind.MULTI_LABEL,)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Vote per item and score workers by how many shared each of their decisions
        (``state`` is not used: a vote needs nothing from earlier batches)."""
        results: dict[Hashable, Consolidated] = {}
        scores: list[tuple[Hashable, float]] = []
        for item, given in answers_by_item(answers).items():
            choices = [set(answer.answer["labels"]) for answer in given]
            shares = _shares(choices, labels)
            results[item] = _consolidated(shares, single=len(given) == 1)
            scores.extend(
                (answer.worker, _agreement(chosen, shares))
                for answer, chosen in zip(given, choices, strict=True)
            )
        return ConsensusResult(labels=results, workers=worker_qualities(scores))


def _shares(choices: Sequence[set[str]], labels: Sequence[str]) -> dict[str, float]:
    """The share of answers that chose each category chosen at least once, in label order."""
    counts = Counter(label for chosen in choices for label in chosen)
    return {label: counts[label] / len(choices) for label in labels if counts[label]}


def _consolidated(shares: Mapping[str, float], *, single: bool) -> Consolidated:
    """The union of the choices with its ``confidence-map`` and mean confidence."""
    confidence_map = {label: 0.0 if single else round(share, 2) for label, share in shares.items()}
    return Consolidated(
        value=list(shares),
        confidence=mean_confidence(list(confidence_map.values())),
        details={"confidence-map": confidence_map},
    )


def _agreement(chosen: set[str], shares: Mapping[str, float]) -> float:
    """The mean share of workers who decided as this worker did on each chosen category."""
    if not shares:
        return 1.0
    same = [share if label in chosen else 1 - share for label, share in shares.items()]
    return sum(same) / len(same)


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``multi-label-vote``."""
    return [MultiLabelVote]

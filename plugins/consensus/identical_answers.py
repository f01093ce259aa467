"""Built-in consensus ``identical-answers`` for custom tasks (label kind ``custom``).

A custom template's answer can be anything, so the only agreement that means something
without knowing the task is an identical answer. The label is the answer most workers gave
word for word (compared as canonical JSON: key order does not matter); a tie goes to the
answer given first. Confidence is the share of workers who gave it, divided by the number
of answers tied for the most (as ``majority-vote``), and 0 for a single worker, as Ground
Truth reports. A job that needs a smarter merge (averaging numbers, joining free text)
implements ``quorum_post_annotation``, as a Ground Truth custom job brings its
post-annotation Lambda.
"""

from __future__ import annotations

import json
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


def canonical(answer: Mapping[str, Any]) -> str:
    """The answer as canonical JSON: equal answers give equal text whatever the key order."""
    return json.dumps(answer, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class IdenticalAnswers(ConsensusAlgorithm):
    """The answer most workers gave word for word; ties go to the first given."""

    name = "identical-answers"
    description = "The answer most workers gave exactly (custom tasks); ties: the first given."
    label_kinds = (LabelKind.CUSTOM,)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Count identical answers per item; score workers by agreement with the winner."""
        votes: dict[Hashable, Counter[str]] = defaultdict(Counter)
        first: dict[Hashable, dict[str, Mapping[str, Any]]] = defaultdict(dict)
        for answer in answers:
            key = canonical(answer.answer)
            votes[answer.item][key] += 1
            first[answer.item].setdefault(key, answer.answer)
        results: dict[Hashable, Consolidated] = {}
        for item, counter in votes.items():
            top = max(counter.values())
            tied = [key for key, count in counter.items() if count == top]  # in first-given order
            total = sum(counter.values())
            results[item] = Consolidated(
                value=dict(first[item][tied[0]]),
                confidence=0.0 if total == 1 else round(top / total / len(tied), 2),
                details={"distinct answers": len(counter)},
            )
        agreed: Counter[Hashable] = Counter()
        given: Counter[Hashable] = Counter()
        for answer in answers:
            given[answer.worker] += 1
            agreed[answer.worker] += canonical(answer.answer) == canonical(
                results[answer.item].value
            )
        return ConsensusResult(
            labels=results,
            workers={
                worker: WorkerQuality(answers=count, agreement=agreed[worker] / count)
                for worker, count in given.items()
            },
        )


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``identical-answers``."""
    return [IdenticalAnswers]

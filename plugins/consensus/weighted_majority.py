"""Built-in consensus ``weighted-majority``: votes weighted by each worker's accuracy.

Each worker has one number, the chance that they answer right (a "one-coin" model). Their
vote counts ``log((K-1)·a/(1-a))``, the weight that makes the weighted vote the most
probable label when workers err uniformly (Nitzan and Paroush; Li and Yu, 2014); a worker
at or below chance (``a <= 1/K``) gets no weight at all, so a spammer cannot sway a label.

Accuracy is estimated from agreement with the other workers' weighted vote on the same
items (leaving the worker's own vote out, so a tie cannot confirm its own winner), shrunk
toward 0.7 with 5 pseudo-answers so that a newcomer neither rules nor vanishes, and
refined over a few rounds (votes, then accuracies, then votes again). The confidence is
the posterior the weights imply, ``softmax(score)``, with the same rules as Ground Truth's
(rounded to 2, at most 0.95, 0 for a single answer). Agreement counts carry from batch to
batch of a job in the algorithm's state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from quorum import hookimpl
from quorum.consensus import ConsensusAlgorithm, ConsensusResult, WorkerAnswer
from quorum.label_kinds import LabelKind
from quorum_plugins.consensus._classification_answers import (
    EncodedAnswers,
    FloatArray,
    WorkerState,
    encode,
    labels_from_posteriors,
    worker_agreement,
)

_STATE = WorkerState(version=1, with_labels=False)


class WeightedMajority(ConsensusAlgorithm):
    """Votes weighted by log-odds of each worker's estimated accuracy (module docstring)."""

    name = "weighted-majority"
    description = "Votes weighted by each worker's estimated accuracy; spammers get no weight."
    label_kinds = (LabelKind.SINGLE_LABEL,)

    #: Accuracy a worker is assumed to have before their answers say otherwise ...
    prior_accuracy = 0.7
    #: ... worth this many answers.
    pseudo_answers = 5.0
    #: Rounds of re-estimating accuracies from the weighted labels.
    rounds = 3

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Weigh every vote by its worker's accuracy; learn accuracies from agreement."""
        if not answers:
            return ConsensusResult(labels={}, state=state)
        encoded = encode(answers, labels)
        earlier_agreed, earlier_answers = _history(state, encoded)
        accuracy = self._accuracy(earlier_agreed, earlier_answers)
        agreed, judged = np.zeros(len(encoded.workers)), np.zeros(len(encoded.workers))
        for _ in range(self.rounds):
            agreed, judged = _agreement_with_the_others(encoded, _weights(encoded, accuracy))
            accuracy = self._accuracy(earlier_agreed + agreed, earlier_answers + judged)
        posteriors = _posteriors(encoded, _weights(encoded, accuracy))
        chosen = np.argmax(posteriors, axis=1)
        return ConsensusResult(
            labels=labels_from_posteriors(encoded, posteriors),
            workers=worker_agreement(encoded, chosen, accuracy),
            state=_new_state(state, encoded, earlier_agreed + agreed, earlier_answers + judged),
        )

    def _accuracy(self, agreed: FloatArray, answered: FloatArray) -> FloatArray:
        return np.asarray(
            (agreed + self.pseudo_answers * self.prior_accuracy) / (answered + self.pseudo_answers),
            dtype=np.float64,
        )


def _weights(encoded: EncodedAnswers, accuracy: FloatArray) -> FloatArray:
    """Per worker: the log-odds weight of their vote, 0 at or below chance."""
    k = len(encoded.labels)
    clipped = np.clip(accuracy, 1e-6, 1 - 1e-6)
    return np.asarray(np.maximum(np.log(max(k - 1, 1) * clipped / (1 - clipped)), 0.0))


def _scores(encoded: EncodedAnswers, weights: FloatArray) -> FloatArray:
    """Items x labels: the weighted votes."""
    scores = np.zeros((len(encoded.items), len(encoded.labels)))
    np.add.at(scores, (encoded.item_index, encoded.label_index), weights[encoded.worker_index])
    return scores


def _posteriors(encoded: EncodedAnswers, weights: FloatArray) -> FloatArray:
    """Items x labels: softmax of the weighted votes."""
    scores = _scores(encoded, weights)
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)


def _agreement_with_the_others(
    encoded: EncodedAnswers, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Per worker: how many answers agreed with the other workers' weighted vote on the same
    item, out of how many could be judged (an item with other, weighted votes that do not
    tie). Leaving the worker's own vote out keeps a tie from confirming its own winner."""
    own = np.zeros((encoded.answer_count, len(encoded.labels)))
    own[np.arange(encoded.answer_count), encoded.label_index] = weights[encoded.worker_index]
    others = _scores(encoded, weights)[encoded.item_index] - own
    top = others.max(axis=1)
    decided = (top > 0) & ((others == top[:, None]).sum(axis=1) == 1)
    agrees = decided & (np.argmax(others, axis=1) == encoded.label_index)
    count = len(encoded.workers)

    def per_worker(flags: npt.NDArray[np.bool_]) -> FloatArray:
        sums = np.bincount(encoded.worker_index, weights=flags.astype(np.float64), minlength=count)
        return np.asarray(sums, dtype=np.float64)

    return per_worker(agrees), per_worker(decided)


def _history(
    state: Mapping[str, Any] | None, encoded: EncodedAnswers
) -> tuple[FloatArray, FloatArray]:
    """Per worker of this batch: answers that agreed, and answers, in earlier batches."""
    agreed = np.zeros(len(encoded.workers))
    answered = np.zeros(len(encoded.workers))
    known = _STATE.earlier(state, encoded.labels)
    for index, worker in enumerate(encoded.workers):
        counts = known.get(str(worker))
        if isinstance(counts, list) and len(counts) == 2:
            agreed[index], answered[index] = float(counts[0]), float(counts[1])
    return agreed, answered


def _new_state(
    state: Mapping[str, Any] | None,
    encoded: EncodedAnswers,
    agreed: FloatArray,
    answered: FloatArray,
) -> dict[str, Any]:
    numbers = {
        str(worker): [round(float(agreed[index]), 4), float(answered[index])]
        for index, worker in enumerate(encoded.workers)
    }
    return _STATE.updated(state, encoded.labels, numbers)


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``weighted-majority``."""
    return [WeightedMajority]

"""The one-coin model of a small job's answers, sampled rather than fitted.

With few answers a worker's K x K confusion matrix cannot be estimated (a 10-class job of
6 items gives each row of it less than one answer), and a point estimate of even their
one accuracy is too sure of itself: Dawid-Skene's EM then reports confidences that are far
from the chance of being right (see ``benchmarks/calibration.py``). Here every worker has
one accuracy ``a`` (wrong answers spread evenly over the other labels), with a Beta prior
of mean :attr:`OneCoinPrior.accuracy` (Ground Truth starts every worker at 0.7) worth
:attr:`OneCoinPrior.answers` answers, and the item labels and accuracies are sampled
together (collapsed Gibbs: accuracies integrated out, labels drawn item by item from the
others). An item's posterior is the average over the samples of its label distribution,
so it carries the uncertainty about the workers instead of ignoring it.

Items are drawn in random tenths per sweep (updating every item at once against the same
counts would make the chain too sure, since items sharing a worker move together); the
random generator is seeded from the answers, so the same answers give the same labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp

from quorum_plugins.consensus._classification_answers import EncodedAnswers, FloatArray, IntArray


@dataclass(frozen=True)
class OneCoinPrior:
    """The Beta prior on every worker's accuracy, and how long the sampler runs."""

    accuracy: float = 0.7
    answers: float = 8.0
    sweeps: int = 300
    burn_in: int = 60
    share_per_sweep: float = 0.1
    class_pseudo_items: float = 1.0


@dataclass(frozen=True)
class OneCoinFit:
    """Item posteriors (items x K) and each worker's posterior mean accuracy."""

    posteriors: FloatArray
    accuracy: FloatArray


def sample_one_coin(
    encoded: EncodedAnswers,
    earlier_right: FloatArray,
    earlier_total: FloatArray,
    prior: OneCoinPrior,
    start: IntArray,
) -> OneCoinFit:
    """Sample labels and accuracies from ``start`` (one label index per item); what
    earlier batches learned of a worker (soft counts of right answers and of all answers,
    one number each per worker) enters as answers of known rightness. Items only one
    worker answered count for no worker's accuracy."""
    k = len(encoded.labels)
    item, worker, label = encoded.item_index, encoded.worker_index, encoded.label_index
    shared = encoded.shared()
    per_item = encoded.per_item()
    workers = len(encoded.workers)
    given = np.bincount(worker, weights=shared, minlength=workers) + earlier_total
    alpha = prior.accuracy * prior.answers
    beta = (1.0 - prior.accuracy) * prior.answers
    chosen_label = np.eye(k, dtype=bool)[label]
    rng = np.random.default_rng(_seed(encoded))
    truth = start.copy()
    total = np.zeros((len(encoded.items), k))
    accuracy_sum = np.zeros(workers)
    for sweep in range(prior.sweeps):
        right = (label == truth[item]) * shared
        correct = np.bincount(worker, weights=right, minlength=workers) + earlier_right
        # Each answer's accuracy without its own item (the item is being redrawn).
        others = (correct[worker] - right + alpha) / (given[worker] - shared + alpha + beta)
        terms = np.where(
            chosen_label,
            np.log(others)[:, None],
            np.log((1.0 - others) / max(k - 1, 1))[:, None],
        )
        classes = np.bincount(truth, minlength=k)[None, :] - np.eye(k)[truth]
        joint = np.asarray(per_item @ terms) + np.log(classes + prior.class_pseudo_items)
        probabilities = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
        if sweep >= prior.burn_in:
            total += probabilities
            accuracy_sum += (correct + alpha) / (given + alpha + beta)
        drawn = (probabilities.cumsum(axis=1) < rng.random((len(truth), 1))).sum(axis=1)
        moving = rng.random(len(truth)) < prior.share_per_sweep
        truth = np.where(moving, np.minimum(drawn, k - 1), truth)
    kept = prior.sweeps - prior.burn_in
    posteriors = total / kept
    return OneCoinFit(posteriors, accuracy_sum / kept)


def soft_counts(encoded: EncodedAnswers, posteriors: FloatArray, history: FloatArray) -> FloatArray:
    """Soft counts ``N_j[true, answered]`` of the shared answers, plus ``history``
    (workers x K x K)."""
    counts = history.copy()
    weighted = posteriors[encoded.item_index] * encoded.shared()[:, None]
    index: Any = (encoded.worker_index, slice(None), encoded.label_index)
    np.add.at(counts, index, weighted)
    return counts


def _seed(encoded: EncodedAnswers) -> int:
    """A seed that depends only on the answers (so a rerun gives the same result)."""
    mix = np.stack([encoded.item_index, encoded.worker_index, encoded.label_index])
    weights = np.array([[7919], [104729], [1299709]])
    return int(np.bitwise_xor.reduce((mix * weights).ravel())) & 0x7FFFFFFF

"""Built-in consensus ``dawid-skene`` (the default for classification) and
``dawid-skene-gt`` (Ground Truth's exact variant).

Both follow the algorithm AWS published for Ground Truth's classification consolidation
(``MulticlassDawidSkeneEM``, described in GROUNDTRUTH.md 3.1; no code was copied), in numpy
and sparse matrices so that a million answers take seconds:

- every worker has a KxK confusion matrix ``C[true, answered]``, started at 0.7 on the
  diagonal and 0.3/(K-1) off it; item posteriors start uniform;
- E-step: the class prior is the mean of the item posteriors, and
  ``p_i(k) ∝ prior(k) · Π_j C_j[k, l_ij]``;
- M-step: soft counts ``N_j[k, l] = Σ_i p_i(k)·[l_ij = l]``, smoothed, rows normalised;
- at most 20 epochs, or until the log-likelihood changes by less than 1e-8 (relative);
- the label is the most probable class (ties: the earlier label in the job's list);
  confidence is its posterior rounded to 2 decimals, at most 0.95 in ``dawid-skene-gt``
  (0.99 in ``dawid-skene``, below), and 0 for an item one worker answered (as Ground Truth
  reports).

They differ in the smoothing. Ground Truth's adds ``n_j·M(acc_j) + (n_j/2)·M(mean acc)``
to the counts (``M(a)``: ``a`` on the diagonal, the rest of each row spread evenly;
``acc_j = trace(N_j)/n_j``): 2.5 times the worker's own evidence, so every worker is pulled
hard toward a one-coin model. On the real crowd sets in ``benchmarks/consensus`` that costs
up to 5 points of accuracy against plain Dawid-Skene (zhou-web: 0.78 against 0.85), and a
worker whose one answer was wrong gets ``acc_j = 0`` and becomes a veto against their own
later answers. ``dawid-skene`` therefore keeps everything above but smooths with a weak
Dirichlet prior instead: 1.5 pseudo-answers on each diagonal cell and 1 on every other
(a worker is a little more likely right than wrong), so a newcomer's matrix starts almost
flat and follows their answers as they come. The prior was chosen on the six real crowd
sets of ``benchmarks/consensus``: plain Laplace (1 everywhere) was one item short of
crowd-kit's best on snow2008-temp, and diagonals of 2 or more lose up to 5 points on
zhou-web; 1.5/1 matches or beats crowd-kit's best method on every set.
``dawid-skene`` also gives the class prior one pseudo-item per class: with Ground Truth's
plain mean, a first batch of two items that both look like "cat" makes the prior all
"cat", and EM then reports a 1:1 tie at 0.95. ``dawid-skene-gt`` keeps Ground Truth's
smoothing and prior exactly, for people who need its numbers (tiny batches included).

``dawid-skene`` also knows when a job is too small for confusion matrices: until the
typical answer comes from a worker with 10 answers per free cell of their matrix
(K(K-1): 20 for 2 labels, 900 for 10), it labels with the sampled one-coin model of
``quorum_plugins.consensus._one_coin`` (one accuracy per worker, Beta prior at Ground Truth's 0.7
worth 8 answers, uncertainty kept). With a flat prior a 6-item, 10-label job read 15-25 %
confidence for two agreeing workers; ``benchmarks/calibration.py`` measures how close
confidences now are to the chance of being right. Its confidences go up to 0.99 (Ground
Truth's outputs stop at 0.95, which understated five agreeing workers); every reported
worker accuracy is the soft share of right answers with that same prior.

**Above 50 labels** (``max_matrix_labels``) both algorithms use that one-coin model for
good, and no K x K array is built anywhere: a matrix per worker is a million numbers at
1,000 labels (a job may have that many, ``quorum.limits``), and the 10 answers per free
cell it needs would be ten million answers per worker. Memory and time then grow with the
answers and the items x labels posteriors, not with K² per worker: at 1,000 labels, 30
workers and 2,000 items of 3 answers, one batch peaked at 3.3 GB and stored 151 MB of
state; it now peaks at 0.3 GB in about the same time, and the state holds the label list
and two soft counts per worker (right answers, answers: 13 kB in all;
``benchmarks/many_labels.py``). The worker quality's ``confusion`` is ``None`` there; the
spam flag reads the informativeness of the worker's one-coin matrix,
``|a - (1 - a)/(K - 1)|``. Jobs of 50 labels or fewer are consolidated exactly as before.

Where Ground Truth leaves things open, both decide the same way:

- **No label switching.** EM can converge to a permuted solution (class "cat" learned as
  "dog" and workers as always wrong). The 0.7 start guards against it; if the workers'
  mean accuracy still ends at or below chance, the fit is redone from majority-vote
  posteriors and the better-than-chance fit is kept.
- **Spammers are reported.** A worker whose matrix rows barely differ answers the same way
  whatever the truth is. Their informativeness (the mean total-variation distance between
  rows: 0 for a spammer, 1 for a perfect worker) below 0.2 after 10 answers flags them as a
  spammer in the worker quality. EM already gives such a worker almost no weight.
- **Batches share what was learned.** The runner consolidates a job in batches. These
  algorithms return every worker's soft counts as their ``state``, and the next batch adds
  them to its own counts, so a worker's matrix reflects the whole job so far (Ground Truth
  persists worker parameters per job too).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import logsumexp

from quorum import hookimpl
from quorum.consensus import ConsensusAlgorithm, ConsensusResult, WorkerAnswer, WorkerQuality
from quorum.label_kinds import LabelKind
from quorum_plugins.consensus._classification_answers import (
    CONFIDENCE_CAP,
    EncodedAnswers,
    FloatArray,
    WorkerState,
    encode,
    labels_from_posteriors,
    worker_agreement,
)
from quorum_plugins.consensus._one_coin import OneCoinPrior, sample_one_coin, soft_counts

_STATE = WorkerState(version=1, with_labels=True)
#: Above :attr:`DawidSkene.max_matrix_labels`: per worker ``[right, answers]``, soft counts.
_ONE_COIN_STATE = WorkerState(version=2, with_labels=True)


@dataclass(frozen=True)
class Fit:
    """One EM run: item posteriors, smoothed confusion matrices, the counts behind them."""

    posteriors: FloatArray  # items x K
    confusion: FloatArray  # workers x K x K, rows normalised
    counts: FloatArray  # workers x K x K, this batch's soft counts plus the history
    prior: FloatArray  # K
    epochs: int

    def worker_accuracy(self) -> FloatArray:
        """Per worker: the probability of answering right, under the class prior."""
        diagonals = np.diagonal(self.confusion, axis1=1, axis2=2)
        return np.asarray(diagonals @ self.prior, dtype=np.float64)

    def mean_accuracy(self) -> float:
        """The workers' accuracy, weighted by how many answers each gave (counted on items
        with more than one answer; unweighted when there are none)."""
        weights = self.counts.sum(axis=(1, 2))
        if not weights.any():
            return float(self.worker_accuracy().mean())
        return float(np.average(self.worker_accuracy(), weights=weights))


class DawidSkene(ConsensusAlgorithm):
    """Dawid-Skene EM in Ground Truth's form, smoothed with one pseudo-answer per cell
    (module docstring)."""

    name = "dawid-skene"
    description = (
        "Dawid-Skene EM in Ground Truth's form: learns a confusion matrix per worker and "
        "weighs each answer by it (the default for classification)."
    )
    label_kinds = (LabelKind.SINGLE_LABEL,)

    #: The starting diagonal of every confusion matrix.
    initial_accuracy = 0.7
    max_epochs = 20
    #: Stop when the log-likelihood changes by less than this fraction.
    tolerance = 1e-8
    #: Pseudo-answers added to the diagonal (right) and other (wrong) cells of every
    #: worker's counts: the Dirichlet prior of a confusion matrix row.
    right_pseudo_answers = 1.5
    wrong_pseudo_answers = 1.0
    #: Weight of Ground Truth's smoothing toward the worker's and the pool's accuracy.
    ground_truth_smoothing = 0.0
    #: Pseudo-items per class in the class prior (keeps a small batch from deciding that
    #: one class is all there is).
    prior_pseudo_items = 1.0
    #: Informativeness below which a worker with enough answers is flagged a spammer.
    spammer_informativeness = 0.2
    spammer_min_answers = 10
    #: Confusion matrices are learned once the typical answer (the answer-weighted median)
    #: comes from a worker with this many answers per free cell of their matrix, K(K-1);
    #: until then the one-coin model of ``quorum_plugins.consensus._one_coin`` labels (``None``:
    #: always confusion matrices).
    full_matrix_answers_per_cell: float | None = 10.0
    #: Above this many labels no confusion matrix is built, learned or kept: the one-coin
    #: model labels, the state holds two numbers per worker and ``confusion`` is ``None``
    #: (module docstring; ``None``: no such limit).
    max_matrix_labels: int | None = 50
    #: The one-coin model's prior, also the prior of every reported worker accuracy.
    one_coin = OneCoinPrior()
    #: The highest confidence reported.
    confidence_cap = 0.99

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Label every item by its posterior: from the workers' confusion matrices fitted
        over this batch and what ``state`` carries from earlier batches, or, while there
        are too few answers for them, from the sampled one-coin model."""
        if not answers:
            return ConsensusResult(labels={}, state=state)
        encoded = encode(answers, labels)
        if self.max_matrix_labels is not None and len(labels) > self.max_matrix_labels:
            return self._consolidate_many_labels(encoded, state)
        history = _history(state, encoded)
        if self._too_few_answers(encoded, history):
            return self._consolidate_one_coin(encoded, history, state)
        fit = self.fit(encoded, history, from_majority=False)
        if fit.mean_accuracy() <= 1.0 / len(labels) and len(labels) > 1:
            again = self.fit(encoded, history, from_majority=True)
            fit = max(fit, again, key=Fit.mean_accuracy)
        accuracy = self._accuracy_from_counts(fit.counts)
        return ConsensusResult(
            labels=labels_from_posteriors(encoded, fit.posteriors, self.confidence_cap),
            workers=self._quality(
                encoded,
                fit.posteriors,
                accuracy,
                fit.counts.sum(axis=(1, 2)),
                _informativeness(fit.confusion),
                fit.confusion,
            ),
            state=_new_state(state, encoded, fit.counts),
        )

    def _too_few_answers(self, encoded: EncodedAnswers, history: FloatArray) -> bool:
        """Whether the typical answer's worker has too few answers for a confusion
        matrix (counting earlier batches; items one worker answered do not count, as in
        :meth:`fit`)."""
        if self.full_matrix_answers_per_cell is None:
            return False
        per_worker = np.bincount(
            encoded.worker_index, weights=encoded.shared(), minlength=len(encoded.workers)
        ) + history.sum(axis=(1, 2))
        typical = float(np.median(per_worker[encoded.worker_index]))
        k = len(encoded.labels)
        return typical < self.full_matrix_answers_per_cell * k * (k - 1)

    def _consolidate_one_coin(
        self, encoded: EncodedAnswers, history: FloatArray, state: Mapping[str, Any] | None
    ) -> ConsensusResult:
        """Labels, confidences and accuracies from the sampled one-coin model, started
        from the majority vote."""
        start = np.argmax(encoded.votes(), axis=1)
        right = np.trace(history, axis1=1, axis2=2)
        fit = sample_one_coin(encoded, right, history.sum(axis=(1, 2)), self.one_coin, start)
        counts = soft_counts(encoded, fit.posteriors, history)
        confusion = _accuracy_matrices(fit.accuracy, len(encoded.labels))
        return ConsensusResult(
            labels=labels_from_posteriors(encoded, fit.posteriors, self.confidence_cap),
            workers=self._quality(
                encoded,
                fit.posteriors,
                fit.accuracy,
                counts.sum(axis=(1, 2)),
                _informativeness(confusion),
                confusion,
            ),
            state=_new_state(state, encoded, counts),
        )

    def _consolidate_many_labels(
        self, encoded: EncodedAnswers, state: Mapping[str, Any] | None
    ) -> ConsensusResult:
        """The one-coin model without a K x K array anywhere: what a worker's answers
        teach is their soft count of right answers and of answers, and their spam flag
        comes from the informativeness of their one-coin matrix, in closed form."""
        known = _ONE_COIN_STATE.earlier(state, encoded.labels)
        earlier = np.zeros((len(encoded.workers), 2))
        for index, worker in enumerate(encoded.workers):
            numbers = known.get(str(worker))
            if numbers is not None and np.shape(numbers) == (2,):
                earlier[index] = np.asarray(numbers, dtype=np.float64)
        start = np.argmax(encoded.votes(), axis=1)
        fit = sample_one_coin(encoded, earlier[:, 0], earlier[:, 1], self.one_coin, start)
        shared = encoded.shared()
        chosen = fit.posteriors[encoded.item_index, encoded.label_index]
        workers = len(encoded.workers)
        right = np.bincount(encoded.worker_index, weights=chosen * shared, minlength=workers)
        answered = np.bincount(encoded.worker_index, weights=shared, minlength=workers)
        counts = np.round(earlier + np.stack([right, answered], axis=1), 4).tolist()
        numbers = {str(worker): counts[index] for index, worker in enumerate(encoded.workers)}
        k = len(encoded.labels)
        # The rows of a one-coin matrix differ in two cells each: a against (1 - a)/(K - 1).
        informativeness = np.abs(fit.accuracy - (1.0 - fit.accuracy) / (k - 1))
        return ConsensusResult(
            labels=labels_from_posteriors(encoded, fit.posteriors, self.confidence_cap),
            workers=self._quality(
                encoded,
                fit.posteriors,
                fit.accuracy,
                earlier[:, 1] + answered,
                informativeness,
                None,
            ),
            state=_ONE_COIN_STATE.updated(state, encoded.labels, numbers),
        )

    def _accuracy_from_counts(self, counts: FloatArray) -> FloatArray:
        """Each worker's chance of a right answer: their soft share of right answers,
        with the one-coin prior (a worker with few answers reads near 0.7, not near
        chance as the diagonal of a barely filled confusion matrix would)."""
        alpha = self.one_coin.accuracy * self.one_coin.answers
        right = np.trace(counts, axis1=1, axis2=2)
        return np.asarray((right + alpha) / (counts.sum(axis=(1, 2)) + self.one_coin.answers))

    def fit(self, encoded: EncodedAnswers, history: FloatArray, *, from_majority: bool) -> Fit:
        """Run EM from the 0.7 start (or from majority-vote posteriors) to convergence."""
        k = len(encoded.labels)
        per_item = encoded.per_item()
        # An item only one worker answered says nothing of that worker that their own
        # answer did not put into its posterior: counting it would let the estimate feed
        # on itself (with one worker per item, it drifts to a flat matrix over batches).
        per_cell = sparse.csr_matrix(
            (
                encoded.shared(),
                (
                    encoded.worker_index * k + encoded.label_index,
                    np.arange(encoded.answer_count),
                ),
            ),
            shape=(len(encoded.workers) * k, encoded.answer_count),
        )

        def m_step(posteriors: FloatArray) -> tuple[FloatArray, FloatArray]:
            cells = np.asarray(per_cell @ posteriors[encoded.item_index])  # (worker, l) x k
            counts = cells.reshape(len(encoded.workers), k, k).transpose(0, 2, 1) + history
            return counts, self._smooth(counts)

        prior = np.full(k, 1.0 / k)
        if from_majority:
            votes = encoded.votes()
            posteriors = votes / votes.sum(axis=1, keepdims=True)
            prior = posteriors.mean(axis=0)
            counts, confusion = m_step(posteriors)
        else:
            counts = history
            confusion = self._start(history, k)
        previous: float | None = None
        epochs = 0
        while epochs < self.max_epochs:
            epochs += 1
            log_terms = np.log(confusion)[encoded.worker_index, :, encoded.label_index]
            with np.errstate(divide="ignore"):  # a class no item holds: log 0 = -inf
                log_prior = np.log(prior)
            log_joint = np.asarray(per_item @ log_terms) + log_prior
            norms = logsumexp(log_joint, axis=1, keepdims=True)
            posteriors = np.exp(log_joint - norms)
            prior = (posteriors.sum(axis=0) + self.prior_pseudo_items) / (
                len(posteriors) + k * self.prior_pseudo_items
            )
            counts, confusion = m_step(posteriors)
            likelihood = float(norms.sum())
            if previous is not None and abs(likelihood - previous) <= self.tolerance * abs(
                previous
            ):
                break
            previous = likelihood
        return Fit(posteriors, confusion, counts, prior, epochs)

    def _start(self, history: FloatArray, k: int) -> FloatArray:
        """The 0.7 matrix for new workers; what earlier batches taught for known ones."""
        start = np.broadcast_to(_accuracy_matrix(self.initial_accuracy, k), history.shape)
        known = history.sum(axis=(1, 2)) > 0
        return np.where(known[:, None, None], self._smooth(history), start)

    def _smooth(self, counts: FloatArray) -> FloatArray:
        """Counts plus the pseudo-answers and Ground Truth's smoothing, as weighted by this
        class; rows normalised."""
        k = counts.shape[1]
        smoothed = counts + _accuracy_matrix_counts(
            self.right_pseudo_answers, self.wrong_pseudo_answers, k
        )
        if self.ground_truth_smoothing:
            answered = counts.sum(axis=(1, 2))
            correct = np.trace(counts, axis1=1, axis2=2)
            own = correct / np.maximum(answered, 1e-12)
            pool = float(correct.sum() / max(answered.sum(), 1e-12))
            smoothed = smoothed + self.ground_truth_smoothing * (
                answered[:, None, None] * _accuracy_matrices(own, k)
                + (answered[:, None, None] / 2) * _accuracy_matrix(pool, k)
            )
        smoothed = np.maximum(smoothed, 1e-12)
        return np.asarray(smoothed / smoothed.sum(axis=2, keepdims=True), dtype=np.float64)

    def _quality(
        self,
        encoded: EncodedAnswers,
        posteriors: FloatArray,
        accuracy: FloatArray,
        answered: FloatArray,
        informativeness: FloatArray,
        confusion: FloatArray | None,
    ) -> dict[Hashable, WorkerQuality]:
        """Agreement and accuracy per worker, with their confusion matrix (if there is
        one) and spam flag (from ``answered``, their soft count of shared answers so far,
        and their ``informativeness``)."""
        base = worker_agreement(encoded, np.argmax(posteriors, axis=1), accuracy)
        return {
            worker: WorkerQuality(
                answers=base[worker].answers,
                agreement=base[worker].agreement,
                accuracy=base[worker].accuracy,
                confusion=None if confusion is None else np.round(confusion[index], 4).tolist(),
                spammer=bool(
                    answered[index] >= self.spammer_min_answers
                    and informativeness[index] < self.spammer_informativeness
                ),
            )
            for index, worker in enumerate(encoded.workers)
        }


def _accuracy_matrix(accuracy: float, k: int) -> FloatArray:
    """``accuracy`` on the diagonal, the rest of each row spread evenly."""
    if k == 1:
        return np.ones((1, 1))
    return _accuracy_matrix_counts(accuracy, (1.0 - accuracy) / (k - 1), k)


def _accuracy_matrix_counts(right: float, wrong: float, k: int) -> FloatArray:
    """``right`` on the diagonal, ``wrong`` everywhere else."""
    return np.full((k, k), wrong) + np.eye(k) * (right - wrong)


def _accuracy_matrices(accuracies: FloatArray, k: int) -> FloatArray:
    """One :func:`_accuracy_matrix` per accuracy (workers x K x K)."""
    if k == 1:
        return np.ones((len(accuracies), 1, 1))
    off = (1.0 - accuracies) / (k - 1)
    eye = np.eye(k)[None, :, :]
    return np.asarray(off[:, None, None] * (1 - eye) + accuracies[:, None, None] * eye)


def _informativeness(confusion: FloatArray) -> FloatArray:
    """Per worker: the mean total-variation distance between the rows of their matrix.

    Summed over the pairs of rows, the distance is, column by column, the sum of the
    pairwise gaps of that column's values, which sorting gives in K log K: memory and time
    grow with K² per worker, not with K³ (600 labels once took 3.4 GB here)."""
    k = confusion.shape[1]
    if k < 2:
        return np.ones(confusion.shape[0])
    ordered = np.sort(confusion, axis=1)  # each column's values, over the true classes
    weights = 2.0 * np.arange(k) - (k - 1)  # sum_{a<b} |x_a - x_b| = sum_i x_(i) (2i - k + 1)
    pairwise = np.einsum("wtc,t->w", ordered, weights)
    return np.asarray(pairwise / (k * (k - 1)), dtype=np.float64)


def _history(state: Mapping[str, Any] | None, encoded: EncodedAnswers) -> FloatArray:
    """The soft counts earlier batches learned for this batch's workers (zeros for workers
    seen first now)."""
    k = len(encoded.labels)
    history = np.zeros((len(encoded.workers), k, k))
    known = _STATE.earlier(state, encoded.labels)
    for index, worker in enumerate(encoded.workers):
        counts = known.get(str(worker))
        if counts is not None and np.shape(counts) == (k, k):
            history[index] = np.asarray(counts, dtype=np.float64)
    return history


def _new_state(
    state: Mapping[str, Any] | None, encoded: EncodedAnswers, counts: FloatArray
) -> dict[str, Any]:
    """Every worker's counts so far: this batch's workers updated, the others kept."""
    rounded = np.round(counts, 4).tolist()
    numbers = {str(worker): rounded[index] for index, worker in enumerate(encoded.workers)}
    return _STATE.updated(state, encoded.labels, numbers)


class GroundTruthDawidSkene(DawidSkene):
    """Ground Truth's modified Dawid-Skene with its own smoothing, exactly (module
    docstring)."""

    name = "dawid-skene-gt"
    description = (
        "Ground Truth's modified Dawid-Skene exactly, with its strong smoothing toward "
        "each worker's and the pool's accuracy."
    )
    right_pseudo_answers = 0.0
    wrong_pseudo_answers = 0.0
    prior_pseudo_items = 0.0
    ground_truth_smoothing = 1.0
    full_matrix_answers_per_cell = None
    confidence_cap = CONFIDENCE_CAP


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``dawid-skene`` and ``dawid-skene-gt``."""
    return [DawidSkene, GroundTruthDawidSkene]

"""Class probabilities from a multi-class SVM's one-against-one decision values.

What libsvm does for ``SVC(probability=True)``, which scikit-learn deprecates from 1.9 on:

1. for each pair of classes ``(i, j)``, a Platt sigmoid turns the pair's decision value into
   ``r_ij = P(i | i or j)``; it is fitted on *cross-validated* decision values of the items
   of those two classes, with Platt's smoothed targets (``(N+ + 1) / (N+ + 2)`` and
   ``1 / (N- + 2)``), so that items the SVM was trained on do not make it overconfident
   (all pairs at once, by Newton's method);
2. the pairwise estimates are coupled into one distribution per item by Wu, Lin and Weng's
   second method (2004): ``p`` minimises ``sum_i sum_j (r_ji p_i - r_ij p_j) ** 2`` with
   ``sum(p) = 1``, a linear system solved for all items at once.

``CalibratedClassifierCV`` is no substitute: it calibrates one-against-rest scores, which
for an SVC are mostly vote counts, and ranks items too coarsely to tell the sure ones.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Pairwise probabilities are kept this far from 0 and 1 (as libsvm does).
EPSILON = 1e-7
#: At most this many Newton steps per sigmoid (libsvm: 100; a few usually suffice).
NEWTON_STEPS = 100


def pairs(classes: int) -> list[tuple[int, int]]:
    """The class pairs in the column order of scikit-learn's ``decision_function_shape='ovo'``
    (a positive value votes for the first class of the pair)."""
    return [(i, j) for i in range(classes) for j in range(i + 1, classes)]


class PairwiseSigmoids:
    """Platt sigmoids per pair of classes, and their coupling into class probabilities."""

    def __init__(self, classes: int) -> None:
        """Sigmoids for ``classes`` classes (indices into the SVM's ``classes_``)."""
        self.classes = classes
        self.slopes = np.zeros(len(pairs(classes)))
        self.offsets = np.zeros(len(pairs(classes)))

    def fit(self, decisions: npt.NDArray[np.float64], y: npt.NDArray[np.int64]) -> PairwiseSigmoids:
        """Fit one sigmoid per pair on ``decisions`` (``(items, pairs)``, cross-validated) of
        the items whose class index ``y`` is one of the pair."""
        values = _columns(decisions)
        first = np.array([i for i, _ in pairs(self.classes)])
        second = np.array([j for _, j in pairs(self.classes)])
        labels = np.asarray(y)[:, None]
        self.slopes, self.offsets = platt(values, labels == first, (labels == second))
        return self

    def predict_proba(self, decisions: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Class probabilities, ``(items, classes)``, from the SVM's decision values."""
        values = _columns(decisions)
        rows, k = values.shape[0], self.classes
        pairwise = 1.0 / (1.0 + np.exp(-(values * self.slopes + self.offsets)))
        r = np.full((rows, k, k), 0.0)
        for column, (i, j) in enumerate(pairs(k)):
            r[:, i, j] = np.clip(pairwise[:, column], EPSILON, 1.0 - EPSILON)
            r[:, j, i] = 1.0 - r[:, i, j]
        # Q[i, i] = sum_j r_ji^2, Q[i, j] = -r_ji r_ij; solve [Q 1; 1' 0] [p; b] = [0; 1].
        transposed = np.swapaxes(r, 1, 2)
        q = -transposed * r
        q[:, np.arange(k), np.arange(k)] = (transposed**2).sum(axis=2)
        system = np.zeros((rows, k + 1, k + 1))
        system[:, :k, :k] = q
        system[:, :k, k] = 1.0
        system[:, k, :k] = 1.0
        right = np.zeros((rows, k + 1, 1))
        right[:, k, 0] = 1.0
        p = np.linalg.solve(system, right)[:, :k, 0]
        p = np.clip(p, 0.0, None)
        return np.asarray(p / p.sum(axis=1, keepdims=True), dtype=np.float64)


def platt(
    values: npt.NDArray[np.float64],
    positive: npt.NDArray[np.bool_],
    negative: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Platt's sigmoid ``P(positive) = 1 / (1 + exp(-(slope * value + offset)))`` for every
    column at once, by Newton's method with a backtracking line search (Lin, Lin and Weng,
    2007); rows that are neither positive nor negative in a column take no part in it.

    :return: the slope and the offset of each column.
    """
    weight = (positive | negative).astype(np.float64)
    n_pos, n_neg = positive.sum(axis=0), negative.sum(axis=0)
    target = np.where(positive, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))

    def loss(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        f = values * a + b
        return np.asarray((weight * (np.logaddexp(0.0, f) - target * f)).sum(axis=0))

    a = np.zeros(values.shape[1])
    b = np.log((n_pos + 1.0) / (n_neg + 1.0))
    current = loss(a, b)
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(values * a + b)))
        residual = weight * (p - target)
        grad_a, grad_b = (residual * values).sum(axis=0), residual.sum(axis=0)
        if np.all(np.maximum(np.abs(grad_a), np.abs(grad_b)) < 1e-5):
            break
        h = weight * p * (1.0 - p)
        h_aa = (h * values**2).sum(axis=0) + 1e-12
        h_ab = (h * values).sum(axis=0)
        h_bb = h.sum(axis=0) + 1e-12
        det = h_aa * h_bb - h_ab**2
        step_a = -(h_bb * grad_a - h_ab * grad_b) / det
        step_b = -(h_aa * grad_b - h_ab * grad_a) / det
        slope = grad_a * step_a + grad_b * step_b
        size = np.ones_like(a)
        pending = np.ones(a.shape, dtype=bool)
        for _ in range(30):  # halve each column's step until its loss falls enough
            trial = loss(a + size * step_a, b + size * step_b)
            ok = pending & (trial <= current + 1e-4 * size * slope)
            a, b = np.where(ok, a + size * step_a, a), np.where(ok, b + size * step_b, b)
            current = np.where(ok, trial, current)
            pending &= ~ok
            if not pending.any():
                break
            size = np.where(pending, size / 2.0, size)
    return a, b


def _columns(decisions: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Decision values as a 2-D array (two classes give one column, returned 1-D)."""
    values = np.asarray(decisions, dtype=np.float64)
    return values.reshape(values.shape[0], -1)

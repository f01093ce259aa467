"""Cross-validated class probabilities: every human-labeled item predicted by a model that
did not see it, so that the confidence threshold is chosen on all human labels without
setting any aside.

Folds are stratified (scikit-learn's ``StratifiedKFold``) when every class present has at
least as many items as there are folds, and plain shuffled ``KFold`` otherwise; each fold
trains a fresh model from ``make_model``. Features may be a numpy array, a scipy.sparse
matrix or a list (whatever the model's ``featurize`` returns).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from quorum.auto_labelers import AutoLabeler, Features


def take_rows(features: Features, rows: npt.NDArray[np.integer] | Sequence[int]) -> Features:
    """The ``rows`` of ``features``, in that order, of the same kind: an array or sparse
    matrix is indexed, anything else is treated as a sequence and gives a list."""
    from scipy import sparse

    index = np.asarray(rows, dtype=np.int64)
    if isinstance(features, np.ndarray) or sparse.issparse(features):
        return features[index]
    return [features[int(i)] for i in index]


def row_count(features: Features) -> int:
    """How many rows ``features`` has."""
    from scipy import sparse

    if isinstance(features, np.ndarray) or sparse.issparse(features):
        return int(features.shape[0])
    return len(features)


def cross_validated_proba(
    make_model: Callable[[], AutoLabeler],
    features: Features,
    labels: npt.NDArray[np.integer],
    *,
    folds: int = 5,
    seed: int = 0,
) -> npt.NDArray[np.float64]:
    """Out-of-fold class probabilities of every row, shape ``(rows, classes)``.

    :param make_model: makes a fresh, unfitted model; called once per fold.
    :param features: one row per labeled item, from the model's ``featurize``.
    :param labels: each row's class index.
    :param folds: how many folds; fewer when there are fewer rows (at least 2).
    :param seed: the seed of the shuffle that deals rows into folds.
    :return: row ``i`` holds the probabilities from the model trained without row ``i``.
    :raises ValueError: on fewer than two rows, mismatched lengths or ``folds < 2``.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    y = np.asarray(labels, dtype=np.int64)
    n = row_count(features)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"labels: expected {n} class indices (one per row), got shape {y.shape}")
    if folds < 2:
        raise ValueError(f"folds: must be at least 2, got {folds}")
    if n < 2:
        raise ValueError(f"cross-validation needs at least 2 labeled items, got {n}")
    k = min(folds, n)
    _, counts = np.unique(y, return_counts=True)
    splitter: StratifiedKFold | KFold
    if counts.min() >= k:
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_splits=k, shuffle=True, random_state=seed)
    proba: npt.NDArray[np.float64] | None = None
    for train, test in splitter.split(np.zeros((n, 1)), y):
        model = make_model()
        model.fit(take_rows(features, train), y[train])
        fold = np.asarray(model.predict_proba(take_rows(features, test)), dtype=np.float64)
        if proba is None:
            proba = np.zeros((n, fold.shape[1]), dtype=np.float64)
        proba[test] = fold
    assert proba is not None  # k >= 2 folds ran
    return proba

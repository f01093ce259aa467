"""Which unlabeled items go to humans next: the most useful to the model.

Uncertainty is the **margin**: one minus the gap between the two most probable classes, so
an item the model cannot tell between two classes scores near 1 and a sure one near 0.
Measured with the loop of ``benchmarks/auto_labeling_offline.py`` on 10,000 Fashion-MNIST images
(first batch 500, then 250, perfect labels), the share labeled by machine was 71.7 % with
diverse margin batches, 70.7 % with entropy, 69.7 % with plain margin and 68.7 % with random
batches; on digits, where the loop ends after two to five iterations, all four were within a
point of each other.

A small batch is simply the most uncertain items. A large one (``DIVERSE_FROM`` items or more,
with features given) is also made diverse, so that it does not spend humans on near-copies
of one confusing item: the ``CANDIDATES_PER_PICK * size`` most uncertain items are clustered
into ``size`` groups with ``MiniBatchKMeans`` (on a ``TruncatedSVD`` projection when the
features are wide or sparse), and each group gives its most uncertain item; groups left
empty are made up by the most uncertain items not yet taken.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from quorum.active_learning.cross_validation import row_count, take_rows
from quorum.auto_labelers import Features

#: Batches of at least this many items are made diverse (when features are given).
DIVERSE_FROM = 20
#: Diverse batches choose among this many of the most uncertain items per item taken.
CANDIDATES_PER_PICK = 5
#: Wider features are projected to this many dimensions before clustering.
PROJECTED_DIMENSIONS = 50


def uncertainty(proba: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Each row's uncertainty in [0, 1]: one minus the margin between its two most
    probable classes (1 - top probability with a single class)."""
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] == 0:
        raise ValueError(f"proba: expected a 2-D array (rows, classes), got shape {p.shape}")
    if p.shape[1] == 1:
        return np.asarray(1.0 - p[:, 0], dtype=np.float64)
    top2 = np.partition(p, p.shape[1] - 2, axis=1)[:, -2:]
    return np.asarray(1.0 - (top2[:, 1] - top2[:, 0]), dtype=np.float64)


def most_uncertain(scores: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.int64]:
    """The indices of the ``size`` highest ``scores``, highest first (ties by index)."""
    order = np.argsort(-scores, kind="stable")
    return order[:size].astype(np.int64)


def _cluster_space(features: Features, seed: int) -> npt.NDArray[np.float64] | None:
    """``features`` as a dense matrix of at most ``PROJECTED_DIMENSIONS`` columns to cluster,
    or None when they are not numeric rows (e.g. raw strings)."""
    from scipy import sparse
    from sklearn.decomposition import TruncatedSVD

    if sparse.issparse(features):
        matrix = features
    else:
        try:
            matrix = np.asarray(features, dtype=np.float64)
        except (TypeError, ValueError):
            return None
        if matrix.ndim != 2:
            return None
    rows, columns = matrix.shape
    if sparse.issparse(matrix) or columns > PROJECTED_DIMENSIONS:
        components = min(PROJECTED_DIMENSIONS, columns - 1, rows - 1)
        if components < 1:
            return None
        matrix = TruncatedSVD(n_components=components, random_state=seed).fit_transform(matrix)
    return np.asarray(matrix, dtype=np.float64)


def next_batch(
    proba: npt.NDArray[np.floating],
    size: int,
    *,
    features: Features | None = None,
    seed: int = 0,
) -> npt.NDArray[np.int64]:
    """The rows of ``proba`` to send to humans next, most uncertain first.

    :param proba: the model's class probabilities for the unlabeled items, ``(rows, classes)``.
    :param size: how many to choose (all rows when there are fewer).
    :param features: the same rows' features; when given and ``size >= DIVERSE_FROM``, the
        batch is made diverse as the module docstring says.
    :param seed: the seed of the clustering.
    :return: distinct row indices, at most ``size`` of them.
    :raises ValueError: on a negative ``size`` or features of another length.
    """
    scores = uncertainty(proba)
    rows = scores.shape[0]
    if size < 0:
        raise ValueError(f"size: must not be negative, got {size}")
    if features is not None and row_count(features) != rows:
        raise ValueError(
            f"features: expected {rows} rows (one per row of proba), got {row_count(features)}"
        )
    if size >= rows:
        return most_uncertain(scores, rows)
    if features is None or size < DIVERSE_FROM:
        return most_uncertain(scores, size)
    candidates = most_uncertain(scores, min(rows, CANDIDATES_PER_PICK * size))
    space = _cluster_space(take_rows(features, candidates), seed)
    if space is None:
        return most_uncertain(scores, size)
    from sklearn.cluster import MiniBatchKMeans

    clusters = MiniBatchKMeans(n_clusters=size, random_state=seed, n_init=3).fit_predict(space)
    chosen: list[int] = []
    seen: set[int] = set()
    for position, cluster in enumerate(clusters):  # candidates are most uncertain first
        if cluster not in seen:
            seen.add(int(cluster))
            chosen.append(int(candidates[position]))
    taken = set(chosen)
    chosen += [int(c) for c in candidates if int(c) not in taken][: size - len(chosen)]
    picked = np.asarray(chosen, dtype=np.int64)
    return picked[np.argsort(-scores[picked], kind="stable")]

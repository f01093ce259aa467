"""next_batch: the most uncertain items, spread over the feature space when the batch is big."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from quorum.active_learning import next_batch, uncertainty


def proba_with_margins(margins) -> np.ndarray:
    """Two-class probabilities whose margins (top minus second) are ``margins``."""
    top = (1.0 + np.asarray(margins)) / 2
    return np.column_stack([top, 1.0 - top])


def test_the_most_uncertain_rows_come_first_and_are_distinct():
    proba = proba_with_margins([0.9, 0.1, 0.5, 0.0, 0.3, 0.95])
    assert next_batch(proba, 3).tolist() == [3, 1, 4]
    assert next_batch(proba, 10).tolist() == [3, 1, 4, 2, 0, 5]
    assert next_batch(proba, 0).tolist() == []


def test_uncertainty_is_one_minus_the_margin_of_the_two_likeliest_classes():
    proba = np.array([[0.5, 0.3, 0.2], [0.9, 0.05, 0.05], [1.0, 0.0, 0.0]])
    assert uncertainty(proba) == pytest.approx([0.8, 0.15, 0.0])


def blobs(rng, centres, per_blob):
    return np.vstack([c + 0.01 * rng.standard_normal((per_blob, 2)) for c in centres])


def test_a_large_batch_is_spread_over_clusters_instead_of_near_copies():
    rng = np.random.default_rng(0)
    # 40 near-copies of one confusing item, and 4 groups of items a little less uncertain.
    corners = [(5, 0), (0, 5), (5, 5), (9, 9)]
    features = np.vstack([blobs(rng, [(0, 0)], 40), blobs(rng, corners, 40)])
    margins = np.concatenate([np.full(40, 0.01), np.full(160, 0.05)]) + rng.random(200) / 1000
    proba = proba_with_margins(margins)
    plain = next_batch(proba, 20)
    diverse = next_batch(proba, 20, features=features, seed=1)
    assert set(plain.tolist()) <= set(range(40))  # all near-copies
    assert len(set(diverse.tolist())) == 20
    assert sum(int(i) < 40 for i in diverse) <= 8
    assert {int(i) // 40 for i in diverse} == {0, 1, 2, 3, 4}  # every group is asked about
    assert np.all(np.diff(uncertainty(proba)[diverse]) <= 0)  # still most uncertain first


def test_sparse_features_work_and_text_rows_fall_back_to_uncertainty():
    rng = np.random.default_rng(1)
    proba = proba_with_margins(rng.random(300))
    wide = sparse.random(300, 5000, density=0.01, random_state=1, format="csr")
    chosen = next_batch(proba, 30, features=wide)
    assert len(set(chosen.tolist())) == 30
    texts = [f"text {i}" for i in range(300)]
    assert next_batch(proba, 30, features=texts).tolist() == next_batch(proba, 30).tolist()


def test_bad_input_is_refused():
    proba = proba_with_margins([0.1, 0.2])
    with pytest.raises(ValueError, match="size"):
        next_batch(proba, -1)
    with pytest.raises(ValueError, match="features: expected 2 rows"):
        next_batch(proba, 1, features=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="proba"):
        next_batch(np.zeros(4), 1)

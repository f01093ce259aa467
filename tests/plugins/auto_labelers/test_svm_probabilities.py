"""Pairwise Platt sigmoids and their coupling into class probabilities (libsvm's method)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from quorum_plugins.auto_labelers._svm_probabilities import PairwiseSigmoids, pairs, platt


def test_consistent_pairwise_probabilities_couple_back_to_the_distribution():
    truth = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    sigmoids = PairwiseSigmoids(3)
    sigmoids.slopes, sigmoids.offsets = np.ones(3), np.zeros(3)
    logits = np.column_stack(
        [np.log(truth[:, i] / truth[:, j]) for i, j in pairs(3)]  # P(i | i or j) as a logit
    )
    assert sigmoids.predict_proba(logits) == pytest.approx(truth)


def test_platt_minimises_the_loss_with_smoothed_targets_and_ignores_other_rows():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(2, 1, 300), rng.normal(-1, 1, 200), rng.normal(9, 1, 50)])
    positive, negative = np.arange(550) < 300, (np.arange(550) >= 300) & (np.arange(550) < 500)
    target = np.where(positive, 301 / 302, 1 / 202)[:500]

    def loss(w):
        f = values[:500] * w[0] + w[1]
        return (np.logaddexp(0, f) - target * f).sum()

    expected = minimize(loss, [0.0, 0.0]).x
    slope, offset = platt(values[:, None], positive[:, None], negative[:, None])
    assert (slope[0], offset[0]) == pytest.approx(tuple(expected), abs=1e-3)


def test_two_classes_give_one_column_and_the_fit_needs_no_other_rows():
    decisions = np.array([3.0, 2.0, 1.0, -1.0, -2.0, -3.0])
    y = np.array([0, 0, 1, 0, 1, 1])
    proba = PairwiseSigmoids(2).fit(decisions, y).predict_proba(np.array([4.0, 0.0, -4.0]))
    assert proba.shape == (3, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 0] > 0.8 and proba[2, 1] > 0.8

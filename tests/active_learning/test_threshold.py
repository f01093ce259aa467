"""choose_threshold: the fixed-sequence Clopper-Pearson rule on answers known in advance."""

from __future__ import annotations

import numpy as np
import pytest

from quorum.active_learning import Threshold, choose_threshold


def descending(n: int) -> np.ndarray:
    """n distinct confidences, highest first."""
    return np.linspace(1.0, 0.5, n)


def test_all_correct_covers_everything_and_the_bound_is_the_exact_clopper_pearson():
    result = choose_threshold(descending(100), np.ones(100, bool), 0.95)
    assert result.value == 0.5 and (result.covered, result.correct) == (100, 100)
    assert result.estimated_accuracy == 1.0
    assert result.lower_bound == pytest.approx(0.05 ** (1 / 100))  # beta.ppf(a, n, 1)


def test_the_threshold_stops_where_accuracy_falls_and_the_bound_is_below_the_estimate():
    confidence = descending(1000)
    correct = np.ones(1000, bool)
    correct[400:] = np.arange(600) % 2 == 0  # half wrong below the 400 surest
    result = choose_threshold(confidence, correct, 0.95)
    assert result.value is not None
    assert 400 <= result.covered < 460  # a few errors are tolerated, not many
    assert result.value == confidence[result.covered - 1]
    assert result.lower_bound is not None and result.estimated_accuracy is not None
    assert 0.95 <= result.lower_bound < result.estimated_accuracy


def test_a_target_nothing_can_meet_labels_nothing():
    rng = np.random.default_rng(0)
    correct = rng.random(2000) < 0.9
    assert choose_threshold(descending(2000), correct, 0.95) == Threshold(
        value=None, covered=0, correct=0, estimated_accuracy=None, lower_bound=None
    )


def test_too_few_items_label_nothing_and_59_perfect_ones_just_pass():
    assert choose_threshold(descending(58), np.ones(58, bool), 0.95).value is None
    assert choose_threshold(descending(59), np.ones(59, bool), 0.95).covered == 59
    assert choose_threshold(np.array([]), np.array([], bool), 0.95).value is None


def test_the_sequence_stops_at_the_first_failure_even_if_a_lower_threshold_would_pass():
    correct = np.ones(2000, bool)
    correct[59] = False  # the 60th surest is wrong: 59/60 fails, 1999/2000 would pass
    result = choose_threshold(descending(2000), correct, 0.95)
    assert (result.covered, result.correct) == (59, 59)


def test_tied_confidences_are_covered_together():
    confidence = np.array([0.9] * 100 + [0.8] * 100)
    correct = np.array([True] * 100 + [False] * 100)
    result = choose_threshold(confidence, correct, 0.95)
    assert (result.value, result.covered) == (0.9, 100)


def test_the_chance_of_passing_a_threshold_below_the_target_is_at_most_alpha():
    rng = np.random.default_rng(1)
    confidence = descending(300)
    passed = sum(
        choose_threshold(confidence, rng.random(300) < 0.93, 0.95).value is not None
        for _ in range(400)
    )
    assert passed / 400 <= 0.05


def test_noisy_labels_are_corrected_for_and_unreliable_ones_are_left_out():
    rng = np.random.default_rng(2)
    agree = rng.random(3000) < 0.9  # a perfect model against labels right 90 % of the time
    confidence = descending(3000)
    assert choose_threshold(confidence, agree, 0.95).value is None
    corrected = choose_threshold(confidence, agree, 0.95, label_accuracy=0.9)
    assert corrected.covered > 2500
    assert corrected.estimated_accuracy is not None and corrected.estimated_accuracy > 0.97
    quality = np.where(agree, 0.99, 0.6)  # only the disputed labels disagree
    kept = choose_threshold(confidence, agree, 0.95, label_accuracy=quality)
    assert kept.covered == int(agree.sum()) and kept.correct == kept.covered


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"correct": np.ones(3, bool)}, "one length"),
        ({"target": 1.0}, "target"),
        ({"alpha": 0.0}, "alpha"),
        ({"label_accuracy": 1.5}, "label_accuracy"),
        ({"min_label_accuracy": 0.5}, "min_label_accuracy"),
    ],
)
def test_bad_input_is_refused_with_the_parameter_named(kwargs, message):
    arguments = {"confidence": descending(4), "correct": np.ones(4, bool), "target": 0.95}
    with pytest.raises(ValueError, match=message):
        choose_threshold(**{**arguments, **kwargs})


def test_the_surest_labels_are_judged_apart_when_the_others_would_drown_the_evidence():
    rng = np.random.default_rng(3)
    unanimous = np.arange(600) % 2 == 0
    quality = np.where(unanimous, 0.999, 0.95)
    agree = unanimous | (rng.random(600) < 0.8)  # disputed labels are often contradicted
    result = choose_threshold(descending(600), agree, 0.95, label_accuracy=quality)
    assert (result.covered, result.correct) == (300, 300)
    # Two sets of evidence (posterior >= 0.9, >= 0.99): each is tested at alpha / 2.
    assert result.lower_bound == pytest.approx(0.025 ** (1 / 300), abs=2e-3)

"""cross_validated_proba: every row predicted once, by a model that never saw it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy import sparse

from quorum.active_learning import cross_validated_proba
from quorum.auto_labelers import AutoLabeler, full_proba


class Recorder(AutoLabeler):
    """Predicts each row's own class from the row id it is given, and records what it saw."""

    name = "recorder"
    fits: list[tuple[set[int], list[int]]] = []  # (training ids, classes seen)
    predicted: Counter[int] = Counter()

    def fit(self, features, labels):
        self.train = set(_ids(features))
        self.seen = sorted(set(labels.tolist()))
        Recorder.fits.append((self.train, self.seen))

    def predict_proba(self, features):
        ids = _ids(features)
        assert not self.train & set(ids), "a row was predicted by a model trained on it"
        Recorder.predicted.update(ids)
        proba = np.zeros((len(ids), len(self.seen)))
        proba[:, 0] = 1.0
        return full_proba(proba, self.seen, len(self.labels))


def _ids(features) -> list[int]:
    if sparse.issparse(features):
        return [int(v) for v in features.toarray()[:, 0]]
    return [int(row[0]) for row in features]


@pytest.fixture(autouse=True)
def fresh_recorder():
    Recorder.fits, Recorder.predicted = [], Counter()


@pytest.mark.parametrize(
    "kind", [np.asarray, sparse.csr_matrix, lambda rows: [tuple(r) for r in rows]]
)
def test_every_row_is_predicted_exactly_once_by_a_fresh_model(kind):
    labels = np.arange(50) % 2
    features = kind(np.arange(50).reshape(-1, 1) + 0.0)
    proba = cross_validated_proba(lambda: Recorder(["a", "b", "c"]), features, labels, folds=5)
    assert proba.shape == (50, 3)
    assert Recorder.predicted == Counter(range(50))
    assert len(Recorder.fits) == 5 and all(len(train) == 40 for train, _ in Recorder.fits)


def test_folds_are_stratified_when_every_class_has_enough_rows():
    labels = np.array([0] * 10 + [1] * 5)
    cross_validated_proba(lambda: Recorder(["a", "b"]), np.arange(15)[:, None], labels)
    for train, _ in Recorder.fits:
        assert sum(labels[i] for i in train) == 4  # four of the five "b" rows in every fold


def test_a_class_with_one_example_falls_back_to_plain_folds():
    labels = np.array([0] * 12 + [1] * 12 + [2])
    proba = cross_validated_proba(lambda: Recorder(["a", "b", "c"]), np.arange(25)[:, None], labels)
    assert Recorder.predicted == Counter(range(25))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert sum(2 not in seen for _, seen in Recorder.fits) == 1  # one fold never saw it


def test_fewer_rows_than_folds_uses_one_fold_per_row():
    cross_validated_proba(lambda: Recorder(["a", "b"]), np.arange(3)[:, None], np.array([0, 1, 1]))
    assert len(Recorder.fits) == 3


@pytest.mark.parametrize(
    ("rows", "labels", "folds", "message"),
    [
        (1, [0], 5, "at least 2 labeled items"),
        (3, [0, 1], 5, "labels: expected 3"),
        (4, [0, 1, 0, 1], 1, "folds"),
    ],
)
def test_bad_input_is_refused(rows, labels, folds, message):
    with pytest.raises(ValueError, match=message):
        cross_validated_proba(
            lambda: Recorder(["a", "b"]), np.arange(rows)[:, None], np.array(labels), folds=folds
        )

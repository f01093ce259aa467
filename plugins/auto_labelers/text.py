"""Built-in auto-labeling model ``text-tfidf-logistic`` for text classification.

Each text becomes hashed counts of its words (``HashingVectorizer``, lowercased, one-letter
words kept: computed from the item alone, so the loop can cache them); ``fit`` weights them
by TF-IDF learned from the training rows (sublinear term frequency, rows scaled to unit
length) and trains a logistic regression, whose probabilities serve as confidences. Only the
first ``MAX_CHARACTERS`` of a text are read.

Chosen on held-out splits of SpamAssassin: word pairs or character 3-5-grams added nothing
there (a point less accurate at 300 and 1,000
training e-mails) and cost up to ten times the featurizing time; weak regularisation
(``C = 100``) beat ``C = 5`` or ``20`` by one to three points.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from quorum import hookimpl
from quorum.auto_labelers import AutoLabeler, Features, ModelInput, full_proba

# scikit-learn takes a second to import: it is imported where it is used, so that loading
# the plugins (every ``quorum`` command) does not wait for it.
if TYPE_CHECKING:
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression

#: Longer texts are cut here (e-mails with attachments run to megabytes).
MAX_CHARACTERS = 20_000
#: Hash buckets for words.
BUCKETS = 2**18
#: Inverse regularisation strength of the logistic regression.
C = 100.0


@functools.cache
def words() -> HashingVectorizer:
    """The vectorizer of hashed word counts (stateless, so one serves every model)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=BUCKETS,
        token_pattern=r"(?u)\b\w+\b",
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def _texts(inputs: Sequence[ModelInput]) -> list[str]:
    """The inputs as texts, cut to ``MAX_CHARACTERS``; anything else is refused."""
    texts: list[str] = []
    for position, item in enumerate(inputs):
        if not isinstance(item, str):
            raise ValueError(
                f"item {position}: text-tfidf-logistic labels text, got {type(item).__name__}"
            )
        texts.append(item[:MAX_CHARACTERS])
    return texts


class TextTfidfLogistic(AutoLabeler):
    """TF-IDF weighted words, then logistic regression."""

    name = "text-tfidf-logistic"
    description = "Words weighted by TF-IDF, then logistic regression; trains in seconds on a CPU."
    task_types = ("text-classification",)

    def __init__(self, labels: Sequence[str], *, seed: int = 0) -> None:
        """An unfitted model for ``labels``."""
        super().__init__(labels, seed=seed)
        self._tfidf: TfidfTransformer | None = None
        self._model: LogisticRegression | None = None
        self._only: int | None = None

    def featurize(self, inputs: Sequence[ModelInput]) -> Features:
        """Hashed word counts, a sparse CSR matrix with one row per text.

        :raises ValueError: when an input is not a ``str``.
        """
        from scipy import sparse

        return sparse.csr_matrix(words().transform(_texts(inputs)))

    def fit(self, features: Features, labels: npt.NDArray[np.int64]) -> None:
        """Learn TF-IDF weights and the logistic regression from the labeled rows."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(labels, dtype=np.int64)
        self._tfidf = TfidfTransformer(sublinear_tf=True).fit(features)
        classes = np.unique(y)
        if classes.size == 1:  # nothing to tell apart yet: always that class
            self._only, self._model = int(classes[0]), None
            return
        self._only = None
        self._model = LogisticRegression(C=C, max_iter=1000, random_state=self.seed)
        self._model.fit(self._tfidf.transform(features), y)

    def predict_proba(self, features: Features) -> npt.NDArray[np.float64]:
        """Class probabilities per row, columns in label order."""
        if self._tfidf is None:
            raise RuntimeError("text-tfidf-logistic: predict_proba before fit")
        rows = features.shape[0]
        if self._model is None:
            assert self._only is not None
            return full_proba(np.ones((rows, 1)), [self._only], len(self.labels))
        proba = self._model.predict_proba(self._tfidf.transform(features))
        return full_proba(
            np.asarray(proba, dtype=np.float64), self._model.classes_, len(self.labels)
        )


@hookimpl
def quorum_auto_labelers() -> Sequence[type[AutoLabeler]]:
    """Register ``text-tfidf-logistic``."""
    return [TextTfidfLogistic]

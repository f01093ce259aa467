"""The base class of auto-labeling models, the plugins of the active-learning loop.

A model sees each item once through :meth:`AutoLabeler.featurize` (the loop caches the
rows it returns, so that cross-validation and later iterations reuse them), then is fitted
and asked for class probabilities as often as the loop needs. A fresh instance is made for
every fit (one per cross-validation fold, one on all human labels), so a model keeps no
state between fits.

What a model receives per item:

- text task types (``source`` in the manifest): the inline text, a ``str``;
- image task types (``source-ref``): the object's bytes as stored (PNG, JPEG, ...).

Models run offline: a plugin that needs weights ships them inside its package and never
downloads at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

#: One item as a model sees it: inline text, or an image's bytes.
ModelInput = str | bytes
#: Rows of features, one per item: a 2-D numpy array or a scipy.sparse matrix (anything
#: indexable by an array of row numbers), or a list.
Features = Any


class AutoLabeler:
    """A model trained on consolidated human labels that predicts class probabilities.

    Subclass it, set :attr:`name`, :attr:`task_types` and :attr:`description`, and
    implement :meth:`fit` and :meth:`predict_proba`; override :meth:`featurize` when
    turning an item into features costs time (decoding images, tokenising text).

    Unlike the other plugin classes, the core registers the class and makes a fresh
    instance for every fit (each cross-validation fold and each iteration of a job), on
    the runner's thread, so an instance holds one model; what it shares between instances
    (class attributes, module globals) serves every job and must be safe to share between
    threads.

    When a method raises, the iteration's model run is ``FAILED`` with the error
    ("<model>: <exception type>: <message>") and its next batch goes to workers picked at
    random; the job goes on.
    """

    #: Unique, lowercase, as used in ``autoLabeling: {model}``.
    name: ClassVar[str]
    #: One line for people choosing a model.
    description: ClassVar[str] = ""
    #: The task types whose items this model can label.
    task_types: ClassVar[tuple[str, ...]] = ()

    def __init__(self, labels: Sequence[str], *, seed: int = 0) -> None:
        """A model for the job's ``labels`` (class index = position in the list); ``seed``
        makes training repeatable."""
        self.labels = list(labels)
        self.seed = seed

    def featurize(self, inputs: Sequence[ModelInput]) -> Features:
        """Features of ``inputs``, one row each, computed from each item alone (no labels,
        no other items). The loop calls it once per item and caches the rows. The default
        passes the inputs through unchanged."""
        return list(inputs)

    def fit(self, features: Features, labels: npt.NDArray[np.int64]) -> None:
        """Train on rows of :meth:`featurize` and their class indices. Some classes may have
        no example yet."""
        raise NotImplementedError(f"{type(self).__name__}.fit")

    def predict_proba(self, features: Features) -> npt.NDArray[np.float64]:
        """Class probabilities, shape ``(rows, len(labels))``, columns in label order (use
        :func:`full_proba` when the estimator saw only some classes)."""
        raise NotImplementedError(f"{type(self).__name__}.predict_proba")


def full_proba(
    proba: npt.NDArray[np.float64], seen: Sequence[int], classes: int
) -> npt.NDArray[np.float64]:
    """Spread an estimator's ``proba`` over all ``classes`` columns: column ``j`` of
    ``proba`` belongs to class ``seen[j]`` (scikit-learn's ``classes_``); classes it never
    saw get probability 0."""
    full = np.zeros((proba.shape[0], classes), dtype=np.float64)
    full[:, np.asarray(seen, dtype=np.int64)] = proba
    return full

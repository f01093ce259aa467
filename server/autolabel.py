"""The base class of auto-labeling models (the active-learning loop builds on it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


class AutoLabeler:
    """A model trained on human labels that predicts class probabilities. Subclass it."""

    #: Unique, lowercase, as used in ``autoLabeling: {model}``.
    name: ClassVar[str]
    #: One line for people choosing a model.
    description: ClassVar[str] = ""
    #: The task types whose items this model can label.
    task_types: ClassVar[tuple[str, ...]] = ()

    def fit(self, inputs: Sequence[Any], labels: Sequence[int]) -> None:
        """Train on ``inputs`` (task inputs) and their class indices."""
        raise NotImplementedError(f"{type(self).__name__}.fit")

    def predict_proba(self, inputs: Sequence[Any]) -> Sequence[Sequence[float]]:
        """Class probabilities per input, columns in label order."""
        raise NotImplementedError(f"{type(self).__name__}.predict_proba")

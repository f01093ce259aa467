"""A job's auto-labeling settings: checked at ``createJob``, with their defaults.

``autoLabeling: {enabled, model, targetAccuracy, initialBatch, batchSize, confidenceLevel,
folds, validation, selection}``. Only single-label classification can be auto-labeled (as
in Ground Truth, where boxes and masks need models we do not ship yet). The model defaults
to the first installed one that supports the job's task type. The loop itself is
:mod:`quorum.runner.auto_labeling`.

Two settings exist to reproduce other protocols, for comparison; the defaults are ours:

- ``validation``: ``cross-validation`` (default) chooses the threshold from cross-validated
  predictions on every human label; ``holdout`` does what Ground Truth does, setting aside a
  fixed validation set (20 % of the dataset, 10 % from 5,000 items on) that people label up
  front and the model never trains on.
- ``selection``: ``uncertain`` (default) sends people the items the model is least sure of;
  ``random`` sends a random sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quorum.errors import BadInput
from quorum.label_kinds import LabelKind
from quorum.plugins import PluginHost
from quorum.tasktypes import TaskType

#: Ground Truth's fixed target for classification: 95 % of auto-labels right.
DEFAULT_TARGET_ACCURACY = 0.95
#: Without ``initialBatch`` / ``batchSize``, batches scale with the dataset: this share of
#: its items, within these bounds (the job's size is known only once it is ingested).
#: Chosen with ``benchmarks/auto_labeling_offline.py``: small later batches pay on small
#: datasets (digits with 3 noisy workers: batches of 25 beat 50 by 5 points of items
#: machine-labeled), while on 10,000 items 150 did no better than 250.
INITIAL_BATCH_SHARE, INITIAL_BATCH_BOUNDS = 0.05, (150, 1_000)
BATCH_SHARE, BATCH_BOUNDS = 0.015, (25, 1_000)
#: The chosen threshold's accuracy must hold with this confidence (lower bound, not the
#: point estimate; see :mod:`quorum.active_learning.threshold`).
DEFAULT_CONFIDENCE_LEVEL = 0.95
#: Cross-validation folds: each out-of-fold prediction comes from a model trained on 90 %
#: of the human labels, closer to the model that labels than with 5 folds (80 %). On digits
#: with three 80 %-accurate workers, 10 folds labeled 78-79 % of the items by machine
#: against 77-78 % with 5 (``benchmarks/auto_labeling.py``, two seeds), for twice the
#: cross-validation time.
DEFAULT_FOLDS = 10
VALIDATIONS = ("cross-validation", "holdout")
SELECTIONS = ("uncertain", "random")


@dataclass(frozen=True)
class AutoLabelingSettings:
    """A job's auto-labeling, with every default filled in."""

    model: str
    target_accuracy: float = DEFAULT_TARGET_ACCURACY
    #: ``None``: 5 % of the items, 150 to 1,000 (:meth:`first_batch`).
    initial_batch: int | None = None
    #: ``None``: 1.5 % of the items, 25 to 1,000 (:meth:`next_batch`).
    batch_size: int | None = None
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
    folds: int = DEFAULT_FOLDS
    validation: str = VALIDATIONS[0]
    selection: str = SELECTIONS[0]

    def first_batch(self, items: int) -> int:
        """How many items go to people first, in a job of ``items`` items."""
        return _scaled(self.initial_batch, items, INITIAL_BATCH_SHARE, INITIAL_BATCH_BOUNDS)

    def next_batch(self, items: int) -> int:
        """How many items go to people after each iteration, in a job of ``items``."""
        return _scaled(self.batch_size, items, BATCH_SHARE, BATCH_BOUNDS)

    def to_json(self) -> dict[str, Any]:
        """As stored in ``Job.auto_labeling``."""
        return {
            "enabled": True,
            "model": self.model,
            "targetAccuracy": self.target_accuracy,
            "initialBatch": self.initial_batch,
            "batchSize": self.batch_size,
            "confidenceLevel": self.confidence_level,
            "folds": self.folds,
            "validation": self.validation,
            "selection": self.selection,
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any] | None) -> AutoLabelingSettings | None:
        """The settings of a job (``None`` when auto-labeling is off)."""
        if not stored or not stored.get("enabled"):
            return None
        return cls(
            model=stored["model"],
            target_accuracy=stored["targetAccuracy"],
            initial_batch=stored.get("initialBatch"),
            batch_size=stored.get("batchSize"),
            confidence_level=stored["confidenceLevel"],
            folds=stored["folds"],
            validation=stored.get("validation", VALIDATIONS[0]),
            selection=stored.get("selection", SELECTIONS[0]),
        )


def _scaled(given: int | None, items: int, share: float, bounds: tuple[int, int]) -> int:
    if given is not None:
        return given
    low, high = bounds
    return min(max(round(share * items), low), high)


def _between(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise BadInput(f"autoLabeling.{name}: must be between {low:g} and {high:g}, got {value:g}")


def _model_name(name: str | None, task_type: TaskType, plugins: PluginHost) -> str:
    """The model asked for, or the first installed one that labels ``task_type``."""
    if name is None:
        fitting = [
            n for n, model in plugins.auto_labelers.items() if task_type.name in model.task_types
        ]
        if not fitting:
            raise BadInput(f"autoLabeling.model: no installed model can label {task_type.name}")
        return fitting[0]
    model = plugins.auto_labelers.get(name, "autoLabeling.model")
    if task_type.name not in model.task_types:
        raise BadInput(
            f"autoLabeling.model: {name} labels {', '.join(model.task_types) or 'no task type'}, "
            f"not {task_type.name}"
        )
    return name


def check_auto_labeling(
    given: Mapping[str, Any] | None, task_type: TaskType, plugins: PluginHost
) -> dict[str, Any] | None:
    """The stored form of ``given`` (the ``autoLabeling`` input, camelCase keys, ``None``
    for unset fields), or :class:`BadInput` naming the field that does not fit."""
    if not given or not given.get("enabled"):
        return None
    if task_type.label_kind != LabelKind.SINGLE_LABEL:
        raise BadInput(
            f"autoLabeling: {task_type.name} cannot be auto-labeled; auto-labeling supports "
            "single-label classification (image-classification, text-classification)"
        )
    values = {key: value for key, value in given.items() if value is not None}
    limits: dict[str, tuple[float | None, float, float]] = {
        "targetAccuracy": (DEFAULT_TARGET_ACCURACY, 0.5, 0.999),
        "initialBatch": (None, 10, 100_000),
        "batchSize": (None, 1, 100_000),
        "confidenceLevel": (DEFAULT_CONFIDENCE_LEVEL, 0.5, 0.999),
        "folds": (DEFAULT_FOLDS, 2, 20),
    }
    for key, (default, low, high) in limits.items():
        values.setdefault(key, default)
        if values[key] is not None:
            _between(key, values[key], low, high)
    for key, choices in (("validation", VALIDATIONS), ("selection", SELECTIONS)):
        values.setdefault(key, choices[0])
        if values[key] not in choices:
            raise BadInput(
                f"autoLabeling.{key}: must be one of {', '.join(choices)}, got {values[key]!r}"
            )
    values["model"] = _model_name(given.get("model"), task_type, plugins)
    values["enabled"] = True
    settings = AutoLabelingSettings.from_json(values)
    assert settings is not None
    return settings.to_json()

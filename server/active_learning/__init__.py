"""The statistics of the active-learning loop, free of the server: cross-validated
probabilities (:mod:`.cross_validation`), the confidence threshold above which items are
machine-labeled (:mod:`.threshold`), and the next batch for humans (:mod:`.selection`)."""

from __future__ import annotations

from quorum.active_learning.cross_validation import cross_validated_proba, take_rows
from quorum.active_learning.selection import next_batch, uncertainty
from quorum.active_learning.threshold import Threshold, choose_threshold

__all__ = [
    "Threshold",
    "choose_threshold",
    "cross_validated_proba",
    "next_batch",
    "take_rows",
    "uncertainty",
]

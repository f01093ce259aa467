"""Built-in consensus ``span-cluster`` for named entities, after Ground Truth's
``ACS-NamedEntityRecognition``.

Ground Truth "clusters text selections by Jaccard similarity and calculates selection
boundaries based on the mode, or the median if the mode isn't clear. The label resolves to
the most assigned entity label in the cluster, breaking ties by random selection." Here:

- **Clusters.** Spans of every label are clustered greedily by the Jaccard index of their
  character ranges (complete linkage, see :mod:`quorum_plugins.consensus._geometry`): a
  cluster holds at most one span per worker, and every two of its spans have a Jaccard
  index of at least :attr:`SpanCluster.threshold` (0.5). A cluster stays if at least
  :attr:`SpanCluster.min_share` (half) of the item's workers are in it.
- **Boundaries.** The start is the mode of the cluster's start offsets, or their lower
  median when no single offset is the most frequent (the lower median is always an offset a
  worker chose, and an integer); the same for the end. Since every two spans of a cluster
  overlap (the threshold is above 0), the start is always before the end.
- **Label.** The label most spans of the cluster carry; a tie goes to the label listed first
  in the job's labels. Ground Truth breaks ties randomly; we break them deterministically so
  that the same answers always give the same output.
- **Confidence per entity** = (workers in the cluster / workers on the item) * (spans with
  the chosen label / workers in the cluster), which is the share of the item's workers who
  marked this entity with this label, rounded to 2 decimals. One worker gives 0. The item's
  confidence is the mean over its entities (0 when there are none).
- **No overlaps.** Consolidated entities never overlap: when two do, the more confident one
  stays (on equal confidence, the one that starts first).
- **Output** is Ground Truth's ``{"annotations": {"entities": [...], "labels": [...]}}``,
  entities sorted by start offset, with ``entities`` (confidence per entity, parallel) in
  the details.
- **Workers** are scored per item by the F1 of their spans against the consolidated
  entities: a span counts when its cluster stayed and it carries the consolidated label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median_low
from typing import Any, ClassVar

from quorum import hookimpl
from quorum.consensus import (
    ConsensusAlgorithm,
    ConsensusResult,
    Consolidated,
    WorkerAnswer,
    answers_by_item,
    worker_qualities,
)
from quorum.label_kinds import LabelKind
from quorum_plugins.consensus._geometry import (
    Interval,
    interval_jaccard,
    mean_confidence,
    overlap_clusters,
    shape_agreements,
)


@dataclass(frozen=True)
class MergedSpan:
    """One consolidated entity, its confidence, and which of the item's answers (by
    position) marked it with the consolidated label."""

    label: str
    start: int
    end: int
    confidence: float
    agreeing: frozenset[int]


@dataclass(frozen=True)
class MarkedSpan:
    """One span as one answer marked it."""

    owner: int
    label: str
    interval: Interval


class SpanCluster(ConsensusAlgorithm):
    """Spans clustered across workers by Jaccard overlap; mode boundaries; voted label."""

    name = "span-cluster"
    description = "Entities clustered across workers by overlap; mode boundaries, voted label."
    label_kinds = (LabelKind.SPANS,)

    #: Least Jaccard index between two spans of one cluster.
    threshold: ClassVar[float] = 0.5
    #: Least share of the item's workers a cluster must hold to stay.
    min_share: ClassVar[float] = 0.5

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Cluster the spans of each item into entities, then score workers by the F1 of
        their spans (``state`` is not used: clustering needs nothing from earlier batches)."""
        results: dict[Hashable, Consolidated] = {}
        scores: list[tuple[Hashable, float]] = []
        for item, given in answers_by_item(answers).items():
            entities = self._entities(given, labels)
            results[item] = _consolidated(entities, labels)
            scores += shape_agreements(given, "entities", [e.agreeing for e in entities])
        return ConsensusResult(labels=results, workers=worker_qualities(scores))

    def _entities(self, given: Sequence[WorkerAnswer], labels: Sequence[str]) -> list[MergedSpan]:
        """The consolidated entities of one item, without overlaps, by start offset."""
        marked = [
            MarkedSpan(position, entity["label"], (entity["startOffset"], entity["endOffset"]))
            for position, answer in enumerate(given)
            for entity in answer.answer["entities"]
        ]
        clusters = overlap_clusters(
            [span.owner for span in marked],
            [span.interval for span in marked],
            interval_jaccard,
            self.threshold,
        )
        merged = [
            _merge([marked[index] for index in cluster], labels, len(given))
            for cluster in clusters
            if len(cluster) / len(given) >= self.min_share
        ]
        return _without_overlaps(merged)


def _boundary(offsets: Sequence[int]) -> int:
    """The most frequent offset, or the lower median when no single one is."""
    (first, first_count), *rest = Counter(offsets).most_common(2)
    if rest and rest[0][1] == first_count:
        return int(median_low(offsets))
    return first


def _merge(spans: Sequence[MarkedSpan], labels: Sequence[str], workers: int) -> MergedSpan:
    """One cluster's entity: mode boundaries, the most given label (ties by label order)."""
    order = {label: index for index, label in enumerate(labels)}
    votes = Counter(span.label for span in spans)
    label = min(votes, key=lambda name: (-votes[name], order.get(name, len(order))))
    return MergedSpan(
        label=label,
        start=_boundary([span.interval[0] for span in spans]),
        end=_boundary([span.interval[1] for span in spans]),
        confidence=0.0 if workers == 1 else round(votes[label] / workers, 2),
        agreeing=frozenset(span.owner for span in spans if span.label == label),
    )


def _without_overlaps(entities: Sequence[MergedSpan]) -> list[MergedSpan]:
    """Keep entities from the most confident down, dropping each one that overlaps one
    already kept; return them by start offset."""
    kept: list[MergedSpan] = []
    for entity in sorted(entities, key=lambda e: (-e.confidence, e.start, e.end)):
        if all(entity.end <= other.start or other.end <= entity.start for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: (e.start, e.end))


def _consolidated(entities: Sequence[MergedSpan], labels: Sequence[str]) -> Consolidated:
    """Ground Truth's text-span label, with per-entity confidences in the details."""
    confidences = [entity.confidence for entity in entities]
    return Consolidated(
        value={
            "annotations": {
                "entities": [
                    {"label": entity.label, "startOffset": entity.start, "endOffset": entity.end}
                    for entity in entities
                ],
                "labels": [{"label": label} for label in labels],
            }
        },
        confidence=mean_confidence(confidences),
        details={"entities": [{"confidence": confidence} for confidence in confidences]},
    )


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register ``span-cluster``."""
    return [SpanCluster]

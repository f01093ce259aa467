"""Helpers shared by the built-in consensus plugins for structured labels.

Scoring workers by the F1 of drawn shapes, the mean item confidence, and the overlap
geometry of boxes and text spans: IoU (Jaccard of areas), Jaccard of character ranges, and
clustering of shapes drawn by different workers. None of it is a plugin by itself.

The clustering is greedy complete-linkage agglomeration: the two clusters whose *least*
similar pair of members is the most similar are merged, until no such pair reaches the
threshold. Two shapes of the same owner (worker) are never similar, so a cluster holds at
most one shape per owner, and every pair of members in a cluster overlaps by at least the
threshold. Ties go to the shapes given first, so the same input always gives the same
clusters.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import numpy as np

from quorum.consensus import WorkerAnswer

S = TypeVar("S")

#: A box as ``(left, top, width, height)``, in pixels.
Rect = tuple[float, float, float, float]
#: A character range as ``(start, end)``, end exclusive.
Interval = tuple[int, int]


def mean_confidence(confidences: Sequence[float]) -> float:
    """The mean of per-shape (or per-class) confidences, rounded to 2 decimals; 0 if none."""
    return round(sum(confidences) / len(confidences), 2) if confidences else 0.0


def shape_agreements(
    given: Sequence[WorkerAnswer], key: str, consolidated: Sequence[frozenset[int]]
) -> list[tuple[Hashable, float]]:
    """``(worker, agreement)`` for each of one item's answers, whose shapes are listed
    under ``key``; ``consolidated`` holds, per consolidated shape, the positions in
    ``given`` of the answers that contributed to it.

    The agreement is the F1 score of the answer's shapes against the consolidated ones:
    twice the answer's shapes that made it into a consolidated shape, over the answer's
    shapes plus the consolidated shapes. Both empty is full agreement.
    """
    scores: list[tuple[Hashable, float]] = []
    for position, answer in enumerate(given):
        matched = sum(position in contributors for contributors in consolidated)
        total = len(answer.answer[key]) + len(consolidated)
        scores.append((answer.worker, 1.0 if total == 0 else 2 * matched / total))
    return scores


def box_iou(a: Rect, b: Rect) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(width, 0.0) * max(height, 0.0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def interval_jaccard(a: Interval, b: Interval) -> float:
    """Shared characters over characters covered by either of two ranges."""
    inter = max(min(a[1], b[1]) - max(a[0], b[0]), 0)
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union > 0 else 0.0


def overlap_clusters(
    owners: Sequence[Hashable],
    shapes: Sequence[S],
    similarity: Callable[[S, S], float],
    threshold: float,
) -> list[list[int]]:
    """Cluster ``shapes`` (drawn by ``owners``, parallel) so that each cluster holds at
    most one shape per owner and every two members have ``similarity >= threshold``.

    Returns the clusters as sorted lists of indices into ``shapes``, ordered by their first
    index; a shape that matches nothing is a cluster of its own.
    """
    count = len(shapes)
    link = np.full((count, count), -np.inf)
    for i in range(count):
        for j in range(i + 1, count):
            if owners[i] != owners[j]:
                link[i, j] = link[j, i] = similarity(shapes[i], shapes[j])
    members = {index: [index] for index in range(count)}
    while len(members) > 1:
        a, b = (int(index) for index in np.unravel_index(np.argmax(link), link.shape))
        if link[a, b] < threshold:
            break
        link[a] = np.minimum(link[a], link[b])
        link[:, a] = link[a]
        link[a, a] = -np.inf
        link[b] = link[:, b] = -np.inf
        members[a] += members.pop(b)
    return sorted(sorted(cluster) for cluster in members.values())

"""The confidence threshold at or above which the model's labels are trusted.

The rule
--------
The evidence is the model's cross-validated predictions on the human-labeled items: each
item's confidence (its top class probability) and whether that prediction matched the human
label. For a candidate threshold ``t`` the *covered* items are those with confidence ``>= t``;
``k`` of the ``n`` covered items are correct. ``t`` passes when the one-sided Clopper-Pearson
lower bound on the accuracy of covered items, at level ``1 - alpha``
(``scipy.stats.beta.ppf(alpha, k, n - k + 1)``), reaches the target: the hypothesis "items at
or above ``t`` are less accurate than the target" is rejected at level ``alpha``.

The candidates are the distinct confidences, tested as a **fixed sequence** (Learn then Test,
Angelopoulos et al., 2021): from the highest downwards, stopping at the first that fails. The
chosen threshold is the last one that passed. The order depends on the confidences alone,
never on correctness, so the chance that the chosen threshold's accuracy is in truth below the
target is at most ``alpha``, with no multiple-testing correction.

Too few items: a threshold covering few items cannot pass even when the model is always
right (with perfect labels, 59 items for target 0.95 and alpha 0.05: ``0.95 ** 59 < 0.05``),
and testing it first would end the sequence there. So the sequence starts at the first
threshold that a model that is always right would pass with probability ``START_POWER``
(0.95; with noisy labels its agreement is Binomial(covered, label accuracy), so the start
comes later than with perfect ones). The start depends on the confidences and the label
accuracies alone, never on correctness, so the guarantee holds. Starting where even a
perfect model passes only half the time (measured with ``benchmarks/auto_labeling_offline.py``)
ended the sequence at its first test in most iterations with noisy labels. When there is no such
threshold, or the first tested one fails, the result is ``value=None``: label nothing by
machine this time.

Noisy reference labels
----------------------
When the human labels are themselves right with probability ``q < 1`` (consolidated from
workers who err), a model of accuracy ``a`` agrees with them at rate
``g = a q + (1 - a)(1 - q) c``, where ``c`` is the unknown chance that a wrong label and a
wrong prediction coincide. So ``a >= min(g / q, (g - (1 - q)) / (2 q - 1))`` whatever ``c``
(the first term is the case ``c = 0``, the second ``c = 1``, as with two classes); applied to
the lower bound of ``g`` this bounds ``a``. Pass ``label_accuracy`` (one number, or per item
the probability that its label is right, e.g. the consolidation's posterior; averaged over
the covered items) to use it. Items whose labels are less sure than a cut (those the workers
split on) are left out of the evidence: they add much noise and little information. How sure
is sure enough depends on the model: a nearly perfect one is judged best on the few labels
all workers agreed on, a weaker one on more labels. So the rule runs the fixed sequence on
the items above ``min_label_accuracy`` and on those above the stricter cut ``CUTS`` (0.99:
with three workers who are right 80 % of the time, the labels they all agreed on), each at
level ``alpha / 2`` (Bonferroni; one set and the full ``alpha`` when both cuts keep the
same items, as with perfect labels or one label accuracy for all items), and takes the
lower threshold of the two that passed. Measured with ``benchmarks/auto_labeling_offline.py``
(three 80 %-accurate workers per item): on digits the unanimous labels alone gave 82-86 %
machine-labeled against 71-82 % with every label of posterior 0.9 or more; on
Fashion-MNIST the other way round (46 % against 60 %); both sets at ``alpha / 2`` gave
78-82 % and 57 %. With posteriors from Dawid-Skene, which spread over many values, more
cuts (0.95, 0.99 and 0.999) kept four different sets at ``alpha / 4`` each and labeled a
point fewer items by machine on digits than the two cuts (74.8 % against 75.9 %). Both
steps assume that the humans' mistakes do not
depend on whether the model is right. ``label_accuracy`` must not be underestimated (a
capped or rounded confidence, such as Ground Truth's at most 0.95, would overstate the
model); the default ``1.0`` takes the human labels as the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Threshold:
    """The chosen threshold and the evidence for it.

    ``value`` is the confidence at or above which items may be machine-labeled (``None``:
    none may); ``covered`` and ``correct`` count the cross-validated items at or above it
    (those used as evidence) and those whose prediction matched the human label;
    ``estimated_accuracy`` is the point estimate of the model's accuracy on them and
    ``lower_bound`` its one-sided lower confidence bound, which met the target.
    """

    value: float | None
    covered: int
    correct: int
    estimated_accuracy: float | None
    lower_bound: float | None


#: The sequence starts where a model that is always right would pass this often.
START_POWER = 0.95
#: Stricter cuts on the label accuracy of the evidence, tried beside ``min_label_accuracy``.
CUTS = (0.99,)

NO_THRESHOLD = Threshold(
    value=None, covered=0, correct=0, estimated_accuracy=None, lower_bound=None
)


def clopper_pearson_lower(
    correct: npt.NDArray[np.float64], total: npt.NDArray[np.float64], alpha: float
) -> npt.NDArray[np.float64]:
    """One-sided ``1 - alpha`` Clopper-Pearson lower bounds on success rates, elementwise:
    ``correct`` successes out of ``total`` trials (0 when there is no success)."""
    from scipy.stats import beta  # scipy.stats takes 0.4 s to import

    with np.errstate(invalid="ignore"):
        bound = beta.ppf(alpha, correct, total - correct + 1)
    return np.where(correct > 0, np.nan_to_num(bound, nan=0.0), 0.0).astype(np.float64)


def corrected_accuracy(
    agreement: npt.NDArray[np.float64], label_accuracy: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The model's accuracy implied by its ``agreement`` rate with labels that are right at
    rate ``label_accuracy`` (> 0.5), taking the worse of the two extreme cases (module
    docstring); equal to ``agreement`` when the labels are perfect. Clipped to [0, 1]."""
    q = label_accuracy
    accuracy = np.minimum(agreement / q, (agreement - (1.0 - q)) / (2.0 * q - 1.0))
    return np.clip(accuracy, 0.0, 1.0)


def perfect_model_bound(
    covered: npt.NDArray[np.float64], label_accuracy: npt.NDArray[np.float64], alpha: float
) -> npt.NDArray[np.float64]:
    """The lower bound that a model that is always right reaches with probability
    ``START_POWER`` on ``covered`` items whose labels are right at rate ``label_accuracy``."""
    from scipy.stats import binom

    likely = np.minimum(binom.ppf(1.0 - START_POWER, covered, label_accuracy), covered)
    return corrected_accuracy(clopper_pearson_lower(likely, covered, alpha), label_accuracy)


def choose_threshold(
    confidence: npt.NDArray[np.floating],
    correct: npt.NDArray[np.bool_],
    target: float,
    *,
    alpha: float = 0.05,
    label_accuracy: float | npt.NDArray[np.floating] = 1.0,
    min_label_accuracy: float = 0.9,
) -> Threshold:
    """The lowest confidence threshold whose covered items meet ``target`` accuracy with
    confidence ``1 - alpha``, by the fixed-sequence rule of the module docstring.

    :param confidence: each cross-validated item's confidence (top class probability).
    :param correct: whether each item's prediction matched its human label.
    :param target: the accuracy that machine-labeled items must reach, in (0, 1).
    :param alpha: the error level of the bound, in (0, 1).
    :param label_accuracy: how likely the human labels are right, overall or per item, in
        [0, 1]; 1.0 takes them as the truth.
    :param min_label_accuracy: items whose ``label_accuracy`` is lower are never used
        (stricter cuts are tried too, as the module docstring says); above 0.5.
    :return: the threshold, or ``Threshold(value=None, ...)`` when none passes.
    :raises ValueError: on inputs of different lengths or values out of range.
    """
    conf = np.asarray(confidence, dtype=np.float64)
    hits = np.asarray(correct, dtype=bool)
    if conf.ndim != 1 or conf.shape != hits.shape:
        raise ValueError(
            f"confidence and correct must be 1-D and of one length, got shapes "
            f"{conf.shape} and {hits.shape}"
        )
    if not 0.0 < target < 1.0:
        raise ValueError(f"target: must be between 0 and 1 (exclusive), got {target}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha: must be between 0 and 1 (exclusive), got {alpha}")
    if np.isnan(conf).any():
        raise ValueError("confidence: contains NaN")
    quality = np.broadcast_to(np.asarray(label_accuracy, dtype=np.float64), conf.shape)
    if quality.size and not (np.all(quality >= 0.0) and np.all(quality <= 1.0)):
        raise ValueError("label_accuracy: every value must be between 0 and 1")
    if not 0.5 < min_label_accuracy <= 1.0:
        raise ValueError(
            f"min_label_accuracy: must be above 0.5 and at most 1, got {min_label_accuracy}"
        )
    subsets: list[npt.NDArray[np.bool_]] = []
    for cut in [min_label_accuracy, *(c for c in CUTS if c > min_label_accuracy)]:
        kept = quality >= cut
        if kept.any() and not any(np.array_equal(kept, seen) for seen in subsets):
            subsets.append(kept)
    best = NO_THRESHOLD
    for kept in subsets:
        found = fixed_sequence(conf[kept], hits[kept], quality[kept], target, alpha / len(subsets))
        if found.value is not None and (best.value is None or found.value < best.value):
            best = found
    return best


def fixed_sequence(
    conf: npt.NDArray[np.float64],
    hits: npt.NDArray[np.bool_],
    quality: npt.NDArray[np.float64],
    target: float,
    alpha: float,
) -> Threshold:
    """The fixed-sequence test of the module docstring on one set of evidence."""
    if conf.size == 0:
        return NO_THRESHOLD
    order = np.argsort(-conf, kind="stable")
    conf, hits, quality = conf[order], hits[order], quality[order]
    # One candidate per distinct confidence: the last position of each run of equal values.
    ends = np.flatnonzero(np.append(conf[1:] != conf[:-1], True))
    covered = (ends + 1).astype(np.float64)
    right = np.cumsum(hits)[ends].astype(np.float64)
    q = np.cumsum(quality)[ends] / covered
    bound = corrected_accuracy(clopper_pearson_lower(right, covered, alpha), q)
    # A model that is always right agrees with the right labels: Binomial(n, q) of them.
    testable = np.flatnonzero(perfect_model_bound(covered, q, alpha) >= target)
    if testable.size == 0:
        return NO_THRESHOLD
    start = int(testable[0])
    failed = np.flatnonzero(bound[start:] < target)
    stop = start + int(failed[0]) if failed.size else len(ends)
    if stop == start:
        return NO_THRESHOLD
    chosen = stop - 1
    n, k = int(covered[chosen]), int(right[chosen])
    return Threshold(
        value=float(conf[ends[chosen]]),
        covered=n,
        correct=k,
        estimated_accuracy=float(corrected_accuracy(np.array([k / n]), q[chosen : chosen + 1])[0]),
        lower_bound=float(bound[chosen]),
    )

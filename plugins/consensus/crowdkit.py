"""Consensus algorithms from crowd-kit (Toloka's crowdsourcing toolkit), for single-label answers.

``crowdkit-ds`` (DawidSkene), ``crowdkit-one-coin-ds`` (OneCoinDawidSkene), ``crowdkit-glad``
(GLAD), ``crowdkit-mace`` (MACE), ``crowdkit-wawa`` (Wawa), ``crowdkit-zbs`` (ZeroBasedSkill)
and ``crowdkit-mv`` (MajorityVote), each with crowd-kit's default parameters. The label is
the aggregator's; its confidence is the aggregator's posterior for that label (``probas_``),
or the share of votes where an aggregator has none, rounded to 2 decimals. A worker's
accuracy is the aggregator's skill estimate (``skills_``) or, for Dawid-Skene, the
probability of a right answer under their confusion matrix (``errors_`` weighted by
``priors_``); ``None`` for GLAD and MACE, whose worker parameters are not accuracies.

crowd-kit is an optional extra (``pip install 'quorum-labeling[crowdkit]'``). Without it this
plugin registers nothing and says so in the log; it imports crowd-kit (and pandas) only
when one of its algorithms first runs, so the module itself always imports, and a crowd-kit
that is installed but does not import fails that consolidation with a :class:`PluginError`
that says why.

Versions. crowd-kit 1.4.2 is its newest release on PyPI. It runs on what Quorum installs
(checked with scikit-learn 1.9.1, numpy 2.4, scipy 1.17 and pandas 2.3) but for one thing:
from scikit-learn 1.6 on, ``check_is_fitted`` asks every estimator for ``__sklearn_tags__``,
which crowd-kit's attrs classes lack, so Wawa and ZeroBasedSkill fail with
``AttributeError``. This plugin gives the aggregators scikit-learn's default tags
(:func:`_with_sklearn_tags`; a no-op on older scikit-learn or a crowd-kit that has them);
their labels then match crowd-kit 1.4.2 on scikit-learn 1.5. With pandas 3 crowd-kit still
works but warns on every call (``copy=`` and ``inplace=`` deprecations), so the extra asks
for pandas 2. crowd-kit's requirements also bring transformers, tokenizers, pyarrow and
nltk (about 400 MB in all); of those, the classification aggregators only import nltk.

GLAD and MACE are slow: on 15,567 answers (zhou-web) they took 29 s and 11 s on a 2-CPU
machine, against under a second for the others.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import logging
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from quorum import hookimpl
from quorum.consensus import (
    ConsensusAlgorithm,
    ConsensusResult,
    Consolidated,
    WorkerAnswer,
    WorkerQuality,
)
from quorum.errors import PluginError
from quorum.label_kinds import LabelKind

logger = logging.getLogger("quorum.plugins.crowdkit")

# crowd-kit and pandas are imported with importlib: they are optional, and mypy must pass
# with and without them (their objects are Any here).
AGGREGATION = "crowdkit.aggregation"


def _numbered(ids: Sequence[Hashable]) -> list[Hashable]:
    """The distinct ``ids``, sorted as crowd-kit would sort them itself (MACE's random start
    depends on that order), or in order of appearance where they do not sort."""
    distinct: list[Any] = list(dict.fromkeys(ids))
    with contextlib.suppress(TypeError):
        distinct.sort()
    return distinct


@dataclass(frozen=True)
class _Encoded:
    """A batch's answers as crowd-kit's ``task, worker, label`` table, with items and workers
    numbered so that ids of any hashable type work."""

    items: list[Hashable]
    workers: list[Hashable]
    tasks: list[int]
    annotators: list[int]
    labels: list[str]

    @classmethod
    def of(cls, answers: Sequence[WorkerAnswer]) -> _Encoded:
        """Number the items and workers of ``answers``."""
        items = _numbered([answer.item for answer in answers])
        workers = _numbered([answer.worker for answer in answers])
        item_number = {item: number for number, item in enumerate(items)}
        worker_number = {worker: number for number, worker in enumerate(workers)}
        return cls(
            items=items,
            workers=workers,
            tasks=[item_number[answer.item] for answer in answers],
            annotators=[worker_number[answer.worker] for answer in answers],
            labels=[str(answer.answer["label"]) for answer in answers],
        )

    def frame(self) -> Any:
        """The answers as a pandas ``DataFrame``."""
        pandas = importlib.import_module("pandas")
        return pandas.DataFrame(
            {"task": self.tasks, "worker": self.annotators, "label": self.labels}
        )

    def votes(self) -> list[Counter[str]]:
        """How many workers chose each label, per item number."""
        counts: list[Counter[str]] = [Counter() for _ in self.items]
        for task, label in zip(self.tasks, self.labels, strict=True):
            counts[task][label] += 1
        return counts


def _with_sklearn_tags(aggregator: type[Any]) -> type[Any]:
    """``aggregator``, or a subclass with scikit-learn's default estimator tags where
    scikit-learn asks for them (>= 1.6) and crowd-kit does not provide them."""
    from sklearn.base import BaseEstimator

    tags = getattr(BaseEstimator, "__sklearn_tags__", None)
    if tags is None or hasattr(aggregator, "__sklearn_tags__"):
        return aggregator
    return type(aggregator.__name__, (aggregator,), {"__sklearn_tags__": tags})


@functools.cache
def _aggregator_class(name: str) -> type[Any]:
    """crowd-kit's aggregator class ``name``, ready for the installed scikit-learn.

    :raises PluginError: when crowd-kit is installed but does not import.
    """
    try:
        aggregation = importlib.import_module(AGGREGATION)
    except ImportError as exc:
        raise PluginError(f"crowd-kit is installed but does not import ({exc})") from exc
    aggregator: type[Any] = getattr(aggregation, name)
    return _with_sklearn_tags(aggregator)


def _posteriors(model: Any) -> dict[int, dict[str, float]] | None:
    """Per item number, the fitted model's probability of each label (``None`` without)."""
    probas = getattr(model, "probas_", None)
    if probas is None:
        return None
    table: dict[int, dict[str, float]] = probas.to_dict("index")
    return table


def _accuracies(model: Any) -> dict[int, float]:
    """Per worker number, the fitted model's estimate of their accuracy, where it has one."""
    skills = getattr(model, "skills_", None)
    if skills is not None:
        return {int(worker): float(skill) for worker, skill in skills.items()}
    errors, priors = getattr(model, "errors_", None), getattr(model, "priors_", None)
    if errors is None or priors is None:
        return {}
    accuracy: defaultdict[int, float] = defaultdict(float)
    for (worker, answered), row in errors.iterrows():
        if answered in priors.index:
            accuracy[int(worker)] += float(priors[answered] * row[answered])
    return dict(accuracy)


def _confidence(label: str, votes: Counter[str], posterior: Mapping[str, float] | None) -> float:
    """The posterior of ``label``, or its share of the votes, rounded to 2 decimals."""
    share = posterior[label] if posterior is not None else votes[label] / votes.total()
    return round(float(share), 2)


def _worker_quality(
    encoded: _Encoded, chosen: Mapping[int, str], accuracies: Mapping[int, float]
) -> dict[Hashable, WorkerQuality]:
    """Answers, agreement with the chosen labels, and estimated accuracy of every worker."""
    given: Counter[int] = Counter(encoded.annotators)
    rows = zip(encoded.tasks, encoded.annotators, encoded.labels, strict=True)
    agreed: Counter[int] = Counter(worker for task, worker, label in rows if chosen[task] == label)
    return {
        encoded.workers[worker]: WorkerQuality(
            answers=count, agreement=agreed[worker] / count, accuracy=accuracies.get(worker)
        )
        for worker, count in given.items()
    }


class CrowdKitAlgorithm(ConsensusAlgorithm):
    """Runs the crowd-kit classification aggregator named :attr:`aggregator` on a batch."""

    #: The class's name in ``crowdkit.aggregation``.
    aggregator: ClassVar[str]
    label_kinds = (LabelKind.SINGLE_LABEL,)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        """Fit the aggregator on the batch (crowd-kit learns nothing across batches, so
        ``state`` is not used, and it labels from the answers alone, not ``labels``)."""
        if not answers:
            return ConsensusResult(labels={})
        encoded = _Encoded.of(answers)
        model = _aggregator_class(self.aggregator)()
        predicted = model.fit_predict(encoded.frame())
        chosen = {int(task): str(label) for task, label in predicted.items()}
        posteriors = _posteriors(model)
        votes = encoded.votes()
        results = {
            encoded.items[task]: Consolidated(
                value=label,
                confidence=_confidence(
                    label, votes[task], None if posteriors is None else posteriors[task]
                ),
                details={"votes": dict(votes[task])},
            )
            for task, label in chosen.items()
        }
        workers = _worker_quality(encoded, chosen, _accuracies(model))
        return ConsensusResult(labels=results, workers=workers)


class CrowdKitDawidSkene(CrowdKitAlgorithm):
    """crowd-kit's ``DawidSkene``."""

    name = "crowdkit-ds"
    description = "crowd-kit's Dawid-Skene: EM over a confusion matrix per worker."
    aggregator = "DawidSkene"


class CrowdKitOneCoinDawidSkene(CrowdKitAlgorithm):
    """crowd-kit's ``OneCoinDawidSkene``."""

    name = "crowdkit-one-coin-ds"
    description = "crowd-kit's one-coin Dawid-Skene: EM over one accuracy per worker."
    aggregator = "OneCoinDawidSkene"


class CrowdKitGLAD(CrowdKitAlgorithm):
    """crowd-kit's ``GLAD``."""

    name = "crowdkit-glad"
    description = "crowd-kit's GLAD: worker expertise and item difficulty (slow)."
    aggregator = "GLAD"


class CrowdKitMACE(CrowdKitAlgorithm):
    """crowd-kit's ``MACE``."""

    name = "crowdkit-mace"
    description = "crowd-kit's MACE: competence and spamming per worker (slow)."
    aggregator = "MACE"


class CrowdKitWawa(CrowdKitAlgorithm):
    """crowd-kit's ``Wawa``."""

    name = "crowdkit-wawa"
    description = "crowd-kit's Wawa: votes weighted by agreement with majority vote."
    aggregator = "Wawa"


class CrowdKitZeroBasedSkill(CrowdKitAlgorithm):
    """crowd-kit's ``ZeroBasedSkill``."""

    name = "crowdkit-zbs"
    description = "crowd-kit's zero-based skill: weighted votes, skills learned by descent."
    aggregator = "ZeroBasedSkill"


class CrowdKitMajorityVote(CrowdKitAlgorithm):
    """crowd-kit's ``MajorityVote``."""

    name = "crowdkit-mv"
    description = "crowd-kit's majority vote."
    aggregator = "MajorityVote"


ALGORITHMS: tuple[type[CrowdKitAlgorithm], ...] = (
    CrowdKitDawidSkene,
    CrowdKitOneCoinDawidSkene,
    CrowdKitGLAD,
    CrowdKitMACE,
    CrowdKitWawa,
    CrowdKitZeroBasedSkill,
    CrowdKitMajorityVote,
)


def crowdkit_installed() -> bool:
    """Whether crowd-kit's aggregators are installed (found, not imported: importing them and
    scikit-learn takes a second, which every ``quorum`` command would wait for); the log says
    when they are not."""
    try:
        found = importlib.util.find_spec(AGGREGATION) is not None
    except ImportError:  # its package is missing or made unimportable
        found = False
    if not found:
        logger.info(
            "crowd-kit is not installed: no crowdkit-* consensus algorithms "
            "(pip install 'quorum-labeling[crowdkit]' adds them)"
        )
    return found


@hookimpl
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Register the ``crowdkit-*`` algorithms, or nothing when crowd-kit is not installed."""
    return ALGORITHMS if crowdkit_installed() else ()

"""The active-learning loop: one iteration each time a job's human batch is done.

A job with ``autoLabeling`` on starts with every item closed to workers
(:mod:`quorum.runner.ingest`). The runner then repeats, whenever no item of the job is open
to workers or being answered:

1. **First batch.** With no human label yet, ``initialBatch`` items (by default 5 % of the
   job's items, 150 to 1,000) drawn at random go to people (``batch.sent``, reason
   ``initial``).
2. **Train and choose a threshold.** The job's model (a ``quorum_auto_labelers`` plugin) is
   cross-validated on *every* consolidated human label (``folds`` folds; no label is set
   aside for validation, unlike Ground Truth's 10-20 %). From those out-of-fold
   predictions :func:`quorum.active_learning.threshold.choose_threshold` picks the lowest
   confidence whose items reach ``targetAccuracy`` *at the lower bound* of a one-sided
   ``confidenceLevel`` interval, not at the point estimate.
3. **Label by machine.** A model fitted on all human labels predicts every waiting item;
   those at or above the threshold are labeled ``MACHINE_LABELED`` (``human-annotated:
   "no"``, the model's probability as ``confidence``), each with an ``item.labeled`` event.
4. **Next batch.** Of the rest, :func:`quorum.active_learning.selection.next_batch` picks
   up to ``batchSize`` (by default 1.5 % of the items, 25 to 1,000; fewer when
   ``maxHumanLabeledItems`` leaves less) that the model is least sure of, spread over the
   feature space, and opens them to people.

Each iteration is a :class:`~quorum.models.ModelRun` and a ``model_run.finished`` event.
A model plugin that raises fails its iteration (``FAILED``, with the error) and the job
goes on: the next batch is drawn at random, and the next iteration tries again. With fewer
than two classes among the human labels the iteration is ``SKIPPED`` the same way. The job
ends as any other: complete when nothing waits, stopped by ``maxHumanLabeledItems`` or
``maxLabeledPercentage`` (:mod:`quorum.runner.lifecycle`).

With ``validation: holdout`` (Ground Truth's protocol, kept for comparison) a fixed share
of the items (20 %, or 10 % from 5,000 items on; chosen by a hash of the item id, so no
state is kept) goes to people with the first batch and serves only to choose the
threshold: the model never trains on it. With ``selection: random`` the next batch is a
random sample.

The iteration runs on the runner (never in a request) while it holds the job's lease, so
two runners never train the same job at once. Features are computed once per item and
kept in the runner's memory (:class:`FeatureCache`); a restarted runner computes them
again.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func
from sqlmodel import Session, col, select
from threadpoolctl import threadpool_limits

from quorum import audit
from quorum.active_learning.cross_validation import cross_validated_proba, take_rows
from quorum.active_learning.selection import next_batch
from quorum.active_learning.threshold import Threshold, choose_threshold
from quorum.auto_labelers import AutoLabeler, Features, ModelInput
from quorum.consensus import Consolidated
from quorum.db.engine import Database
from quorum.db.rows import run_many
from quorum.events import BatchSent, Event, ItemLabeled, ModelRunFinished
from quorum.models import Item, Job, ModelRun
from quorum.output_manifest import label_fragment, labeled_output
from quorum.plugins import PluginHost
from quorum.runner import consolidation, lifecycle
from quorum.services.auto_labeling import AutoLabelingSettings
from quorum.services.jobs import counters
from quorum.statuses import ItemStatus, JobStatus, ModelRunStatus, utcnow
from quorum.tenancy import read_job_storage

logger = logging.getLogger("quorum.runner")

#: Ground Truth's validation set: 20 % of the dataset, 10 % from 5,000 items on.
HOLDOUT_SHARES = ((5_000, 0.1), (0, 0.2))

#: Human labels less sure than this are not trained or judged on (``_human_labels``).
MIN_TRAINING_POSTERIOR = 0.5

#: Items featurized per call to the model's ``featurize`` (bounds memory for large jobs).
FEATURIZE_CHUNK = 2_000

_MACHINE_LABEL = (
    "UPDATE items SET status = :status, output = :output, confidence = :confidence, "
    "labeled_at = :now WHERE id = :id AND status = :unlabeled AND open = :false"
)
_OPEN = "UPDATE items SET open = :true WHERE id = :id AND status = :unlabeled"


@dataclass
class _JobFeatures:
    rows: dict[int, int] = field(default_factory=dict)
    chunks: list[Features] = field(default_factory=list)


class FeatureCache:
    """Each item's features, computed once: per job, for the ``max_jobs`` jobs used last."""

    def __init__(self, max_jobs: int = 4) -> None:
        self.max_jobs = max_jobs
        self._jobs: OrderedDict[int, _JobFeatures] = OrderedDict()

    def features(
        self,
        job_id: int,
        item_ids: Sequence[int],
        load: Callable[[Sequence[int]], list[ModelInput]],
        model: AutoLabeler,
    ) -> Features:
        """Rows for ``item_ids``, in that order; items never seen are loaded with ``load``
        and featurized with ``model``, a chunk at a time."""
        cached = self._jobs.pop(job_id, None) or _JobFeatures()
        self._jobs[job_id] = cached
        while len(self._jobs) > self.max_jobs:
            self._jobs.popitem(last=False)
        missing = [item_id for item_id in item_ids if item_id not in cached.rows]
        for start in range(0, len(missing), FEATURIZE_CHUNK):
            chunk = missing[start : start + FEATURIZE_CHUNK]
            rows = model.featurize(load(chunk))
            number = len(cached.chunks)
            cached.chunks.append(rows)
            for offset, item_id in enumerate(chunk):
                cached.rows[item_id] = number * FEATURIZE_CHUNK + offset
        return _gather(cached, item_ids)

    def forget(self, job_id: int) -> None:
        """Drop a job's features (it ended)."""
        self._jobs.pop(job_id, None)


def _gather(cached: _JobFeatures, item_ids: Sequence[int]) -> Features:
    """The rows of ``item_ids`` from the cached chunks, stacked like the chunks are."""
    positions = np.array([cached.rows[item_id] for item_id in item_ids], dtype=np.int64)
    chunk_of, offset = np.divmod(positions, FEATURIZE_CHUNK)
    pieces = []
    for number in np.unique(chunk_of):
        wanted = np.flatnonzero(chunk_of == number)
        pieces.append((wanted, take_rows(cached.chunks[number], offset[wanted])))
    return _stack(pieces, len(item_ids))


def _stack(pieces: list[tuple[npt.NDArray[np.int64], Features]], count: int) -> Features:
    """Rows from several chunks back in the order asked for."""
    if not pieces:
        return []
    order = np.argsort(np.concatenate([wanted for wanted, _ in pieces]), kind="stable")
    first = pieces[0][1]
    if isinstance(first, list):
        merged = [row for _, rows in pieces for row in rows]
        return [merged[index] for index in order]
    if hasattr(first, "tocsr"):  # scipy.sparse
        import scipy.sparse

        return scipy.sparse.vstack([rows for _, rows in pieces]).tocsr()[order]
    return np.concatenate([np.asarray(rows) for _, rows in pieces])[order]


@dataclass
class _Outcome:
    """What one iteration decided."""

    status: ModelRunStatus
    training_size: int
    threshold: Threshold | None = None
    labeled: list[tuple[int, int, float]] = field(default_factory=list)  # id, class, p
    send: list[int] = field(default_factory=list)
    reason: str = "uncertain"
    error: str | None = None


@dataclass(frozen=True)
class _Loop:
    """What an iteration works with."""

    db: Database
    plugins: PluginHost
    cache: FeatureCache
    job: Job
    settings: AutoLabelingSettings

    @property
    def job_id(self) -> int:
        assert self.job.id is not None
        return self.job.id


def advance(
    db: Database,
    plugins: PluginHost,
    cache: FeatureCache,
    job_id: int,
    lease_seconds: float = lifecycle.JOB_LEASE_SECONDS,
) -> bool:
    """Run one iteration of ``job_id``'s loop if its human batch is done and items wait,
    holding the job under a lease of ``lease_seconds``; ``True`` if it did."""
    with db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        settings = AutoLabelingSettings.from_json(job.auto_labeling)
        if settings is None or job.status != JobStatus.IN_PROGRESS:
            return False
        if _human_work_pending(session, job_id) or not _has_waiting(session, job_id):
            return False
    lease = lifecycle.JobLease(db, job_id, lease_seconds)
    if not lease.take():
        return False
    try:
        return _iterate(_Loop(db, plugins, cache, job, settings))
    finally:
        lease.release()


def _human_work_pending(session: Session, job_id: int) -> bool:
    """Whether an item is open to workers or has answers waiting for consolidation."""
    pending = select(Item.id).where(
        Item.job_id == job_id,
        col(Item.open) | (col(Item.status) == ItemStatus.IN_PROGRESS),
    )
    return session.exec(pending.limit(1)).first() is not None


def _waiting_query(job_id: int) -> Any:
    """Items closed to workers and unlabeled: what the loop has still to decide."""
    return select(Item.id).where(
        Item.job_id == job_id,
        Item.status == ItemStatus.UNLABELED,
        col(Item.open).is_(False),
    )


def _has_waiting(session: Session, job_id: int) -> bool:
    return session.exec(_waiting_query(job_id).limit(1)).first() is not None


@dataclass(frozen=True)
class _HumanLabels:
    """The human-labeled items, their class indices, and the chance each label is right."""

    ids: list[int]
    classes: npt.NDArray[np.int64]
    accuracy: npt.NDArray[np.float64]


def _human_labels(session: Session, plugins: PluginHost, job: Job) -> _HumanLabels:
    """Human-labeled items, their class indices, and the chance each label is right.

    Items with several answers are decided again all together
    (:func:`quorum.runner.consolidation.redecide`): the consensus algorithm's uncapped
    posterior of the label is the chance it is right, which the threshold rule discounts
    the model's agreement by. A single answer, or a label without a posterior, is taken as
    the truth. Should deciding again fail (a consensus or post-annotation plugin that
    raises), the stored labels and posteriors serve. Labels more likely wrong than right
    (posterior below ``MIN_TRAINING_POSTERIOR``: the workers split three ways) are left
    out: they would mostly teach the model mistakes (on digits with three 80 %-accurate
    workers they are 8 % of the items and two thirds of the wrong labels).
    """
    items = session.exec(
        select(Item)
        .where(Item.job_id == job.id, Item.status == ItemStatus.HUMAN_LABELED)
        .order_by(col(Item.id))
    ).all()
    shared = [item for item in items if item.answers_count > 1]
    try:
        redecided = consolidation.redecide(session, plugins, job, shared)
    except Exception:  # a plugin's failure must not stop the runner: the stored labels serve
        logger.exception("deciding the human labels of job %s again failed", job.name)
        redecided = {}
    attribute = job.label_attribute_name
    ids, classes, accuracy = [], [], []
    for item in items:
        assert item.id is not None and item.output is not None
        label = redecided.get(item.id)
        if label is not None and label.value in job.labels:
            chosen, posterior = job.labels.index(label.value), consolidation.posterior_of(label)
        else:
            chosen = int(json.loads("{" + item.output + "}")[attribute])
            posterior = item.posterior if item.answers_count > 1 else None
        sure = 1.0 if posterior is None else posterior
        if sure >= MIN_TRAINING_POSTERIOR:
            ids.append(item.id)
            classes.append(chosen)
            accuracy.append(sure)
    return _HumanLabels(
        ids, np.array(classes, dtype=np.int64), np.array(accuracy, dtype=np.float64)
    )


def _human_budget(job: Job, human_labeled: int) -> int | None:
    """How many more items people may label under ``maxHumanLabeledItems``, given
    ``human_labeled`` so far (``None``: no limit)."""
    if job.max_human_labeled_items is None:
        return None
    return max(job.max_human_labeled_items - human_labeled, 0)


def _limit(size: int, budget: int | None) -> int:
    return size if budget is None else min(size, budget)


def holdout_share(total: int) -> float:
    """The share of a dataset of ``total`` items that Ground Truth sets aside."""
    return next(share for smallest, share in HOLDOUT_SHARES if total >= smallest)


def in_holdout(item_id: int, share: float) -> bool:
    """Whether an item belongs to the holdout validation set: a multiplicative hash of its
    id, so membership needs no stored state and is about ``share`` of the items."""
    return (item_id * 2_654_435_761) % 2**32 < share * 2**32


def _iterate(loop: _Loop) -> bool:
    with loop.db.read() as session:
        waiting = [int(i) for i in session.exec(_waiting_query(loop.job_id).order_by(col(Item.id)))]
        human = _human_labels(session, loop.plugins, loop.job)
        iteration = int(
            session.exec(
                select(func.count()).select_from(ModelRun).where(ModelRun.job_id == loop.job_id)
            ).one()
        )
        count = counters(session, loop.job_id)
    budget = _human_budget(loop.job, count.human_labeled)
    total = count.total
    if not waiting:
        return False
    seed = loop.job_id * 10_007 + iteration
    holdout = holdout_share(total) if loop.settings.validation == "holdout" else 0.0
    if not human.ids and iteration == 0:
        validation: list[int] = []
        others: list[int] = []
        for item_id in waiting:
            (validation if in_holdout(item_id, holdout) else others).append(item_id)
        size = _limit(loop.settings.first_batch(total) + len(validation), budget)
        chosen = validation[:size]
        chosen += random.Random(seed).sample(others, min(size - len(chosen), len(others)))
        with loop.db.write() as session:
            _open(session, loop.job_id, chosen, "initial")
        return True
    started = time.perf_counter()
    size = _limit(loop.settings.next_batch(total), budget)
    outcome = _decide(loop, waiting, human, size, seed, holdout)
    seconds = time.perf_counter() - started
    with loop.db.write() as session:
        _store(session, loop, iteration, outcome, seconds)
    return True


def _decide(
    loop: _Loop,
    waiting: list[int],
    human: _HumanLabels,
    size: int,
    seed: int,
    holdout: float,
) -> _Outcome:
    """Train, choose the threshold, label and pick the next batch; a model that raises
    makes a ``FAILED`` outcome with a random next batch."""

    def without_model(status: ModelRunStatus, error: str) -> _Outcome:
        chosen = random.Random(seed).sample(waiting, min(size, len(waiting)))
        return _Outcome(status, len(human.ids), send=chosen, reason="random", error=error)

    if len(np.unique(human.classes)) < 2:
        return without_model(
            ModelRunStatus.SKIPPED,
            f"the {len(human.ids)} human labels hold fewer than two classes",
        )
    try:
        # One BLAS thread: the runner shares the machine with the server, and on a busy
        # machine more threads made a PCA fit 10-40 times slower.
        with threadpool_limits(limits=1):
            return _model_outcome(loop, waiting, human, size, seed, holdout)
    except Exception as exc:  # a plugin's failure must not stop the job
        return without_model(
            ModelRunStatus.FAILED, f"{loop.settings.model}: {type(exc).__name__}: {exc}"
        )


def _model_outcome(
    loop: _Loop,
    waiting: list[int],
    human: _HumanLabels,
    size: int,
    seed: int,
    holdout: float,
) -> _Outcome:
    model_class = loop.plugins.auto_labelers.get(loop.settings.model, "autoLabeling.model")

    def make_model() -> AutoLabeler:
        return model_class(loop.job.labels, seed=seed)

    def load(item_ids: Sequence[int]) -> list[ModelInput]:
        return _load_inputs(loop, item_ids)

    model = make_model()
    labeled = loop.cache.features(loop.job_id, human.ids, load, model)
    rest = loop.cache.features(loop.job_id, waiting, load, model)
    judged = np.ones(len(human.ids), dtype=bool)
    if holdout:
        judged = np.array([in_holdout(item_id, holdout) for item_id in human.ids], dtype=bool)
        train = np.flatnonzero(~judged)
        model.fit(take_rows(labeled, train), human.classes[train])
        proba = np.asarray(model.predict_proba(take_rows(labeled, np.flatnonzero(judged))))
    else:
        folds = min(loop.settings.folds, len(human.ids))
        proba = cross_validated_proba(make_model, labeled, human.classes, folds=folds, seed=seed)
        model.fit(labeled, human.classes)
    threshold = choose_threshold(
        proba.max(axis=1),
        proba.argmax(axis=1) == human.classes[judged],
        loop.settings.target_accuracy,
        alpha=1 - loop.settings.confidence_level,
        label_accuracy=human.accuracy[judged],
    )
    predicted = np.asarray(model.predict_proba(rest), dtype=np.float64)
    top = predicted.max(axis=1)
    machine = np.zeros(len(waiting), dtype=bool)
    if threshold.value is not None:
        machine = top >= threshold.value
    waiting_ids = np.asarray(waiting, dtype=np.int64)
    machine_labels = [
        (int(item_id), int(label), float(p))
        for item_id, label, p in zip(
            waiting_ids[machine], predicted[machine].argmax(axis=1), top[machine], strict=True
        )
    ]
    left = np.flatnonzero(~machine)
    count = min(size, len(left))
    if loop.settings.selection == "random":
        chosen = np.array(random.Random(seed).sample(range(len(left)), count), dtype=np.int64)
    else:
        chosen = next_batch(predicted[left], count, features=take_rows(rest, left), seed=seed)
    return _Outcome(
        ModelRunStatus.SUCCEEDED,
        len(human.ids),
        threshold=threshold,
        labeled=machine_labels,
        send=[int(item_id) for item_id in waiting_ids[left[chosen]]],
    )


def _load_inputs(loop: _Loop, item_ids: Sequence[int]) -> list[ModelInput]:
    """What the model sees of each item: inline text, or the object's bytes."""
    task_type = loop.plugins.task_types.get(loop.job.task_type, "taskType")
    with loop.db.read() as session:
        rows: dict[int | None, str] = dict(
            session.exec(select(Item.id, Item.data).where(col(Item.id).in_(list(item_ids)))).all()
        )
    storage = read_job_storage(loop.db, loop.plugins, loop.job)
    inputs: list[ModelInput] = []
    for item_id in item_ids:
        source = json.loads(rows[item_id])[task_type.source_key]
        if task_type.source_key == "source":
            inputs.append(str(source))
        else:
            inputs.append(storage.read_bytes(source))
    return inputs


def _open(session: Session, job_id: int, item_ids: Sequence[int], reason: str) -> None:
    """Hand ``item_ids`` to workers, with a ``batch.sent`` event."""
    if item_ids:
        run_many(
            session,
            _OPEN,
            [
                {"true": True, "id": item_id, "unlabeled": ItemStatus.UNLABELED.value}
                for item_id in item_ids
            ],
        )
    audit.record(
        session,
        BatchSent(
            actor_id=None, entity_id=job_id, job_id=job_id, items=len(item_ids), reason=reason
        ),
    )


def _store(
    session: Session, loop: _Loop, iteration: int, outcome: _Outcome, seconds: float
) -> None:
    """Write the machine labels, open the next batch, and record the run."""
    job = loop.job
    task_type = loop.plugins.task_types.get(job.task_type, "taskType")
    now = utcnow()
    updates = []
    for item_id, label, probability in outcome.labeled:
        confidence = round(probability, 2)
        value, metadata = labeled_output(
            task_type,
            Consolidated(value=job.labels[label], confidence=confidence),
            job.labels,
            job.name,
            human=False,
        )
        updates.append(
            {
                "status": ItemStatus.MACHINE_LABELED.value,
                "output": label_fragment(job.label_attribute_name, value, metadata),
                "confidence": confidence,
                "now": now,
                "id": item_id,
                "unlabeled": ItemStatus.UNLABELED.value,
                "false": False,
            }
        )
        audit.record(
            session,
            ItemLabeled(
                actor_id=None,
                entity_id=item_id,
                job_id=job.id,
                label=job.labels[label],
                confidence=confidence,
                algorithm=loop.settings.model,
                human=False,
            ),
        )
    if updates:
        run_many(session, _MACHINE_LABEL, updates)
    _open(session, loop.job_id, outcome.send, outcome.reason)
    threshold = outcome.threshold
    run = ModelRun(
        job_id=loop.job_id,
        iteration=iteration + 1,
        model=loop.settings.model,
        status=outcome.status.value,
        training_size=outcome.training_size,
        threshold=None if threshold is None else threshold.value,
        estimated_accuracy=None if threshold is None else threshold.estimated_accuracy,
        accuracy_lower_bound=None if threshold is None else threshold.lower_bound,
        validated_items=0 if threshold is None else threshold.covered,
        items_labeled=len(outcome.labeled),
        items_sent=len(outcome.send),
        seconds=round(seconds, 3),
        error=outcome.error,
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    recorded = {field.name for field in fields(ModelRunFinished)} - {
        field.name for field in fields(Event)
    }
    audit.record(
        session,
        ModelRunFinished(
            actor_id=None,
            entity_id=run.id,
            job_id=job.id,
            **{name: getattr(run, name) for name in recorded},
        ),
    )

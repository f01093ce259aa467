"""The output manifest and the raw worker responses, in Ground Truth's layout.

``<outputPath>/<job name>/manifests/output/output.manifest`` holds one line per input line,
in input order: the input line verbatim with the label attribute and its ``-metadata``
spliced in before its closing brace (an unlabeled line is copied unchanged). Splicing the
stored JSON fragment instead of re-encoding each line is what makes writing fast. The gold
manifest's items (status ``GOLD``) are not part of the dataset and never written.

Raw answers go to ``<job name>/annotations/worker-response/iteration-1/<datasetObjectId>/
<YYYY-MM-DD_HH:MM:SS>.json`` as ``{"answers": [...]}`` with ``answerContent`` under the
crowd element's name, ``workerId``, ``acceptanceTime``, ``submissionTime`` and
``timeSpentInSeconds``.

A reference label (a task type with ``label_is_reference``: semantic-segmentation masks)
is an object of its own at ``<job name>/annotations/consolidated-annotation/output/
<datasetObjectId>_<ISO timestamp><extension>``, and the output line holds its URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from quorum.consensus import Consolidated
from quorum.statuses import ItemStatus
from quorum.storage import Storage, join_url
from quorum.tasktypes import LabelObject, TaskType, answer_content

if TYPE_CHECKING:
    from sqlmodel import Session

    from quorum.models import Item, Job, Task

STREAM_BATCH = 5_000


def output_manifest_url(job: Job) -> str:
    """Where the job's output manifest goes."""
    return join_url(job.output_path, job.name, "manifests/output/output.manifest")


def creation_date() -> str:
    """Ground Truth's ``creation-date``: ISO time without a zone, with microseconds."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def labeled_output(
    task_type: TaskType,
    consolidated: Consolidated,
    labels: Sequence[str],
    job_name: str | None,
    *,
    human: bool = True,
    answers: Sequence[Mapping[str, Any]] = (),
    task_input: Mapping[str, Any] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """The label value and the whole ``-metadata`` object of one output line.

    ``job_name`` is the job's name (written as ``labeling-job/<lowercased name>``); ``None``
    leaves ``job-name`` out (``quorum consolidate`` works without a job). ``answers`` (the
    item's answers) and ``task_input`` (its stored task input) go to the task type's
    :meth:`~quorum.tasktypes.TaskType.answers_metadata`, whose fields come last.
    """
    value, metadata = task_type.output_label(consolidated, labels)
    metadata["type"] = task_type.output_type
    if job_name is not None:
        metadata["job-name"] = f"labeling-job/{job_name.lower()}"
    metadata["human-annotated"] = "yes" if human else "no"
    metadata["creation-date"] = creation_date()
    metadata.update(task_type.answers_metadata(answers, task_input))
    return value, metadata


def label_fragment(attribute: str, value: Any, metadata: dict[str, Any]) -> str:
    """The JSON text spliced into an output line: ``"attr":value,"attr-metadata":{...}``."""
    encoded = json.dumps(
        {attribute: value, f"{attribute}-metadata": metadata}, separators=(",", ":")
    )
    return encoded[1:-1]


def output_line(data: str, fragment: str | None) -> bytes:
    """One output line: the input line with the label fragment spliced in."""
    if fragment is None:
        return data.encode() + b"\n"
    return f"{data[:-1]},{fragment}}}\n".encode()


def output_lines(session: Session, job_id: int) -> Iterator[bytes]:
    """Every output line of a job, in input order, streamed from the database (the gold
    manifest's items left out)."""
    from sqlmodel import col, select  # the ORM is the runner's: quorum consolidate needs none

    from quorum.models import Item

    rows = session.execute(
        select(Item.data, Item.output)
        .where(Item.job_id == job_id, Item.status != ItemStatus.GOLD)
        .order_by(col(Item.position))
        .execution_options(yield_per=STREAM_BATCH)
    )
    for data, fragment in rows:
        yield output_line(data, fragment)


def write_output_manifest(session: Session, storage: Storage, job: Job) -> str:
    """Write the job's output manifest (atomically); returns its URL."""
    assert job.id is not None
    url = output_manifest_url(job)
    storage.write_lines(url, output_lines(session, job.id))
    return url


def worker_id(task: Task) -> str:
    """A worker id in Ground Truth's style for a private workforce."""
    return f"private.quorum.{task.worker_id}"


def _timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def worker_responses_prefix(job: Job) -> str:
    """Where the job's raw answers go: ``<output>/<job>/annotations/worker-response/
    iteration-1`` (one iteration: Quorum sends an item to its workers once)."""
    return join_url(job.output_path, job.name, "annotations/worker-response/iteration-1")


def _last_answer_time(item: Item, tasks: Sequence[Task]) -> datetime:
    """When the item's last answer came in: what names the objects written for it, so
    that a retried consolidation rewrites the same objects."""
    last = max((task.submitted_at for task in tasks if task.submitted_at), default=None)
    return last or item.labeled_at or datetime.now()


def worker_response(
    job: Job, task_type: TaskType, item: Item, tasks: Sequence[Task]
) -> tuple[str, bytes]:
    """One item's raw answers as Ground Truth stores them: the key under
    :func:`worker_responses_prefix` (``<item>/<timestamp>.json``, named after the last
    answer's time, so a retried consolidation rewrites the same file) and the JSON body."""
    stamp = _last_answer_time(item, tasks).strftime("%Y-%m-%d_%H:%M:%S")
    answers = [
        {
            "answerContent": answer_content(task_type, task.answer or {}),
            "acceptanceTime": _timestamp(task.accepted_at),
            "submissionTime": _timestamp(task.submitted_at),
            "timeSpentInSeconds": task.time_spent_seconds,
            "workerId": worker_id(task),
        }
        for task in tasks
    ]
    return f"{item.position}/{stamp}.json", json.dumps({"answers": answers}).encode()


def label_objects_prefix(job: Job) -> str:
    """Where the job's reference labels go: ``<output>/<job>/annotations/
    consolidated-annotation/output``."""
    return join_url(job.output_path, job.name, "annotations/consolidated-annotation/output")


def label_object_key(item: Item, tasks: Sequence[Task], stored: LabelObject) -> str:
    """The key of an item's label object under :func:`label_objects_prefix`: Ground
    Truth's ``<datasetObjectId>_<ISO timestamp><extension>``, such as
    ``0_2022-09-09T17:25:31.918770.png``, timestamped with the last answer's time like the
    worker responses."""
    moment = _last_answer_time(item, tasks).replace(tzinfo=None)
    return f"{item.position}_{moment.isoformat(timespec='microseconds')}{stored.extension}"

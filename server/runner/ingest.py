"""Streams a job's input manifest into items, in constant memory.

Each line is parsed and checked (one JSON object of at most 100,000 characters, read no
further than that: the storage backend cuts a longer line, so a 100 MB line costs less
than a megabyte and fails the job naming it; exactly one
of ``source-ref`` / ``source`` as the task type needs, attribute names not starting with
``$``, no attribute over 20,000 characters, a ``source-ref`` a storage backend can read).
Items are inserted in batches, each in its own short transaction, so a 1M-line manifest
never holds the database's write lock for long; items stay invisible to workers until the
job turns ``IN_PROGRESS``. A bad line fails the job with ``failureReason`` naming the line
number and the reason, and the items inserted so far are deleted: nothing is left behind.

A line that already carries the job's label attribute (a chained job's input, or a stopped
job's output) is taken as labeled and passes to the output unchanged, as in Ground Truth.
With gold items on, a line carrying the gold key is a gold item: labeled with its known
answer (confidence 1), and handed to workers only to score them
(:mod:`quorum.services.jobs`).

A verification or adjustment job (a task type that ``audits_labels``) needs the previous
label on every line workers will see, under the job's ``auditLabelAttributeName``: the task
type turns it into what the task shows (stored as the item's task input, under what a
pre-annotation hook adds), and a line without it, or with a label the task type cannot use,
fails the job like any bad line.

A job's gold manifest (``gold.manifest``) is read after the input manifest, with the same
line checks; every line must carry the gold key with one of the job's labels. Its lines
become items in the ``GOLD`` status, positioned after the input manifest's: handed to
workers only to score them, never consolidated, never in the output. A bad gold manifest
fails the job like a bad input manifest (``failureReason`` begins ``gold.manifest:``), and
deletes every item inserted from either manifest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

from sqlalchemy import text

from quorum.consensus import Consolidated
from quorum.db.engine import Database
from quorum.errors import BadInput, QuorumError
from quorum.json_input import check_json
from quorum.models import Job
from quorum.output_manifest import label_fragment, labeled_output
from quorum.plugins import PluginHost
from quorum.runner.lifecycle import LeaseLost
from quorum.services.auto_labeling import AutoLabelingSettings
from quorum.services.gold import GoldSettings
from quorum.statuses import ItemStatus
from quorum.storage import MAX_LINE_BYTES, MAX_LINE_CHARS, Storage
from quorum.tasktypes import TaskType
from quorum.tenancy import read_job_storage

BATCH_SIZE = 20_000
MAX_ATTRIBUTE_CHARS = 20_000
SOURCE_KEYS = ("source-ref", "source")

#: (job_id, position, data, status, open, task_input, output, gold_answer)
Row = tuple[int, int, str, str, bool, str | None, str | None, str | None]


class ManifestError(BadInput):
    """A manifest line that cannot become an item; the message names the line."""

    #: The createJob field naming the manifest, which begins the job's ``failureReason``.
    field: ClassVar[str] = "inputManifest"


class GoldManifestError(ManifestError):
    """The gold manifest cannot be read, or one of its lines cannot become a gold item."""

    field = "gold.manifest"


def failure_reason(exc: QuorumError) -> str:
    """The ``failureReason`` of a job whose ingest raised ``exc``: the message, after the
    field naming the manifest at fault (``inputManifest`` unless it was the gold manifest)."""
    field = exc.field if isinstance(exc, ManifestError) else ManifestError.field
    return f"{field}: {exc.message}"


def check_line(
    number: int, raw: bytes, task_type: TaskType, storage: Storage
) -> tuple[str, dict[str, Any]]:
    """Line ``number`` of a manifest (a non-blank one) as its text and JSON object, or
    :class:`ManifestError` (``line N: reason``) if no job of ``task_type`` can use it.
    The job's own settings (its audited attribute, its gold key) are checked apart."""
    if len(raw) > MAX_LINE_BYTES:  # cut short by the storage backend: never decoded
        raise ManifestError(f"line {number}: longer than {MAX_LINE_CHARS:,} characters")
    try:
        data = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise ManifestError(f"line {number}: not UTF-8 ({exc.reason})") from None
    if len(data) > MAX_LINE_CHARS:
        raise ManifestError(f"line {number}: longer than {MAX_LINE_CHARS:,} characters")
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
        ) from None
    except RecursionError:
        raise ManifestError(f"line {number}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise ManifestError(f"line {number}: not usable JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise ManifestError(f"line {number}: must be a JSON object, got {type(obj).__name__}")
    try:
        check_json(obj, "line")
    except BadInput as exc:  # "line.key[2]: nan is not a JSON number; ..."
        raise ManifestError(f"line {number}: {exc.message.removeprefix('line.')}") from None
    present = [key for key in SOURCE_KEYS if key in obj]
    found = present[0] if len(present) == 1 else None
    if len(present) > 1 or not task_type.accepts_source(found):
        if found is None:
            raise ManifestError(
                f'line {number}: needs exactly one of "source-ref" and "source", found '
                f"{' and '.join(present) or 'neither'}"
            )
        wanted = "inline text under" if task_type.source_key == "source" else "an object URL under"
        raise ManifestError(
            f'line {number}: {task_type.name} needs {wanted} "{task_type.source_key}", '
            f'found "{found}"'
        )
    source = obj.get(found) if found is not None else None
    if found is not None and (not isinstance(source, str) or not source):
        raise ManifestError(f'line {number}: "{found}" must be a non-empty string')
    for key, value in obj.items():
        if key.startswith("$"):
            raise ManifestError(f"line {number}: attribute {key!r} must not begin with $")
        if isinstance(value, str) and len(value) > MAX_ATTRIBUTE_CHARS:
            raise ManifestError(
                f"line {number}: attribute {key!r} is longer than "
                f"{MAX_ATTRIBUTE_CHARS:,} characters"
            )
    if found == "source-ref":
        assert isinstance(source, str)
        try:
            storage.check_url(source)
        except BadInput as exc:
            raise ManifestError(f"line {number}: source-ref {exc.message}") from None
    return data, obj


def manifest_rows(
    job: Job, lines: Iterator[bytes], plugins: PluginHost, storage: Storage
) -> Iterator[Row]:
    """Check each manifest line and yield its item row; raises :class:`ManifestError`."""
    assert job.id is not None
    task_type = plugins.task_types.get(job.task_type, "taskType")
    attribute = job.label_attribute_name
    pre_annotate = plugins.has_pre_annotation
    gold = GoldSettings.from_json(job.gold)
    gold_key = None if gold is None else gold.key
    auto_labeling = AutoLabelingSettings.from_json(job.auto_labeling) is not None
    position = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        data, obj = check_line(number, raw, task_type, storage)
        if gold_key is not None and gold_key in obj:
            shown = _gold_input(job, task_type, plugins, number, obj, gold_key, ManifestError)
            label = _known_label(job, number, gold_key, obj[gold_key], ManifestError)
            yield _gold_row(job, task_type, position, data, label, shown)
            position += 1
            continue
        status, task_input = ItemStatus.UNLABELED.value, None
        if attribute in obj:
            metadata = obj.get(f"{attribute}-metadata") or {}
            machine = isinstance(metadata, dict) and metadata.get("human-annotated") == "no"
            status = (ItemStatus.MACHINE_LABELED if machine else ItemStatus.HUMAN_LABELED).value
        else:
            decided: dict[str, Any] | str | None = None
            if pre_annotate:
                try:
                    decided = plugins.pre_annotation(job, obj)
                except QuorumError as exc:
                    raise ManifestError(f"line {number}: {exc.message}") from None
            if decided == "skip":
                status = ItemStatus.SKIPPED.value
            else:
                shown = _audit_input(job, task_type, number, obj)
                if isinstance(decided, dict):
                    shown = {**shown, **decided}
                task_input = json.dumps(shown) if shown else None
        # With auto-labeling on, the loop opens items to workers a batch at a time.
        open_to_workers = status == ItemStatus.UNLABELED and not auto_labeling
        yield (job.id, position, data, status, open_to_workers, task_input, None, None)
        position += 1


def gold_manifest_rows(
    job: Job, lines: Iterator[bytes], plugins: PluginHost, storage: Storage, first_position: int
) -> Iterator[Row]:
    """Check each line of the job's gold manifest and yield its ``GOLD`` item row, from
    ``first_position`` on; raises :class:`GoldManifestError` naming the line."""
    gold = GoldSettings.from_json(job.gold)
    assert job.id is not None and gold is not None
    task_type = plugins.task_types.get(job.task_type, "taskType")
    key = gold.key
    position = first_position
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data, obj = check_line(number, raw, task_type, storage)
        except ManifestError as exc:
            raise GoldManifestError(exc.message) from None
        if key not in obj:
            raise GoldManifestError(
                f"line {number}: has no {key!r}; every line of a gold manifest needs its "
                "known label there"
            )
        label = _known_label(job, number, key, obj[key], GoldManifestError)
        shown = _gold_input(job, task_type, plugins, number, obj, key, GoldManifestError)
        task_input = json.dumps(shown) if shown else None
        answer = json.dumps({"label": label})
        yield (job.id, position, data, ItemStatus.GOLD.value, False, task_input, None, answer)
        position += 1


def _audit_input(
    job: Job,
    task_type: TaskType,
    number: int,
    line: dict[str, Any],
    error: type[ManifestError] = ManifestError,
) -> dict[str, Any]:
    """What a task of a verification or adjustment job shows of the previous label on
    ``line`` (nothing for other task types); ``error`` naming the line when the line lacks
    the job's ``auditLabelAttributeName`` or the label there cannot be used."""
    attribute = job.audit_label_attribute_name
    if not task_type.audits_labels or attribute is None:
        return {}
    if attribute not in line:
        raise error(
            f"line {number}: has no {attribute!r} (auditLabelAttributeName), the previous "
            f"label that {task_type.name} shows workers"
        )
    try:
        return task_type.audit_input(line, attribute, job.labels)
    except BadInput as exc:
        raise error(f"line {number}: {exc.message}") from None


def _gold_input(
    job: Job,
    task_type: TaskType,
    plugins: PluginHost,
    number: int,
    line: dict[str, Any],
    gold_key: str,
    error: type[ManifestError],
) -> dict[str, Any]:
    """What a gold item's task shows besides its line, made as a data item's is (the
    previous label of an audit, what a pre-annotation hook adds, given the line without its
    ``gold_key``), so that nothing there tells it apart. A hook's "skip" does not apply: a
    gold item is there to be answered."""
    shown = _audit_input(job, task_type, number, line, error)
    if not plugins.has_pre_annotation:
        return shown
    unmarked = {key: value for key, value in line.items() if key != gold_key}
    try:
        decided = plugins.pre_annotation(job, unmarked)
    except QuorumError as exc:
        raise error(f"line {number}: {exc.message}") from None
    return {**shown, **decided} if isinstance(decided, dict) else shown


def _known_label(
    job: Job, number: int, gold_key: str, label: Any, error: type[ManifestError]
) -> Any:
    """A gold line's known label (under ``gold_key``), or ``error`` naming the line if it is
    not a job label."""
    if label not in job.labels:
        raise error(
            f"line {number}: {gold_key} {label!r} is not one of this job's labels "
            f"({', '.join(job.labels)})"
        )
    return label


def _gold_row(
    job: Job,
    task_type: TaskType,
    position: int,
    data: str,
    label: Any,
    shown: dict[str, Any],
) -> Row:
    """The row of a gold item: labeled with its known answer ``label`` (one of the job's),
    closed to consolidation (a worker gets it through the gold share of their claims, with
    ``shown`` in its task input)."""
    assert job.id is not None
    value, metadata = labeled_output(
        task_type, Consolidated(value=label, confidence=1.0), job.labels, job.name
    )
    fragment = label_fragment(job.label_attribute_name, value, metadata)
    answer = json.dumps({"label": label})
    task_input = json.dumps(shown) if shown else None
    return (
        job.id,
        position,
        data,
        ItemStatus.HUMAN_LABELED.value,
        False,
        task_input,
        fragment,
        answer,
    )


def _insert(db: Database, rows: list[Row]) -> None:
    with db.write() as session:
        connection = session.connection()
        if db.dialect == "postgresql":
            raw = connection.connection.dbapi_connection
            assert raw is not None
            with raw.cursor() as cursor:  # type: ignore[attr-defined]
                with cursor.copy(
                    "COPY items (job_id, position, data, status, open, task_input, output, "
                    "gold_answer, active_count, answers_count) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row((*row, 0, 0))
        else:
            connection.exec_driver_sql(
                "INSERT INTO items (job_id, position, data, status, open, task_input, output, "
                "gold_answer, active_count, answers_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
                rows,
            )


def delete_items(db: Database, job_id: int) -> None:
    """Remove every item of a job (after a failed or interrupted ingest), in batches."""
    statement = text(
        "DELETE FROM items WHERE id IN "
        "(SELECT id FROM items WHERE job_id = :job_id ORDER BY id LIMIT 50000)"
    )
    while True:
        with db.write() as session:
            if session.execute(statement, {"job_id": job_id}).rowcount == 0:  # type: ignore[attr-defined]
                return


def _insert_all(db: Database, rows: Iterator[Row], check_lease: Any) -> int:
    """Insert ``rows`` in batches of :data:`BATCH_SIZE`, calling ``check_lease`` (if any)
    before each, so a runner that lost its job stops writing; returns how many."""
    count = 0
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            if check_lease is not None:
                check_lease()
            _insert(db, batch)
            count += len(batch)
            batch = []
    if batch:
        if check_lease is not None:
            check_lease()
        _insert(db, batch)
        count += len(batch)
    return count


def _ingest_gold_manifest(
    db: Database,
    plugins: PluginHost,
    storage: Storage,
    job: Job,
    url: str,
    first_position: int,
    check_lease: Any,
) -> None:
    """Stream the job's gold manifest into ``GOLD`` items after the input manifest's."""
    try:
        with storage.open_lines(url) as lines:
            rows = gold_manifest_rows(job, lines, plugins, storage, first_position)
            count = _insert_all(db, rows, check_lease)
    except GoldManifestError:
        raise
    except QuorumError as exc:  # unreadable: missing, no access
        raise GoldManifestError(exc.message) from None
    if count == 0:
        raise GoldManifestError("the gold manifest holds no items")


def ingest(db: Database, plugins: PluginHost, job: Job, *, check_lease: Any = None) -> int:
    """Stream ``job``'s manifest, then its gold manifest if it has one, into items; returns
    how many items the input manifest gave (the dataset, gold manifest aside). Raises
    :class:`BadInput` (the job should then fail, with :func:`failure_reason`) after deleting
    whatever it inserted. ``check_lease`` runs before each batch of inserts: it raises
    :class:`~quorum.runner.lifecycle.LeaseLost` when another runner took the job, and the
    items stay (the other runner deletes them before it ingests the job again)."""
    assert job.id is not None
    delete_items(db, job.id)  # a previous runner may have died half-way
    try:
        storage = read_job_storage(db, plugins, job)
        with storage.open_lines(job.input_manifest) as lines:
            count = _insert_all(db, manifest_rows(job, lines, plugins, storage), check_lease)
        if count == 0:
            raise ManifestError("the manifest holds no items")
        gold = GoldSettings.from_json(job.gold)
        if gold is not None and gold.manifest is not None:
            _ingest_gold_manifest(db, plugins, storage, job, gold.manifest, count, check_lease)
    except LeaseLost:
        raise  # the items are the next runner's now
    except BaseException:
        delete_items(db, job.id)
        raise
    return count

"""Every extension point of Quorum, as pluggy hook specifications.

Plugins implement these with ``@quorum.hookimpl``; the core calls them only through
:class:`quorum.plugins.PluginHost`, which gives each a typed signature. Built-in plugins
(``quorum_plugins.builtin_*``) use exactly these hooks, so anything they do a third-party
plugin can do too.

Lifecycle::

    startup ─► quorum_storage_backends, quorum_task_types, quorum_consensus_algorithms,
               quorum_workforce_providers, quorum_auto_labelers   (collected once)
    ingest  ─► quorum_pre_annotation(job, item)        per item, first result wins
    consolidate ─► quorum_post_annotation(job, item, answers)  per item, first result wins
    every audited change ─► quorum_event(event)        after the change commits, fan-out
"""

from __future__ import annotations

# Hook specs have docstrings for bodies; pluggy never calls them.
# mypy: disable-error-code="empty-body"
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from quorum.auto_labelers import AutoLabeler
    from quorum.consensus import ConsensusAlgorithm, Consolidated, WorkerAnswer
    from quorum.events import Event
    from quorum.models import Job
    from quorum.storage import StorageBackend
    from quorum.tasktypes import TaskType
    from quorum.workforce import WorkforceProvider

hookspec = pluggy.HookspecMarker("quorum")


# ---------------------------------------------------------------------------
# Startup: plugins contribute kinds of things (collected once per app)
# ---------------------------------------------------------------------------


@hookspec
def quorum_task_types() -> Sequence[type[TaskType]]:
    """Return task type classes (subclasses of :class:`quorum.tasktypes.TaskType`).

    Each brings its name, label kind, crowd element, answer validation and output-manifest
    formatting. Two task types with one name stop the server at startup.

    :return: the task type classes this plugin adds.
    """


@hookspec
def quorum_consensus_algorithms() -> Sequence[type[ConsensusAlgorithm]]:
    """Return consensus algorithm classes (subclasses of
    :class:`quorum.consensus.ConsensusAlgorithm`).

    :return: the algorithm classes this plugin adds; names must be unique.
    """


@hookspec
def quorum_auto_labelers() -> Sequence[type[AutoLabeler]]:
    """Return auto-labeling model classes (subclasses of :class:`quorum.auto_labelers.AutoLabeler`).

    :return: the model classes this plugin adds; names must be unique.
    """


@hookspec
def quorum_workforce_providers() -> Sequence[type[WorkforceProvider]]:
    """Return workforce provider classes (subclasses of
    :class:`quorum.workforce.WorkforceProvider`): who may take a job's tasks.

    :return: the provider classes this plugin adds; names must be unique.
    """


@hookspec
def quorum_storage_backends() -> Sequence[type[StorageBackend]]:
    """Return storage backend classes (subclasses of :class:`quorum.storage.StorageBackend`),
    one per URL scheme.

    :return: the backend classes this plugin adds; schemes must be unique.
    """


# ---------------------------------------------------------------------------
# Per item: before people see it, and when their answers are merged
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def quorum_pre_annotation(job: Job, item: Mapping[str, Any]) -> dict[str, Any] | str | None:
    """Decide what workers see for one item, like Ground Truth's pre-annotation Lambda.

    Called once per item while the manifest is ingested. Stops at first non-None result.

    :param job: the job being ingested.
    :param item: the manifest line, parsed.
    :return: a dict merged into the task input (``Task.input``), the string ``"skip"`` to
        keep the item from people (it passes to the output unchanged), or ``None`` to
        leave the item as it is.
    """


@hookspec(firstresult=True)
def quorum_post_annotation(
    job: Job, item: Mapping[str, Any], answers: Sequence[WorkerAnswer]
) -> Consolidated | None:
    """Consolidate one item's answers yourself, like Ground Truth's consolidation Lambda.

    Called for each item before the job's consensus algorithm. Stops at first non-None
    result.

    :param job: the job.
    :param item: the manifest line, parsed.
    :param answers: the workers' validated answers for this item.
    :return: the consolidated label, or ``None`` to let the job's algorithm decide.
    """


# ---------------------------------------------------------------------------
# Audit: every state change, after it commits
# ---------------------------------------------------------------------------


@hookspec
def quorum_event(event: Event) -> None:
    """Be told of an audited state change (webhooks, metrics), after it committed.

    Every implementation is called. An exception is logged and does not undo the change.

    :param event: the event, as written to the audit trail.
    """

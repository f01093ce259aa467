"""Every extension point of Quorum, as pluggy hook specifications.

Plugins implement these with ``@quorum.hookimpl``; the core calls them only through
:class:`quorum.plugins.PluginHost`, which gives each a typed signature. Built-in plugins
(``quorum_plugins.*``, one entry point each) use exactly these hooks, so anything they do a
third-party plugin can do too.

Lifecycle::

    startup ─► quorum_storage_backends(), then quorum_task_types(context),
               quorum_consensus_algorithms(context), quorum_auto_labelers(context),
               quorum_workforce_providers(context)               (collected once)
    ingest  ─► quorum_pre_annotation(job, item, context)         per item, first result wins
    consolidate ─► quorum_post_annotation(job, item, answers, context)
                                                                 per item, first result wins
    every audited change ─► quorum_event(event, context)         after it commits, fan-out

Every hook is called through pluggy (see :mod:`quorum.plugins`): ``tryfirst`` and
``trylast`` order the implementations, ``wrapper=True`` (or old-style ``hookwrapper=True``)
implementations wrap the call, ``QUORUM_TRACE_PLUGINS`` logs it. A wrapper of a
registration hook sees, and may change, the list of every plugin's returned sequence; what
it adds is registered under its own plugin's name. A wrapper of ``quorum_event`` wraps the
delivery to every plugin; an implementation's exception is logged, not passed to it.

An implementation names only the arguments it needs (pluggy passes it those): ``context``
is the app's :class:`quorum.plugin_context.PluginContext` (settings, storage, database,
logger and :meth:`~quorum.plugin_context.PluginContext.plugin_config`); ``job`` is a
:class:`quorum.plugin_context.JobInfo`, a frozen value object, not a database row.
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
    from quorum.plugin_context import JobInfo, PluginContext
    from quorum.storage import StorageBackend
    from quorum.tasktypes import TaskType
    from quorum.workforce import WorkforceProvider

hookspec = pluggy.HookspecMarker("quorum")


# ---------------------------------------------------------------------------
# Startup: plugins contribute kinds of things (collected once per app)
# ---------------------------------------------------------------------------


@hookspec
def quorum_storage_backends() -> Sequence[type[StorageBackend]]:
    """Return storage backend classes (subclasses of :class:`quorum.storage.StorageBackend`),
    one per URL scheme.

    Called first, before the context exists (the context holds the storage); each class is
    made with the settings, ``cls(settings)``.

    :return: the backend classes this plugin adds; schemes must be unique.
    """


@hookspec
def quorum_task_types(context: PluginContext) -> Sequence[type[TaskType]]:
    """Return task type classes (subclasses of :class:`quorum.tasktypes.TaskType`).

    Each brings its name, label kind, crowd element, answer validation and output-manifest
    formatting. Two task types with one name stop the server at startup.

    .. versionchanged:: 0.1.0
        ``context`` added.

    :param context: the application; ``context.plugin_config(name)`` is this plugin's
        configuration, to decide what to register.
    :return: the task type classes this plugin adds.
    """


@hookspec
def quorum_consensus_algorithms(context: PluginContext) -> Sequence[type[ConsensusAlgorithm]]:
    """Return consensus algorithm classes (subclasses of
    :class:`quorum.consensus.ConsensusAlgorithm`).

    .. versionchanged:: 0.1.0
        ``context`` added.

    :param context: the application, as for :func:`quorum_task_types`.
    :return: the algorithm classes this plugin adds; names must be unique.
    """


@hookspec
def quorum_auto_labelers(context: PluginContext) -> Sequence[type[AutoLabeler]]:
    """Return auto-labeling model classes (subclasses of :class:`quorum.auto_labelers.AutoLabeler`).

    .. versionchanged:: 0.1.0
        ``context`` added.

    :param context: the application, as for :func:`quorum_task_types`.
    :return: the model classes this plugin adds; names must be unique.
    """


@hookspec
def quorum_workforce_providers(context: PluginContext) -> Sequence[type[WorkforceProvider]]:
    """Return workforce provider classes (subclasses of
    :class:`quorum.workforce.WorkforceProvider`): who may take a job's tasks.

    A provider's ``may_work`` is given :class:`~quorum.plugin_context.JobInfo` and
    :class:`~quorum.plugin_context.WorkerInfo` value objects.

    .. versionchanged:: 0.1.0
        ``context`` added.

    :param context: the application, as for :func:`quorum_task_types`.
    :return: the provider classes this plugin adds; names must be unique.
    """


# ---------------------------------------------------------------------------
# Per item: before people see it, and when their answers are merged
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def quorum_pre_annotation(
    job: JobInfo, item: Mapping[str, Any], context: PluginContext
) -> dict[str, Any] | str | None:
    """Decide what workers see for one item, like Ground Truth's pre-annotation Lambda.

    Called once per item while the manifest is ingested. Stops at first non-None result.

    .. versionchanged:: 0.1.0
        ``job`` is a :class:`~quorum.plugin_context.JobInfo` (was the ``Job`` row);
        ``context`` added.

    :param job: the job being ingested.
    :param item: the manifest line, parsed.
    :param context: the application (settings, storage, database, logger, plugin config).
    :return: a dict merged into the task input (``Task.input``), the string ``"skip"`` to
        keep the item from people (it passes to the output unchanged), or ``None`` to
        leave the item as it is.
    """


@hookspec(firstresult=True)
def quorum_post_annotation(
    job: JobInfo, item: Mapping[str, Any], answers: Sequence[WorkerAnswer], context: PluginContext
) -> Consolidated | None:
    """Consolidate one item's answers yourself, like Ground Truth's consolidation Lambda.

    Called for each item before the job's consensus algorithm. Stops at first non-None
    result.

    .. versionchanged:: 0.1.0
        ``job`` is a :class:`~quorum.plugin_context.JobInfo` (was the ``Job`` row);
        ``context`` added.

    :param job: the job.
    :param item: the manifest line, parsed.
    :param answers: the workers' validated answers for this item.
    :param context: the application (settings, storage, database, logger, plugin config).
    :return: the consolidated label, or ``None`` to let the job's algorithm decide.
    """


# ---------------------------------------------------------------------------
# Audit: every state change, after it commits
# ---------------------------------------------------------------------------


@hookspec
def quorum_event(event: Event, context: PluginContext) -> None:
    """Be told of an audited state change (webhooks, metrics), after it committed.

    Every implementation is called. An exception is logged with the plugin's name, does not
    undo the change and does not keep the event from the other implementations.

    .. versionchanged:: 0.1.0
        ``context`` added.

    :param event: the event, as written to the audit trail.
    :param context: the application; a webhook plugin reads its URL from
        ``context.plugin_config("<plugin name>")``.
    """

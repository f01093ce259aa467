"""The plugin host: loads plugins and calls hooks through typed methods.

Plugins come from the entry-point group ``quorum`` (the built-ins are registered there
too, in ``pyproject.toml``), from loose ``*.py`` files in ``--plugins-dir``, and, in tests,
from objects passed to :class:`PluginHost`. ``QUORUM_DISABLED_PLUGINS`` blocks plugins by
name; ``QUORUM_TRACE_PLUGINS`` logs every hook call.

The manager is built per app (never a module global), so each test gets a fresh one.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from quorum import hookspecs
from quorum.auto_labelers import AutoLabeler
from quorum.consensus import ConsensusAlgorithm, Consolidated, WorkerAnswer
from quorum.errors import PluginError, StartupError
from quorum.registry import Registry
from quorum.storage import Storage, StorageBackend
from quorum.tasktypes import TaskType
from quorum.workforce import WorkforceProvider

if TYPE_CHECKING:
    from quorum.events import Event
    from quorum.models import Job
    from quorum.settings import Settings

logger = logging.getLogger("quorum.plugins")

ENTRY_POINT_GROUP = "quorum"


def _load_plugins_dir(pm: pluggy.PluginManager, folder: Path) -> None:
    if not folder.is_dir():
        raise StartupError(f"--plugins-dir {folder}: not a folder")
    for path in sorted(folder.glob("*.py")):
        name = f"quorum_plugins_dir.{path.stem}"
        if pm.is_blocked(path.stem):
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise StartupError(f"cannot load plugin file {path}")
        module = importlib.util.module_from_spec(spec)
        # In sys.modules, as an import would put it: its classes can then be inspected
        # (a task type's element_module is found next to its file) and pickled.
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise StartupError(f"plugin file {path} failed to import: {exc}") from exc
        _register(pm, module, path.stem)


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except ValueError as exc:
        raise StartupError(f"plugin {name!r} cannot be registered: {exc}") from exc


class PluginHost:
    """Every plugin of one app, and typed access to what they contribute."""

    def __init__(self, settings: Settings, extra_plugins: Iterable[object] = ()) -> None:
        self.settings = settings
        self.pm = pluggy.PluginManager("quorum")
        self.pm.add_hookspecs(hookspecs)
        for name in settings.disabled_plugins:
            self.pm.set_blocked(name)
        try:
            self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except ValueError as exc:
            raise StartupError(f"plugin entry points of group 'quorum': {exc}") from exc
        if settings.plugins_dir is not None:
            _load_plugins_dir(self.pm, settings.plugins_dir)
        for plugin in extra_plugins:
            _register(self.pm, plugin, getattr(plugin, "__name__", None) or repr(plugin))
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise StartupError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from exc
        if settings.trace_plugins:
            self.pm.trace.root.setwriter(logger.info)
            self.pm.enable_tracing()
        self.task_types: Registry[TaskType] = Registry("task type")
        self.consensus_algorithms: Registry[ConsensusAlgorithm] = Registry("consensus algorithm")
        self.auto_labelers: Registry[type[AutoLabeler]] = Registry("auto-labeling model")
        self.workforces: Registry[WorkforceProvider] = Registry("workforce")
        storage_backends: Registry[StorageBackend] = Registry("storage backend")
        for plugin_name, classes in self._collect("quorum_task_types"):
            for task_type in classes:
                self.task_types.add(task_type.name, task_type(), plugin_name)
        for plugin_name, classes in self._collect("quorum_consensus_algorithms"):
            for algorithm in classes:
                self.consensus_algorithms.add(algorithm.name, algorithm(), plugin_name)
        for plugin_name, classes in self._collect("quorum_auto_labelers"):
            for labeler in classes:
                self.auto_labelers.add(labeler.name, labeler, plugin_name)
        for plugin_name, classes in self._collect("quorum_workforce_providers"):
            for provider in classes:
                self.workforces.add(provider.name, provider(), plugin_name)
        for plugin_name, classes in self._collect("quorum_storage_backends"):
            for backend in classes:
                storage_backends.add(backend.scheme, backend(settings), plugin_name)
        self.storage = Storage(dict(storage_backends.items()))

    def _collect(self, hook_name: str) -> list[tuple[str, Sequence[Any]]]:
        """Call a registration hook on every plugin, remembering which plugin said what."""
        hook = getattr(self.pm.hook, hook_name)
        results: list[tuple[str, Sequence[Any]]] = []
        for impl in hook.get_hookimpls():
            name = self.pm.get_name(impl.plugin) or repr(impl.plugin)
            try:
                contributed = impl.function()
            except Exception as exc:
                raise StartupError(f"plugin {name!r} failed in {hook_name}: {exc}") from exc
            results.append((name, list(contributed or ())))
        return results

    @property
    def plugin_names(self) -> list[str]:
        """The names of every registered plugin."""
        return sorted(name for name, _ in self.pm.list_name_plugin() if name)

    @property
    def has_pre_annotation(self) -> bool:
        """Whether any plugin implements ``quorum_pre_annotation`` (ingest skips it if not)."""
        return bool(self.pm.hook.quorum_pre_annotation.get_hookimpls())

    @property
    def post_annotation_plugins(self) -> list[str]:
        """The names of the plugins implementing ``quorum_post_annotation``, in call order
        (the first to return a label gives it)."""
        return [
            self.pm.get_name(impl.plugin) or repr(impl.plugin)
            for impl in reversed(self.pm.hook.quorum_post_annotation.get_hookimpls())
        ]

    def pre_annotation(self, job: Job, item: Mapping[str, Any]) -> dict[str, Any] | str | None:
        """``quorum_pre_annotation``: what workers see for one item, or ``"skip"``."""
        try:
            result: dict[str, Any] | str | None = self.pm.hook.quorum_pre_annotation(
                job=job, item=item
            )
        except Exception as exc:
            raise PluginError(f"quorum_pre_annotation failed: {exc}") from exc
        if result is not None and result != "skip" and not isinstance(result, dict):
            raise PluginError(
                f"quorum_pre_annotation returned {type(result).__name__}; "
                "expected a dict, 'skip' or None"
            )
        return result

    def post_annotation(
        self, job: Job, item: Mapping[str, Any], answers: Sequence[WorkerAnswer]
    ) -> Consolidated | None:
        """``quorum_post_annotation``: a plugin's own consolidation of one item, if any."""
        if not self.pm.hook.quorum_post_annotation.get_hookimpls():
            return None
        try:
            result = self.pm.hook.quorum_post_annotation(job=job, item=item, answers=answers)
        except Exception as exc:
            raise PluginError(f"quorum_post_annotation failed: {exc}") from exc
        if result is not None and not isinstance(result, Consolidated):
            raise PluginError(
                f"quorum_post_annotation returned {type(result).__name__}; expected Consolidated"
            )
        return result

    def event(self, event: Event) -> None:
        """``quorum_event``: tell every plugin; a failing plugin is logged, not fatal."""
        for impl in self.pm.hook.quorum_event.get_hookimpls():
            try:
                impl.function(*[{"event": event}[arg] for arg in impl.argnames])
            except Exception:
                logger.exception(
                    "plugin %r failed in quorum_event(%s)",
                    self.pm.get_name(impl.plugin),
                    event.action,
                )

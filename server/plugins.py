"""The plugin host: loads plugins and calls every hook through pluggy, behind typed methods.

Plugins come from the entry-point group ``quorum`` (the built-ins are registered there
too, in ``pyproject.toml``), from loose ``*.py`` files in ``--plugins-dir``, and, in tests,
from objects passed to :class:`PluginHost`. ``QUORUM_DISABLED_PLUGINS`` blocks plugins by
name (an entry point's name, a plugin file's stem); ``QUORUM_TRACE_PLUGINS`` logs every hook
call on the ``quorum.plugins`` logger.

How hooks are called: always through pluggy's own hook calling, so ``tryfirst`` and
``trylast`` order the implementations, wrappers (``wrapper=True``, and old-style
``hookwrapper=True``) wrap the call, and tracing sees it.

- ``quorum_pre_annotation`` and ``quorum_post_annotation`` (``firstresult``): one call of
  ``pm.hook.<name>``.
- The five registration hooks (once, at startup: ``quorum_storage_backends`` first, then
  the others from one table of hook, registry and how an item is made) and
  ``quorum_event``, where the core must know which plugin said what: the hook is called
  once through a ``pm.subset_hook_caller`` that holds only its wrappers, whose
  ``call_extra`` adds, in pluggy's order, one caller per other implementation (a
  ``pm.subset_hook_caller`` leaving every other plugin out;
  :meth:`PluginHost._call_attributed`). So a class is registered under the name of the
  plugin that returned it (one a wrapper adds, under the wrapper's), a registration hook
  that raises stops startup naming its plugin, and a ``quorum_event`` implementation that
  raises is logged with its plugin's name while the others still run.
- A wrapper that cannot work (not a generator function, or both ``wrapper`` and
  ``hookwrapper``) stops startup with a :class:`StartupError` naming the plugin and hook.

Hooks that take ``context`` get the app's :class:`quorum.plugin_context.PluginContext`; jobs
and workers reach plugins as :mod:`quorum.plugin_context` value objects, not rows.

The manager is built per app (never a module global), so each test gets a fresh one.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pluggy

from quorum import hookspecs
from quorum.auto_labelers import AutoLabeler
from quorum.consensus import ConsensusAlgorithm, Consolidated, WorkerAnswer
from quorum.errors import BadInput, PluginError, StartupError
from quorum.plugin_context import JobInfo, PluginContext, read_plugin_config
from quorum.registry import Registry
from quorum.storage import Storage, StorageBackend
from quorum.tasktypes import TaskType
from quorum.workforce import WorkforceProvider

if TYPE_CHECKING:
    from quorum.db.engine import Database
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
    """Register ``plugin``; a name taken twice or a hookimpl pluggy refuses (a wrapper that
    is not a generator) stops startup naming the plugin and the hook."""
    try:
        pm.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise StartupError(f"plugin {name!r} cannot be registered: {exc}") from exc


@dataclass(frozen=True)
class _Registration:
    """A registration hook, the registry its classes go to, how the registered item is
    made from a class, and the class attribute it is registered under."""

    hook: str
    registry: Registry[Any]
    make: Callable[[type[Any]], object]
    key: str = "name"


def _instance(cls: type[Any]) -> object:
    """One instance of a contributed class, which serves every job and thread."""
    return cls()


class PluginHost:
    """Every plugin of one app, and typed access to what they contribute."""

    def __init__(
        self,
        settings: Settings,
        extra_plugins: Iterable[object] = (),
        database: Database | None = None,
    ) -> None:
        self.settings = settings
        plugin_config = read_plugin_config(settings.plugin_config_file)
        self.pm = pluggy.PluginManager("quorum")
        self.pm.add_hookspecs(hookspecs)
        for name in settings.disabled_plugins:
            self.pm.set_blocked(name)
        try:
            self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except (ValueError, pluggy.PluginValidationError) as exc:
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
        # Storage backends first: the context that the other hooks get holds them.
        self._register_contributions(
            _Registration(
                "quorum_storage_backends", storage_backends, lambda cls: cls(settings), "scheme"
            )
        )
        self.storage = Storage(dict(storage_backends.items()))
        #: What hooks taking ``context`` are given.
        self.context = PluginContext(
            settings=settings,
            storage=self.storage,
            database=database,
            logger=logger,
            _plugin_config=plugin_config,
        )
        for registration in (
            _Registration("quorum_task_types", self.task_types, _instance),
            _Registration("quorum_consensus_algorithms", self.consensus_algorithms, _instance),
            _Registration("quorum_auto_labelers", self.auto_labelers, lambda cls: cls),
            _Registration("quorum_workforce_providers", self.workforces, _instance),
        ):
            self._register_contributions(registration, context=self.context)

    def _name(self, plugin: object) -> str:
        """How messages name a registered plugin: its name, or its repr if it has none."""
        return self.pm.get_name(plugin) or repr(plugin)

    def _wrappers_of(self, hook_name: str) -> str:
        """How messages name a hook's wrappers (what they add is theirs)."""
        hook = getattr(self.pm.hook, hook_name)
        names = [
            self._name(impl.plugin)
            for impl in hook.get_hookimpls()
            if impl.wrapper or impl.hookwrapper
        ]
        return f"the wrapper of {hook_name} in plugin {', '.join(map(repr, names)) or 'none'}"

    def _call_attributed(
        self,
        hook_name: str,
        kwargs: Mapping[str, object],
        failed: Callable[[str, Exception], object],
    ) -> tuple[list[Any], list[tuple[str, Any]]]:
        """Call ``hook_name`` through pluggy, knowing which plugin returned what.

        The hook's wrappers are called once, around one caller per other implementation
        (``pm.subset_hook_caller`` leaving every other plugin out), in pluggy's order.
        Returns what the whole call returned (after the wrappers), and each plugin's name
        with what its implementation returned, in call order. An implementation that raises
        goes to ``failed`` with its plugin's name; ``failed`` raises, or returns what stands
        for the implementation's result.
        """
        hook = getattr(self.pm.hook, hook_name)
        plain = [impl for impl in hook.get_hookimpls() if not (impl.wrapper or impl.hookwrapper)]
        implementing = [impl.plugin for impl in hook.get_hookimpls()]
        returned: list[tuple[str, Any]] = []

        def alone(impl: pluggy.HookImpl) -> Callable[[], object]:
            only = self.pm.subset_hook_caller(
                hook_name, [plugin for plugin in implementing if plugin is not impl.plugin]
            )
            name = self._name(impl.plugin)

            def call() -> object:
                try:
                    results = only(**kwargs)
                except Exception as exc:
                    result = failed(name, exc)
                else:
                    result = results[0] if results else None
                returned.append((name, result))
                return result

            return call

        wrappers = self.pm.subset_hook_caller(hook_name, [impl.plugin for impl in plain])
        # call_extra calls the methods it is given last to first, as pluggy calls a hook's
        # implementations: given in get_hookimpls() order, they run in pluggy's order.
        contributed = wrappers.call_extra([alone(impl) for impl in plain], kwargs)
        return contributed, returned

    def _register_contributions(self, registration: _Registration, **kwargs: object) -> None:
        """Call one registration hook with ``kwargs`` and add what it returns to its
        registry, each class under the name of the plugin that returned it."""

        def failed(plugin: str, exc: Exception) -> NoReturn:
            raise StartupError(f"plugin {plugin!r} failed in {registration.hook}: {exc}") from exc

        try:
            contributed, returned = self._call_attributed(registration.hook, kwargs, failed)
        except StartupError:
            raise
        except Exception as exc:
            raise StartupError(f"{self._wrappers_of(registration.hook)} failed: {exc}") from exc
        owners: dict[type[Any], list[str]] = {}
        for plugin, classes in returned:
            for cls in classes or ():
                owners.setdefault(cls, []).append(plugin)
        for classes in contributed:
            for cls in classes or ():
                plugin = (owners.get(cls) or [self._wrappers_of(registration.hook)]).pop(0)
                registration.registry.add(
                    getattr(cls, registration.key), registration.make(cls), plugin
                )

    def consensus_for(self, task_type: TaskType, name: str, field: str) -> ConsensusAlgorithm:
        """The consensus algorithm called ``name``, checked to understand ``task_type``'s
        label kind; :class:`BadInput` on ``field`` if it is unknown or cannot merge them."""
        algorithm = self.consensus_algorithms.get(name, field)
        if task_type.label_kind not in algorithm.label_kinds:
            raise BadInput(
                f"{field}: {name} cannot consolidate {task_type.label_kind} answers "
                f"of {task_type.name}"
            )
        return algorithm

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
            self._name(impl.plugin)
            for impl in reversed(self.pm.hook.quorum_post_annotation.get_hookimpls())
        ]

    def pre_annotation(self, job: Job, item: Mapping[str, Any]) -> dict[str, Any] | str | None:
        """``quorum_pre_annotation``: what workers see for one item, or ``"skip"``."""
        try:
            result: dict[str, Any] | str | None = self.pm.hook.quorum_pre_annotation(
                job=JobInfo.of(job), item=item, context=self.context
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
            result = self.pm.hook.quorum_post_annotation(
                job=JobInfo.of(job), item=item, answers=answers, context=self.context
            )
        except Exception as exc:
            raise PluginError(f"quorum_post_annotation failed: {exc}") from exc
        if result is not None and not isinstance(result, Consolidated):
            raise PluginError(
                f"quorum_post_annotation returned {type(result).__name__}; expected Consolidated"
            )
        return result

    def event(self, event: Event) -> None:
        """``quorum_event``: tell every plugin; a failing plugin is logged, not fatal."""

        def failed(plugin: str, exc: Exception) -> None:
            logger.error("plugin %r failed in quorum_event(%s)", plugin, event.action, exc_info=exc)

        try:
            self._call_attributed("quorum_event", {"event": event, "context": self.context}, failed)
        except Exception:
            logger.exception(
                "%s failed in quorum_event(%s)", self._wrappers_of("quorum_event"), event.action
            )

"""What plugins are given about the application: a context and value objects, never rows.

Hooks that need the application take a ``context`` argument, as datasette's hooks take
``datasette``: a :class:`PluginContext` with the settings, the storage, the database, a
logger, and each plugin's own configuration (:meth:`PluginContext.plugin_config`). A hook
implementation may leave ``context`` out of its parameters (pluggy passes an implementation
only the arguments it names), so implementations written before it came keep working.

Jobs and workers reach plugins as the frozen dataclasses :class:`JobInfo` and
:class:`WorkerInfo`, built from the database rows: a renamed column changes how they are
built, not what a plugin reads.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quorum.errors import StartupError

if TYPE_CHECKING:
    from quorum.db.engine import Database
    from quorum.models import Job, User
    from quorum.settings import Settings
    from quorum.storage import Storage


@dataclass(frozen=True)
class JobInfo:
    """A labeling job, as plugins see it."""

    id: int
    organization_id: int
    name: str
    #: The task type's name (``text-classification``).
    task_type: str
    #: The job's categories, in order (a label's index is its position here).
    labels: tuple[str, ...]
    #: The output manifest's key for this job's label (Ground Truth's ``LabelAttributeName``).
    label_attribute_name: str
    #: The workforce provider's name (``private``) and the team it names, if any.
    workforce: str
    team_id: int | None
    #: The consensus algorithm's name (``majority-vote``).
    consensus: str
    workers_per_item: int

    @classmethod
    def of(cls, job: Job) -> JobInfo:
        """The value object of a job row (the row must be saved: it has an id)."""
        assert job.id is not None, "a job is given to plugins once it is saved"
        return cls(
            id=job.id,
            organization_id=job.organization_id,
            name=job.name,
            task_type=job.task_type,
            labels=tuple(job.labels),
            label_attribute_name=job.label_attribute_name,
            workforce=job.workforce,
            team_id=job.team_id,
            consensus=job.consensus,
            workers_per_item=job.workers_per_item,
        )


@dataclass(frozen=True)
class WorkerInfo:
    """A person who may work on tasks, as plugins see them."""

    id: int
    organization_id: int
    name: str
    #: ``worker``, ``requester`` or ``admin`` (the values of :class:`quorum.models.Role`).
    role: str

    @classmethod
    def of(cls, user: User) -> WorkerInfo:
        """The value object of a user row (the row must be saved: it has an id)."""
        assert user.id is not None, "a user is given to plugins once it is saved"
        return cls(id=user.id, organization_id=user.organization_id, name=user.name, role=user.role)


def read_plugin_config(path: Path | None) -> dict[str, dict[str, Any]]:
    """Each plugin's configuration from the TOML file ``QUORUM_PLUGIN_CONFIG`` names: one
    table per plugin, named as the plugin is (its entry-point name)::

        [my_webhooks]
        url = "https://hooks.example.com/quorum"

    No file, no configuration; a file that is not a table of tables stops startup.
    """
    if path is None:
        return {}
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StartupError(f"QUORUM_PLUGIN_CONFIG {path}: {exc}") from exc
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise StartupError(
                f"QUORUM_PLUGIN_CONFIG {path}: {name!r} must be a table ([{name}]) of that "
                "plugin's settings"
            )
    return tables


@dataclass(frozen=True)
class PluginContext:
    """The application, as the hooks that take ``context`` see it. One per app."""

    settings: Settings
    #: Every storage backend, by URL scheme (read and write manifests and objects).
    storage: Storage
    #: The app's database (``None`` outside the server, as in ``quorum consolidate``).
    database: Database | None
    #: The logger plugins should write to (``quorum.plugins``).
    logger: logging.Logger
    _plugin_config: Mapping[str, Mapping[str, Any]]

    def plugin_config(self, name: str) -> Mapping[str, Any]:
        """The configuration of the plugin called ``name`` (its table in the
        ``QUORUM_PLUGIN_CONFIG`` file), empty when it has none."""
        return self._plugin_config.get(name, {})

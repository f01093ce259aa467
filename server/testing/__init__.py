"""Pytest fixtures and helpers for Quorum and its plugins (the ``quorum`` pytest11 plugin).

Third-party plugin authors get the same fixtures and helpers the project's own tests use.
Importing this module is cheap (it is loaded on every pytest run where Quorum is installed):
the app, the database and the helpers' modules are imported when a fixture or a helper is
first used.

Fixtures:

- ``quorum_settings``: settings with a fresh data folder and a fresh, migrated database.
  The database is SQLite unless ``QUORUM_TEST_DATABASE_URL`` names a PostgreSQL server
  (``postgresql+psycopg://user@host:port/postgres``); then every test gets a database of its
  own, cloned from a migrated template.
- ``quorum_app``: ``create_app(quorum_settings)``; add plugin objects with the
  ``quorum_plugins`` fixture (override it in a conftest).
- ``quorum_client``: an :class:`AppClient`: httpx's ASGI transport over the app (lifespan
  included), callable from plain synchronous tests and from many threads at once.
- ``gql``: a :class:`GraphQLClient` over that client.
- ``quorum_databases``: the session's :class:`DatabaseFactory`.

Helpers (:mod:`quorum.testing.factories`, :mod:`quorum.testing.scenarios`):

- :func:`running_job`: a job ingested and running, with its requester and workers, as a
  :class:`RunningJob` (claim, submit, label everything, run the runner, read the status)::

      def test_my_algorithm(quorum_app, gql, quorum_settings, quorum_plugins):
          job = running_job(quorum_app, gql, quorum_settings, workers=3,
                            consensus="my-algo", workersPerItem=3)
          job.label_everything("positive")
          job.run_runner()
          lines = read_output(job.status()["outputManifest"])

- :func:`make_user`, :func:`make_team`, :func:`write_manifest`, :func:`text_lines`,
  :func:`create_job`, :func:`read_output`, and the GraphQL operations :data:`CREATE_JOB`,
  :data:`CLAIM`, :data:`SUBMIT` and :data:`JOB`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from quorum.settings import Settings
    from quorum.testing.clients import AppClient as AppClient
    from quorum.testing.clients import GraphQLClient as GraphQLClient
    from quorum.testing.clients import GraphQLError as GraphQLError
    from quorum.testing.databases import TEST_DATABASE_ENV as TEST_DATABASE_ENV
    from quorum.testing.databases import DatabaseFactory as DatabaseFactory
    from quorum.testing.factories import CLAIM as CLAIM
    from quorum.testing.factories import CREATE_JOB as CREATE_JOB
    from quorum.testing.factories import JOB as JOB
    from quorum.testing.factories import SUBMIT as SUBMIT
    from quorum.testing.factories import create_job as create_job
    from quorum.testing.factories import make_team as make_team
    from quorum.testing.factories import make_user as make_user
    from quorum.testing.factories import read_output as read_output
    from quorum.testing.factories import text_lines as text_lines
    from quorum.testing.factories import write_manifest as write_manifest
    from quorum.testing.scenarios import RunningJob as RunningJob
    from quorum.testing.scenarios import running_job as running_job

#: Each public helper and the module that defines it, imported on first use.
_HELPERS = {
    "quorum.testing.clients": ("AppClient", "GraphQLClient", "GraphQLError"),
    "quorum.testing.databases": ("DatabaseFactory", "TEST_DATABASE_ENV"),
    "quorum.testing.factories": (
        "CLAIM",
        "CREATE_JOB",
        "JOB",
        "SUBMIT",
        "create_job",
        "make_team",
        "make_user",
        "read_output",
        "text_lines",
        "write_manifest",
    ),
    "quorum.testing.scenarios": ("RunningJob", "running_job"),
}
_MODULE_OF = {name: module for module, names in _HELPERS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    """A helper of :data:`_HELPERS`, imported from its module on first use (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


@pytest.fixture(scope="session")
def quorum_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    """The session's database factory (SQLite, or PostgreSQL from the environment)."""
    from quorum.testing.databases import TEST_DATABASE_ENV, DatabaseFactory

    factory = DatabaseFactory(
        tmp_path_factory.mktemp("quorum-db"), os.environ.get(TEST_DATABASE_ENV) or None
    )
    yield factory
    factory.close()


@pytest.fixture
def quorum_settings(tmp_path: Path, quorum_databases: DatabaseFactory) -> Iterator[Settings]:
    """Settings with a fresh data folder and a fresh, migrated database."""
    from quorum.settings import Settings

    data_dir = tmp_path / "quorum-data"
    data_dir.mkdir()
    url = quorum_databases.new(data_dir)
    yield Settings.from_env(
        {
            "QUORUM_DATA_DIR": str(data_dir),
            "QUORUM_DATABASE_URL": url,
            "QUORUM_LOCAL_ROOTS": str(tmp_path / "inputs"),
        }
    )
    quorum_databases.drop(url)


@pytest.fixture
def quorum_plugins() -> list[object]:
    """Extra plugin objects for ``quorum_app``; override to add your plugin."""
    return []


@pytest.fixture
def quorum_app(quorum_settings: Settings, quorum_plugins: list[object]) -> Starlette:
    """The app, built by the real factory."""
    from quorum.app import create_app

    return create_app(quorum_settings, plugins=quorum_plugins)


@pytest.fixture
def quorum_client(quorum_app: Starlette) -> Iterator[AppClient]:
    """A client over the app, lifespan included."""
    from quorum.testing.clients import AppClient

    client = AppClient(quorum_app)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def gql(quorum_client: AppClient) -> GraphQLClient:
    """A GraphQL client over the app."""
    from quorum.testing.clients import GraphQLClient

    return GraphQLClient(quorum_client)

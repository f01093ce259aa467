"""Pytest fixtures for Quorum and its plugins (registered as the ``quorum`` pytest11 plugin).

Third-party plugin authors get the same fixtures the project's own tests use:

- ``quorum_settings``: settings with a fresh data folder and a fresh, migrated database.
  The database is SQLite unless ``QUORUM_TEST_DATABASE_URL`` names a PostgreSQL server
  (``postgresql+psycopg://user@host:port/postgres``); then every test gets a database of its
  own, cloned from a migrated template.
- ``quorum_app``: ``create_app(quorum_settings)``; add plugin objects with the
  ``quorum_plugins`` fixture (override it in a conftest).
- ``quorum_client``: an :class:`AppClient`: httpx's ASGI transport over the app (lifespan
  included), callable from plain synchronous tests and from many threads at once.
- ``gql``: a :class:`GraphQLClient` over that client.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from quorum.app import create_app
from quorum.db.migrate import upgrade
from quorum.settings import Settings

TEST_DATABASE_ENV = "QUORUM_TEST_DATABASE_URL"


@dataclass
class GraphQLError:
    """One error of a GraphQL response."""

    code: str | None
    message: str
    path: list[Any] | None
    #: The error's whole ``extensions`` (``code`` and any details, say ``reason``).
    extensions: dict[str, Any] = field(default_factory=dict)


class AppClient:
    """A synchronous HTTP client over an ASGI app: httpx's ``ASGITransport`` driven through
    an anyio blocking portal, with the app's lifespan run around it."""

    def __init__(self, app: Starlette) -> None:
        self._portal_context: AbstractContextManager[BlockingPortal] = start_blocking_portal()
        self.portal = self._portal_context.__enter__()
        self._lifespan = self.portal.call(self._enter_lifespan, app)
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self._lifespan.app), base_url="http://quorum.test"
        )

    @staticmethod
    async def _enter_lifespan(app: Starlette) -> LifespanManager:
        manager = LifespanManager(app)  # detects the event loop, so made on the portal
        await manager.__aenter__()
        return manager

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and wait for its response (safe from any thread)."""
        return self.portal.call(functools.partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """``GET url``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """``POST url``."""
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Close the client, end the app's lifespan and the portal."""
        self.portal.call(self._client.aclose)
        self.portal.call(self._lifespan.__aexit__, None, None, None)
        self._portal_context.__exit__(None, None, None)


class GraphQLClient:
    """Posts GraphQL operations to ``/graphql`` and splits the answer."""

    def __init__(self, client: AppClient) -> None:
        self.client = client

    def execute(
        self, query: str, variables: Mapping[str, Any] | None = None, token: str | None = None
    ) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
        """Run an operation; returns ``(data, errors)``."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=headers
        )
        body = response.json()
        errors = [
            GraphQLError(
                code=(error.get("extensions") or {}).get("code"),
                message=error["message"],
                path=error.get("path"),
                extensions=error.get("extensions") or {},
            )
            for error in body.get("errors") or []
        ]
        return body.get("data"), errors

    def ok(
        self, query: str, variables: Mapping[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """Run an operation that must succeed; returns its data."""
        data, errors = self.execute(query, variables, token)
        assert not errors, errors
        assert data is not None
        return data

    def error(
        self, query: str, variables: Mapping[str, Any] | None = None, token: str | None = None
    ) -> GraphQLError:
        """Run an operation that must fail; returns its first error."""
        _data, errors = self.execute(query, variables, token)
        assert errors, "expected an error, the operation succeeded"
        return errors[0]


class DatabaseFactory:
    """Makes a fresh migrated database per test: a copied SQLite file, or a PostgreSQL
    database cloned from a migrated template."""

    def __init__(self, root: Path, server_url: str | None) -> None:
        self.root = root
        self.server_url = server_url
        self._created: list[str] = []
        if server_url is None:
            self.template = root / "template.db"
            upgrade(f"sqlite:///{self.template}")
        else:
            self.template_name = f"quorum_template_{uuid.uuid4().hex[:8]}"
            self._admin(f'CREATE DATABASE "{self.template_name}"')
            upgrade(self._url(self.template_name))

    def _url(self, name: str) -> str:
        assert self.server_url is not None
        return self.server_url.rsplit("/", 1)[0] + "/" + name

    def _admin(self, statement: str) -> None:
        import psycopg

        assert self.server_url is not None
        plain = self.server_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(statement)

    def new(self, folder: Path) -> str:
        """The URL of a fresh database."""
        if self.server_url is None:
            target = folder / "quorum.db.engine"
            shutil.copyfile(self.template, target)
            return f"sqlite:///{target}"
        name = f"quorum_test_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
        self._created.append(name)
        return self._url(name)

    def drop(self, url: str) -> None:
        """Drop a PostgreSQL test database (SQLite files go with their folder)."""
        if self.server_url is None:
            return
        name = url.rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop the template."""
        if self.server_url is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self.template_name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def quorum_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    """The session's database factory (SQLite, or PostgreSQL from the environment)."""
    factory = DatabaseFactory(
        tmp_path_factory.mktemp("quorum-db"), os.environ.get(TEST_DATABASE_ENV) or None
    )
    yield factory
    factory.close()


@pytest.fixture
def quorum_settings(tmp_path: Path, quorum_databases: DatabaseFactory) -> Iterator[Settings]:
    """Settings with a fresh data folder and a fresh, migrated database."""
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
    return create_app(quorum_settings, plugins=quorum_plugins)


@pytest.fixture
def quorum_client(quorum_app: Starlette) -> Iterator[AppClient]:
    """A client over the app, lifespan included."""
    client = AppClient(quorum_app)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def gql(quorum_client: AppClient) -> GraphQLClient:
    """A GraphQL client over the app."""
    return GraphQLClient(quorum_client)

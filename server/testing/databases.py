"""A fresh, migrated database per test: SQLite files or PostgreSQL databases."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from quorum.db.migrate import upgrade

#: Names a PostgreSQL server (``postgresql+psycopg://user@host:port/postgres``) to test on.
TEST_DATABASE_ENV = "QUORUM_TEST_DATABASE_URL"


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
            target = folder / "quorum.db"
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

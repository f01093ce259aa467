"""The database: engine set-up for SQLite and PostgreSQL, and transaction scopes.

A new SQLite file is created ``0600`` (its ``-wal`` and ``-shm`` files take its mode).
SQLite runs in WAL mode with ``synchronous=NORMAL`` (a committed answer survives a killed
server; only a power cut can lose the last transactions) and a busy timeout. Its
transactions are opened explicitly: ``BEGIN IMMEDIATE`` for writes, so that two writers
queue for the lock instead of failing to upgrade a read lock, and plain ``BEGIN`` for reads,
which WAL never blocks. PostgreSQL uses ``postgresql+psycopg://`` URLs.

Audit events recorded during a write are appended to the audit trail with the commit
(:func:`quorum.audit.pending_inserts`, sent with the ``COMMIT`` in one round trip on
PostgreSQL), and handed to ``after_commit`` only once the transaction has committed, so a
plugin is never told of a change that was rolled back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

from quorum import audit
from quorum.db import rows
from quorum.errors import StartupError

if TYPE_CHECKING:
    from quorum.events import Event


def _create_private(url: str) -> None:
    """Create the SQLite file of ``url`` empty with mode ``0600`` if it is missing, so that
    SQLite, which gives its ``-wal`` and ``-shm`` files the database's mode, never makes
    the answers and token hashes world-readable (its own default is ``0644``)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _sqlite_engine(url: str) -> Engine:
    _create_private(url)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("quorum_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite and PostgreSQL (``postgresql+psycopg://``)."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if url.startswith("postgresql"):
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        # No pre-ping: it costs a round trip per transaction; a connection the server
        # dropped fails its transaction, which the caller sees as an error and retries.
        return create_engine(url, pool_size=20, max_overflow=20, pool_recycle=1800)
    raise StartupError(
        f"QUORUM_DATABASE_URL {url!r}: only sqlite:/// and postgresql+psycopg:// are supported"
    )


class Database:
    """One engine and the two kinds of transaction the services use."""

    def __init__(self, url: str, after_commit: Callable[[Event], None] | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        # SQLite has one writer at a time; queueing writers on a lock in the process wakes
        # each as soon as the last commits, instead of SQLite's busy-timeout polling, which
        # sleeps in growing steps and turned 16 concurrent workers into p95s of 650 ms.
        self._writer: AbstractContextManager[object] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext()
        )
        self._write_engine = self.engine.execution_options(quorum_write=True)
        self.after_commit = after_commit

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any exception."""
        with self._writer, Session(self._write_engine, expire_on_commit=False) as session:
            try:
                yield session
                session.flush()  # the ORM's changes, in this transaction
                rows.commit(session, audit.pending_inserts(session))
                session.commit()
            except BaseException:
                session.rollback()
                raise
            events: list[Event] = session.info.pop(audit.EVENTS_KEY, [])
        if self.after_commit is not None:
            for committed in events:
                self.after_commit(committed)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction; closing the session ends it (objects stay loaded)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

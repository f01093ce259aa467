"""Row access for the hot paths (authentication, claim, submit, release, expiry, audit).

Plain SQL on the driver connection underneath the session (the session's transaction
still covers it), with parameters and results converted the way SQLAlchemy stores them:
on SQLite, datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text and JSON as text; on
PostgreSQL, psycopg's own types. A statement costs a few microseconds this way instead of
the 100-160 us SQLAlchemy's statement machinery and type processing take, which at ~15
statements per claim and submit was most of a request's time.

SQL is written once with ``:name`` parameters and translated for psycopg on first use.
Everything else goes through the ORM as usual.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import Table
from sqlmodel import Session, SQLModel

ModelT = TypeVar("ModelT", bound=SQLModel)

_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Kinds:
    datetimes: frozenset[str]
    json: frozenset[str]


@cache
def _kinds(model: type[SQLModel]) -> _Kinds:
    columns = table(model).columns
    return _Kinds(
        datetimes=frozenset(
            c.name for c in columns if isinstance(getattr(c.type, "impl", c.type), sa.DateTime)
        ),
        json=frozenset(c.name for c in columns if isinstance(c.type, sa.JSON)),
    )


@cache
def _pyformat(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


_DRIVER_KEY = "quorum.driver"


def _driver(session: Session) -> tuple[Any, bool]:
    """The driver connection under the session's transaction, and whether it is psycopg.

    Looked up once per transaction: :class:`quorum.db.engine.Database` ends every session with its
    transaction, and ``after_begin`` below forgets the connection should one begin again.
    """
    found: tuple[Any, bool] | None = session.info.get(_DRIVER_KEY)
    if found is None:
        connection = session.connection().connection.driver_connection
        found = (connection, session.get_bind().dialect.name == "postgresql")
        session.info[_DRIVER_KEY] = found
    return found


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_driver(session: Session, _transaction: Any) -> None:
    session.info.pop(_DRIVER_KEY, None)


def _param(value: Any, postgres: bool) -> Any:
    if isinstance(value, datetime):
        return value if postgres else value.astimezone(UTC).strftime(_SQLITE_TIME)
    if isinstance(value, dict | list):
        if postgres:
            from psycopg.types.json import Json

            return Json(value)
        return json.dumps(value)
    return value


def _params(params: Mapping[str, Any], postgres: bool) -> dict[str, Any]:
    return {key: _param(value, postgres) for key, value in params.items()}


Statement = tuple[str, Mapping[str, Any]]
"""SQL with ``:name`` parameters, and their values."""


def _send(session: Session, statements: Sequence[Statement], *, commit: bool = False) -> list[Any]:
    """Run ``statements`` in order (then commit, if asked); one cursor per statement.

    On PostgreSQL, more than one statement (or a commit) goes out in pipeline mode: one
    round trip for all of them instead of one each. Results are read after the pipeline's
    sync, and an error in any statement raises there, aborting the transaction.
    """
    connection, postgres = _driver(session)

    def execute() -> list[Any]:
        cursors = []
        for sql, params in statements:
            cursor = connection.cursor()
            cursor.execute(_pyformat(sql) if postgres else sql, _params(params, postgres))
            cursors.append(cursor)
        if commit:
            connection.commit()
        return cursors

    if postgres and (len(statements) > 1 or commit):
        with connection.pipeline():
            return execute()
    return execute()


def _cursor(session: Session, sql: str, params: Mapping[str, Any]) -> tuple[Any, bool]:
    (cursor,) = _send(session, [(sql, params)])
    return cursor, _driver(session)[1]


def run(session: Session, sql: str, params: Mapping[str, Any] | None = None) -> int:
    """Run one statement; returns the number of rows it changed."""
    cursor, _ = _cursor(session, sql, params or {})
    return int(cursor.rowcount)


def run_all(session: Session, statements: Sequence[Statement]) -> list[int]:
    """Run ``statements`` in order, in one round trip on PostgreSQL; the number of rows
    each changed."""
    return [int(cursor.rowcount) for cursor in _send(session, statements)]


def commit(session: Session, statements: Sequence[Statement] = ()) -> None:
    """Run ``statements``, then commit the session's transaction: one round trip on
    PostgreSQL. The session's own commit afterwards finds nothing left to do; flush the
    session's ORM changes first, or they would land in a transaction of their own."""
    _send(session, statements, commit=True)


def run_many(session: Session, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run one statement for each parameter set."""
    connection, postgres = _driver(session)
    converted = [_params(row, postgres) for row in rows]
    cursor = connection.cursor()
    cursor.executemany(_pyformat(sql) if postgres else sql, converted)


def stored_time(value: Any) -> datetime | None:
    """A datetime column's value as a raw query read it (SQLite gives its UTC text), as
    the aware UTC datetime SQLAlchemy would give."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return cast(datetime | None, value)


def _decode(row: dict[str, Any], kinds: _Kinds) -> dict[str, Any]:
    for name in kinds.datetimes:
        value = row.get(name)
        if isinstance(value, str):
            row[name] = stored_time(value)
    for name in kinds.json:
        value = row.get(name)
        if isinstance(value, str):
            row[name] = json.loads(value)
    return row


def _result(cursor: Any, postgres: bool, model: type[SQLModel] | None) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    rows: Iterable[Any] = cursor.fetchall()
    result = [dict(zip(names, row, strict=True)) for row in rows]
    if model is None or postgres:
        return result
    kinds = _kinds(model)
    return [_decode(row, kinds) for row in result]


def select_rows(
    session: Session,
    sql: str,
    params: Mapping[str, Any] | None = None,
    model: type[SQLModel] | None = None,
) -> list[dict[str, Any]]:
    """The rows of a query as dicts; with ``model``, its datetime and JSON columns are
    decoded as SQLAlchemy would."""
    cursor, postgres = _cursor(session, sql, params or {})
    return _result(cursor, postgres, model)


def select_all(
    session: Session, queries: Sequence[tuple[str, Mapping[str, Any], type[SQLModel] | None]]
) -> list[list[dict[str, Any]]]:
    """The rows of several independent queries (``sql``, ``params``, ``model`` each, as
    :func:`select_rows`), read in one round trip on PostgreSQL."""
    postgres = _driver(session)[1]
    cursors = _send(session, [(sql, params) for sql, params, _model in queries])
    return [
        _result(cursor, postgres, model)
        for cursor, (_sql, _params, model) in zip(cursors, queries, strict=True)
    ]


def model_from_row(model: type[ModelT], row: Mapping[str, Any]) -> ModelT:
    """A transient ``model`` holding a whole row (``SELECT *``), built the way SQLAlchemy
    builds the objects it loads: a bare instance whose attributes are set directly, without
    validation or change events. That takes ~3 us where ``model(**row)`` takes ~120 us,
    which on the claim and submit paths was a fifth of a request's time."""
    instance = _class_manager(model).new_instance()
    instance.__dict__.update(row)
    return cast(ModelT, instance)


@cache
def _class_manager(model: type[SQLModel]) -> Any:
    # Attributes only work once the mappers are configured, which building an instance
    # this way (unlike a query or ``model(...)``) does not trigger by itself.
    sa.orm.configure_mappers()
    return model._sa_class_manager  # type: ignore[attr-defined]


def fetch_one(
    session: Session, model: type[ModelT], sql: str, params: Mapping[str, Any] | None = None
) -> ModelT | None:
    """The first row of a query over ``model``'s table (all its columns), as a transient
    model, or ``None``."""
    rows = select_rows(session, sql, params, model)
    return model_from_row(model, rows[0]) if rows else None


def insert(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    *,
    then: Sequence[Statement] = (),
) -> int:
    """Insert one row of ``model``'s table and run the statements in ``then`` after it (in
    the same round trip on PostgreSQL); returns the new row's id."""
    name = table(model).name
    columns = ", ".join(values)
    placeholders = ", ".join(f":{column}" for column in values)
    sql = f"INSERT INTO {name} ({columns}) VALUES ({placeholders})"
    postgres = _driver(session)[1]
    cursor, *_ = _send(session, [(sql + " RETURNING id" if postgres else sql, values), *then])
    return int(cursor.fetchone()[0]) if postgres else int(cursor.lastrowid)

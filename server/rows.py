"""Row access for the hot paths (claim, submit, authentication, audit).

Core statements on the session's connection, with results turned into transient model
instances: no identity map, no unit of work, no autoflush. That is several times cheaper
than the ORM for the few statements a claim or a submit needs, and the session's
transaction still covers them (they run on the same connection).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Executable, Table
from sqlmodel import Session, SQLModel

ModelT = TypeVar("ModelT", bound=SQLModel)


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def execute(
    session: Session,
    statement: Executable,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> CursorResult[Any]:
    """Run a Core statement in the session's transaction (a sequence of parameter sets
    runs it once per set, as one ``executemany``)."""
    if params is None or isinstance(params, Mapping):
        return session.connection().execute(statement, dict(params or {}))
    return session.connection().execute(statement, [dict(row) for row in params])


def fetch_one(
    session: Session,
    model: type[ModelT],
    statement: Executable,
    params: Mapping[str, Any] | None = None,
) -> ModelT | None:
    """The first row of ``statement`` (which selects ``model``'s table) as a transient
    instance, or ``None``."""
    row = execute(session, statement, params).mappings().first()
    return None if row is None else model(**row)


def insert(session: Session, model: type[SQLModel], values: Mapping[str, Any]) -> int:
    """Insert one row; returns its new id."""
    result = execute(session, table(model).insert().values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])

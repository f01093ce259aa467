"""Alembic environment: the metadata of quorum.models, the URL from Quorum's settings."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import quorum.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from quorum.db.engine import make_engine
from quorum.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("database_url") or Settings.from_env().database_url
    engine = make_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

"""The migrations build exactly the schema the models describe, on the test database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import quorum.models  # noqa: F401  (registers every table)
from quorum.db.engine import make_engine


def test_the_migrated_schema_matches_the_models(quorum_settings):
    engine = make_engine(quorum_settings.database_url)  # migrated by the fixture
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": False}
            )
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []

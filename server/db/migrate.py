"""Runs alembic's migrations (``quorum migrate``, and ``quorum serve`` before serving)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config

from quorum.db.engine import make_engine


def alembic_config(database_url: str) -> Config:
    """An alembic config for the packaged migrations and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(files("quorum.migrations")))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision`` (the latest by default)."""
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()

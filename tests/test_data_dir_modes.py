"""The data folder and the SQLite database are readable by the server's user alone: the
database holds every answer and the token hashes, as the signing key (``0600``) does."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from quorum.app import create_app
from quorum.db.migrate import upgrade
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import AppClient, make_user


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems give a service (``022``): files 0644, folders 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_data_folder_and_database_are_private(tmp_path, usual_umask):
    settings = Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path / "new" / "quorum-data")})
    assert settings.database_url.startswith("sqlite:///")  # the default, whatever the tests use
    upgrade_after_prepare(settings)  # what `quorum serve` and `quorum migrate` do first
    app = create_app(settings)
    client = AppClient(app)
    try:
        make_user(app, "ada", Role.ADMIN)  # a write: WAL mode makes the -wal and -shm files
        assert client.get("/healthz").status_code == 200
        data = settings.data_dir
        files = {path.name: mode(path) for path in data.iterdir() if path.is_file()}
        assert files == {
            "quorum.db.engine": 0o600,
            "quorum.db.engine-wal": 0o600,
            "quorum.db.engine-shm": 0o600,
            "signing.key": 0o600,
        }
        assert (mode(data), mode(settings.objects_dir)) == (0o700, 0o700)
    finally:
        client.close()


def upgrade_after_prepare(settings: Settings) -> None:
    settings.prepare_data_dir()
    upgrade(settings.database_url)


def test_an_existing_folder_keeps_its_mode(tmp_path, usual_umask):
    data = tmp_path / "quorum-data"
    data.mkdir(mode=0o750)
    settings = Settings.from_env({"QUORUM_DATA_DIR": str(data)})
    settings.prepare_data_dir()
    assert (mode(data), mode(settings.objects_dir)) == (0o750, 0o700)

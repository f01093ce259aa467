"""``/healthz`` reports the database and the object store, and a full disk says so."""

from __future__ import annotations

import errno
import sqlite3
import time
from collections import namedtuple

import pytest
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from quorum.errors import is_disk_full
from quorum.http import health
from quorum.statuses import Role
from quorum.storage import Storage
from quorum.testing import make_user

DiskUsage = namedtuple("DiskUsage", "total used free")


def _no_space(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _sqlite_full(*_args: object, **_kwargs: object) -> None:
    raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))


def test_a_healthy_server_says_which_checks_pass(quorum_client):
    response = quorum_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}


def test_a_full_object_store_is_a_503_that_says_disk_full(quorum_client, monkeypatch):
    monkeypatch.setattr(Storage, "write_bytes", _no_space)
    response = quorum_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"].startswith("disk full")


def test_a_data_folder_without_free_space_fails_the_storage_check(quorum_client, monkeypatch):
    monkeypatch.setattr(health.shutil, "disk_usage", lambda _path: DiskUsage(10**9, 10**9, 4096))
    response = quorum_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("disk full: 4096 bytes free in ")


def test_a_down_database_is_a_503_naming_the_database(quorum_app, quorum_client, monkeypatch):
    def refused() -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(quorum_app.state.db, "read", refused)
    response = quorum_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["storage"] == "ok"
    assert body["checks"]["database"].startswith("OperationalError: ")
    assert "connection refused" in body["checks"]["database"]


def test_a_database_that_does_not_answer_fails_within_the_timeout(
    quorum_app, quorum_client, monkeypatch
):
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(quorum_app.state.db, "read", lambda: time.sleep(1))
    started = time.monotonic()
    response = quorum_client.get("/healthz")
    assert time.monotonic() - started < 0.9
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "no answer within 0.2 s"


def test_a_full_database_disk_is_disk_full_to_a_graphql_caller(quorum_app, gql, monkeypatch):
    _, admin = make_user(quorum_app, "root", Role.ADMIN)
    monkeypatch.setattr(quorum_app.state.db, "write", _sqlite_full)
    error = gql.error('mutation { createTeam(input: {name: "crew"}) { id } }', {}, admin)
    assert error.code == "DISK_FULL"
    assert error.message.startswith("disk full")


def test_an_upload_to_a_full_disk_is_507_disk_full(quorum_app, monkeypatch):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    monkeypatch.setattr(Storage, "write_bytes", _no_space)
    with TestClient(quorum_app, raise_server_exceptions=False) as client:
        response = client.post(
            "/uploads",
            content=b'{"source": "a"}\n',
            headers={"Authorization": f"Bearer {requester}"},
        )
    assert response.status_code == 507
    assert response.json() == {
        "error": "disk full: the server cannot store anything more until space is freed",
        "code": "DISK_FULL",
    }


@pytest.mark.parametrize(
    "exc",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")),
    ],
)
def test_is_disk_full_sees_through_wrapping(exc):
    try:
        try:
            raise exc
        except Exception as inner:
            raise RuntimeError("while writing the output") from inner
    except RuntimeError as outer:
        assert is_disk_full(outer)
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))

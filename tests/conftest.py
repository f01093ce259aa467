"""Fixtures for the storage plugins: an in-process S3 server (moto) and settings using it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from quorum.settings import Settings


def start_moto_server() -> tuple[str, Callable[[], None]]:
    """Start moto's S3-compatible server on a free loopback port, in a background thread.

    Returns the endpoint (``127.0.0.1:PORT``) and a function that stops the server.
    """
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return f"{host}:{port}", server.stop


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint of an S3 server shared by the whole session (use unique bucket names)."""
    endpoint, stop = start_moto_server()
    try:
        yield endpoint
    finally:
        stop()


@pytest.fixture
def s3_settings(tmp_path: Path, s3_server: str) -> Settings:
    """Settings whose s3:// backend talks to the session's moto server."""
    return Settings.from_env(
        {
            "QUORUM_DATA_DIR": str(tmp_path),
            "QUORUM_S3_ENDPOINT": s3_server,
            "QUORUM_S3_ACCESS_KEY": "testing",
            "QUORUM_S3_SECRET_KEY": "testing",
            "QUORUM_S3_REGION": "us-east-1",
            "QUORUM_S3_SECURE": "false",
        }
    )

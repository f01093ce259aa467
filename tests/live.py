"""A real ``quorum serve`` process on loopback, for tests that need one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from quorum.settings import Settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """``quorum serve`` as a child process; :meth:`kill` ends it without warning."""

    def __init__(
        self,
        settings: Settings,
        *,
        log_level: str = "warning",
        log_file: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """``log_file`` takes the server's stderr (its log); ``env`` adds variables."""
        self.settings = settings
        self.log_level = log_level
        self.log_file = log_file
        self.extra_env = dict(env or {})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until /healthz answers."""
        env = {
            **os.environ,
            "QUORUM_DATA_DIR": str(self.settings.data_dir),
            "QUORUM_DATABASE_URL": self.settings.database_url,
            "QUORUM_LOCAL_ROOTS": ":".join(str(root) for root in self.settings.local_roots),
            **(
                {"QUORUM_PLUGINS_DIR": str(self.settings.plugins_dir)}
                if self.settings.plugins_dir
                else {}
            ),
            **self.extra_env,
        }
        log = None if self.log_file is None else self.log_file.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "quorum",
                "serve",
                "--port",
                str(self.port),
                "--log-level",
                self.log_level,
            ],
            env=env,
            stderr=log,
        )
        if log is not None:
            log.close()  # the child has its own copy
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"quorum serve exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("quorum serve did not come up in 30 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """End the server politely if it still runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def graphql(
    client: httpx.Client, token: str, query: str, variables: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Run an operation that must succeed against a live server; returns its data."""
    response = client.post(
        "/graphql",
        json={"query": query, "variables": dict(variables or {})},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data

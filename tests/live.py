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

from quorum.db.engine import Database
from quorum.plugins import PluginHost
from quorum.services.jobs import JobSpec, create_job
from quorum.services.users import create_team, create_user
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import text_lines, write_manifest


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


STATUS = "query($id: ID!) { job(id: $id) { status counters { humanLabeled total } } }"


def setup_job(
    settings: Settings, items: int, workers: int, per_item: int
) -> tuple[str, str, list[str]]:
    """A job, its requester token and worker tokens, made in the server's database."""
    db = Database(settings.database_url)
    try:
        with db.write() as session:
            requester, requester_token = create_user(
                session, name="req", role=Role.REQUESTER, actor_id=None
            )
            people = [
                create_user(session, name=f"w{n}", role=Role.WORKER, actor_id=None)
                for n in range(workers)
            ]
            team = create_team(
                session, name="crew", member_ids=[user.id for user, _ in people], actor_id=None
            )
            job = create_job(
                session,
                spec=JobSpec(
                    name="live",
                    task_type="text-classification",
                    input_manifest=write_manifest(settings, "live.manifest", text_lines(items)),
                    labels=["negative", "positive"],
                    team_id=team.id,
                    workers_per_item=per_item,
                ),
                actor=requester,
                plugins=PluginHost(settings),
            )
    finally:
        db.dispose()
    return str(job.id), requester_token, [token for _, token in people]


def wait_for(
    client: httpx.Client, token: str, job_id: str, status: str, timeout: float = 30.0
) -> dict[str, Any]:
    """Poll job ``job_id`` until it has ``status``; its status and counters."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = graphql(client, token, STATUS, {"id": job_id})["job"]
        if job["status"] == status:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job never reached {status}: {job}")

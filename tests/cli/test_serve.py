"""The command line against a real server: a taken port, and ``quorum job wait``'s exit
statuses (0 reached, 1 ended otherwise or timed out, 2 could not ask)."""

from __future__ import annotations

import gc
import logging
import socket
import time

import httpx
import pytest

from quorum.cli import main as cli
from tests.cli.test_cli import env_for, quorum
from tests.live import LiveServer, free_port, graphql, setup_job, wait_for


def test_a_taken_port_says_how_to_pick_another(quorum_settings):
    port = free_port()
    with socket.create_server(("127.0.0.1", port)):
        for args, env in (
            (["serve", "--port", str(port)], {}),
            (["serve"], {"QUORUM_PORT": str(port)}),
        ):
            result = quorum(*args, env={**env_for(quorum_settings), **env})
            assert result.returncode == 2
            assert result.stdout == ""
            assert result.stderr == (
                f"quorum: error: port {port} on 127.0.0.1 is already in use (another quorum "
                f"serve?); pick another with --port, QUORUM_PORT or `make run PORT={port + 1}`\n"
            )


@pytest.fixture
def served(quorum_settings):
    """A live server with a job of two items; (server, job id, requester token)."""
    live = LiveServer(quorum_settings)
    job_id, requester, _workers = setup_job(quorum_settings, items=2, workers=1, per_item=1)
    live.start()
    yield live, job_id, requester
    live.stop()


def wait(live, *args: str, token: str | None = None):
    env = {"QUORUM_PORT": str(live.port), **({"QUORUM_TOKEN": token} if token else {})}
    return quorum("job", "wait", *args, env=env)


def test_job_wait_prints_the_status_once_the_job_has_it(served):
    live, job_id, requester = served
    result = wait(live, job_id, "--status", "IN_PROGRESS", token=requester)
    assert (result.returncode, result.stdout, result.stderr) == (0, "IN_PROGRESS\n", "")


def test_job_wait_gives_up_after_its_timeout_with_exit_1(served):
    live, job_id, requester = served
    with httpx.Client(base_url=live.url) as client:
        wait_for(client, requester, job_id, "IN_PROGRESS")
    started = time.monotonic()
    result = wait(live, job_id, "--status", "COMPLETED", "--timeout", "1.5", token=requester)
    assert 1.5 <= time.monotonic() - started < 30
    assert (result.returncode, result.stdout) == (1, "IN_PROGRESS\n")
    assert result.stderr == (
        f"quorum: error: job {job_id} is still IN_PROGRESS after 1.5 s, not COMPLETED\n"
    )


def test_job_wait_stops_at_once_when_the_job_ends_otherwise(served):
    live, job_id, requester = served
    with httpx.Client(base_url=live.url) as client:
        wait_for(client, requester, job_id, "IN_PROGRESS")
        graphql(client, requester, "mutation($id: ID!) { stopJob(id: $id) { id } }", {"id": job_id})
    started = time.monotonic()
    result = wait(live, job_id, "--status", "COMPLETED", "--timeout", "60", token=requester)
    assert time.monotonic() - started < 30
    assert (result.returncode, result.stdout) == (1, "STOPPED\n")
    assert result.stderr == f"quorum: error: job {job_id} ended STOPPED, not COMPLETED\n"


def test_job_wait_that_cannot_ask_exits_2_with_one_line(served):
    live, job_id, requester = served
    cases = {
        "no token": (wait(live, job_id, "--status", "COMPLETED"), "an API token is needed"),
        "bad token": (
            wait(live, job_id, "--status", "COMPLETED", token="qrm_nope"),
            "the API token is not valid",
        ),
        "unknown job": (
            wait(live, "999", "--status", "COMPLETED", token=requester),
            "ID: there is no job 999",
        ),
        "no server": (
            quorum(
                "job",
                "wait",
                job_id,
                "--status",
                "COMPLETED",
                "--token",
                requester,
                "--server",
                f"http://127.0.0.1:{free_port()}",
                env={},
            ),
            "cannot reach the server at http://127.0.0.1:",
        ),
    }
    for name, (result, says) in cases.items():
        assert result.returncode == 2, (name, result.stderr)
        assert result.stdout == "", name
        assert result.stderr.startswith("quorum: error: ") and says in result.stderr, name
        assert result.stderr.count("\n") == 1, (name, result.stderr)


def test_serve_takes_what_it_loaded_at_startup_out_of_the_garbage_collector(
    quorum_settings, monkeypatch
):
    """A full collection over the ~270,000 objects of a started server took ~140 ms, a
    stall of every request whenever one came due (benchmarks/abuse.py)."""
    for name, value in env_for(quorum_settings).items():
        monkeypatch.setenv(name, value)
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", root.level)  # serve sets it
    served: list[int] = []

    def run(_server: object, sockets: list[socket.socket]) -> None:
        served.append(gc.get_freeze_count())
        for listener in sockets:
            listener.close()

    monkeypatch.setattr("uvicorn.Server.run", run)
    try:
        assert cli.main(["serve", "--port", str(free_port()), "--no-runner"]) == 0
    finally:
        gc.unfreeze()
    assert served and served[0] > 100_000

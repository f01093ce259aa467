"""Against a real ``quorum serve``: concurrent workers, a killed server, live progress."""

from __future__ import annotations

import json
import threading
from collections import Counter

import httpx
import pytest
from sqlmodel import select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from quorum.db.engine import Database
from quorum.models import Item, Task, User
from quorum.statuses import TaskStatus
from tests.live import LiveServer, graphql, setup_job, wait_for

CLAIM = "mutation($jobId: ID) { claimTask(jobId: $jobId) { id item { position } } }"
SUBMIT = "mutation($id: ID!, $answer: JSON!) { submitTask(taskId: $id, answer: $answer) { id } }"


@pytest.fixture
def server(quorum_settings):
    live = LiveServer(quorum_settings)
    live.start()
    yield live
    live.stop()


def work(url: str, token: str, job_id: str, log: list[tuple[str, int]], limit: int | None = None):
    with httpx.Client(base_url=url, timeout=30) as client:
        while limit is None or len(log) < limit:
            task = graphql(client, token, CLAIM, {"jobId": job_id})["claimTask"]
            if task is None:
                return
            graphql(client, token, SUBMIT, {"id": task["id"], "answer": {"label": "positive"}})
            log.append((task["id"], task["item"]["position"]))


def test_eight_concurrent_workers_never_duplicate(server, quorum_settings):
    job_id, requester, workers = setup_job(quorum_settings, items=40, workers=8, per_item=3)
    with httpx.Client(base_url=server.url) as client:
        wait_for(client, requester, job_id, "IN_PROGRESS")
        logs: list[list[tuple[str, int]]] = [[] for _ in workers]
        threads = [
            threading.Thread(target=work, args=(server.url, token, job_id, log))
            for token, log in zip(workers, logs, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for log in logs:  # no worker saw an item twice
            positions = [position for _, position in log]
            assert len(positions) == len(set(positions))
        per_item = Counter(position for log in logs for _, position in log)
        assert per_item == {position: 3 for position in range(40)}
        done = wait_for(client, requester, job_id, "COMPLETED")
        assert done["counters"] == {"humanLabeled": 40, "total": 40}


def test_a_killed_server_loses_no_accepted_answer(server, quorum_settings):
    job_id, requester, workers = setup_job(quorum_settings, items=30, workers=2, per_item=1)
    with httpx.Client(base_url=server.url) as client:
        wait_for(client, requester, job_id, "IN_PROGRESS")
    accepted: list[tuple[str, int]] = []
    work(server.url, workers[0], job_id, accepted, limit=12)
    server.kill()  # no shutdown at all, right after the last accepted answer
    db = Database(quorum_settings.database_url)
    try:
        with db.read() as session:
            for task_id, _ in accepted:
                task = session.get(Task, int(task_id))
                assert task.status == TaskStatus.SUBMITTED
                assert task.answer == {"label": "positive"}
    finally:
        db.dispose()
    server.start()
    work(server.url, workers[1], job_id, [])
    with httpx.Client(base_url=server.url) as client:
        done = wait_for(client, requester, job_id, "COMPLETED")
    assert done["counters"]["humanLabeled"] == 30
    db = Database(quorum_settings.database_url)
    try:
        with db.read() as session:
            assert all(item.answers_count == 1 for item in session.exec(select(Item)))
    finally:
        db.dispose()


PROGRESS = "subscription($id: ID!) { jobProgress(jobId: $id) { total humanLabeled unlabeled } }"


def subscribe(ws, job_id: str, token: str | None) -> dict:
    """Open a graphql-transport-ws subscription to jobProgress; returns the first message."""
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
    message = {"query": PROGRESS, "variables": {"id": job_id}}
    ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
    return json.loads(ws.recv(timeout=10))


def test_job_progress_streams_counters_over_graphql_transport_ws(server, quorum_settings):
    job_id, requester, workers = setup_job(quorum_settings, items=3, workers=1, per_item=1)
    with httpx.Client(base_url=server.url) as client:
        wait_for(client, requester, job_id, "IN_PROGRESS")
    ws_url = server.url.replace("http", "ws") + "/graphql"
    seen: list[dict] = []
    with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        first = subscribe(ws, job_id, requester)
        assert first["type"] == "next", first
        seen.append(first["payload"]["data"]["jobProgress"])
        worker = threading.Thread(target=work, args=(server.url, workers[0], job_id, []))
        worker.start()
        while True:
            message = json.loads(ws.recv(timeout=30))
            if message["type"] == "complete":
                break
            assert message["type"] == "next", message
            seen.append(message["payload"]["data"]["jobProgress"])
        worker.join()
    assert seen[0] == {"total": 3, "humanLabeled": 0, "unlabeled": 3}
    assert seen[-1] == {"total": 3, "humanLabeled": 3, "unlabeled": 0}
    assert len(seen) >= 2


def refused_at_init(ws, payload: dict) -> ConnectionClosed:
    """Send ``connection_init`` with ``payload``; the close the server answers with."""
    ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    return closed.value


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer not-a-token"}])
def test_a_websocket_without_a_valid_token_is_closed_at_connection_init(server, payload):
    ws_url = server.url.replace("http", "ws") + "/graphql"
    with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        closed = refused_at_init(ws, payload)
    assert closed.rcvd is not None and closed.rcvd.code == 4403  # graphql-transport-ws: Forbidden


def test_a_websocket_that_never_authenticates_is_closed(quorum_settings):
    live = LiveServer(quorum_settings, env={"QUORUM_WEBSOCKET_INIT_SECONDS": "1"})
    live.start()
    try:
        ws_url = live.url.replace("http", "ws") + "/graphql"
        with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=10)  # sends nothing: no connection_init
    finally:
        live.stop()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408  # Connection initialisation timeout


def test_one_connection_holds_a_bounded_number_of_subscriptions(quorum_settings):
    job_id, requester, _workers = setup_job(quorum_settings, items=2, workers=1, per_item=1)
    live = LiveServer(quorum_settings, env={"QUORUM_MAX_SUBSCRIPTIONS_PER_CONNECTION": "2"})
    live.start()
    try:
        with httpx.Client(base_url=live.url) as client:
            wait_for(client, requester, job_id, "IN_PROGRESS")
        ws_url = live.url.replace("http", "ws") + "/graphql"
        with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
            assert subscribe(ws, job_id, requester)["type"] == "next"
            message = {"query": PROGRESS, "variables": {"id": job_id}}
            ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": message}))
            assert json.loads(ws.recv(timeout=10))["id"] == "2"
            ws.send(json.dumps({"id": "3", "type": "subscribe", "payload": message}))
            third = json.loads(ws.recv(timeout=10))
            ws.send(json.dumps({"id": "1", "type": "complete"}))
            ws.send(json.dumps({"id": "4", "type": "subscribe", "payload": message}))
            fourth = json.loads(ws.recv(timeout=10))
    finally:
        live.stop()
    assert third["id"] == "3" and third["type"] == "error", third
    assert third["payload"][0]["message"] == "Subscription limit reached"
    assert fourth["id"] == "4" and fourth["type"] == "next", fourth  # one was ended: room again


def open_by_cookie(server_url: str, token: str) -> tuple[dict[str, str], str]:
    """Sign in as a browser would: the websocket's headers with the cookie, and the CSRF
    value."""
    with httpx.Client(base_url=server_url) as client:
        signed_in = client.post("/session", json={"token": token})
        assert signed_in.status_code == 200, signed_in.text
        cookie = f"quorum_session={signed_in.cookies['quorum_session']}"
        return {"Cookie": cookie}, signed_in.cookies["quorum_csrf"]


def test_job_progress_takes_a_browser_session_with_its_csrf_value(server, quorum_settings):
    job_id, requester, _workers = setup_job(quorum_settings, items=2, workers=1, per_item=1)
    with httpx.Client(base_url=server.url) as client:
        wait_for(client, requester, job_id, "IN_PROGRESS")
    headers, csrf = open_by_cookie(server.url, requester)
    ws_url = server.url.replace("http", "ws") + "/graphql"
    with connect(
        ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10, additional_headers=headers
    ) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {"csrf": csrf}}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        message = {"query": PROGRESS, "variables": {"id": job_id}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
        first = json.loads(ws.recv(timeout=10))
    assert first["type"] == "next", first
    assert first["payload"]["data"]["jobProgress"]["total"] == 2
    with connect(  # the cookie alone, without its CSRF value: refused
        ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10, additional_headers=headers
    ) as ws:
        closed = refused_at_init(ws, {})
    assert closed.rcvd is not None and closed.rcvd.code == 4403


def test_a_disabled_user_loses_a_running_subscription(server, quorum_settings):
    job_id, requester, _workers = setup_job(quorum_settings, items=2, workers=1, per_item=1)
    with httpx.Client(base_url=server.url) as client:
        wait_for(client, requester, job_id, "IN_PROGRESS")
    ws_url = server.url.replace("http", "ws") + "/graphql"
    with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
        assert subscribe(ws, job_id, requester)["type"] == "next"
        db = Database(quorum_settings.database_url)
        try:
            with db.write() as session:
                user = session.exec(select(User).where(User.name == "req")).one()
                user.disabled = True
                session.add(user)
        finally:
            db.dispose()
        ended = json.loads(ws.recv(timeout=30))  # within the recheck interval and a poll
    assert ended["type"] in ("error", "next"), ended
    errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED", ended

"""The access log: one line per HTTP request, with no secret in it, and a setting to stop it."""

from __future__ import annotations

import json
import logging
import re

import httpx
from websockets.sync.client import connect

from quorum.app import create_app
from quorum.db.engine import Database
from quorum.http.signing import sign_path
from quorum.services.users import create_user
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import AppClient
from tests.live import LiveServer

LINE = re.compile(r"^(GET|POST) (\S+) (\d{3}) \d+\.\d ms$")


def access_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "quorum.access"]


def test_a_request_is_one_line_with_method_path_status_and_duration(quorum_client, caplog):
    caplog.set_level(logging.INFO)
    quorum_client.get("/healthz")
    quorum_client.get("/no-such-page?x=1")
    lines = access_lines(caplog)
    assert len(lines) == 2, lines
    assert LINE.match(lines[0]) and lines[0].startswith("GET /healthz 200 ")
    assert lines[1].startswith("GET /no-such-page 404 ")  # no query string


def test_a_crafted_path_cannot_forge_a_second_line(quorum_client, caplog):
    caplog.set_level(logging.INFO)
    quorum_client.get("/a%0AGET%20/healthz%20200%201.0%20ms")
    [line] = access_lines(caplog)
    assert "\n" not in line and line.startswith("GET /a%0AGET%20/healthz%20200")


def test_the_setting_turns_the_access_log_off(quorum_settings, caplog):
    assert Settings.from_env({}).access_log
    assert not Settings.from_env({"QUORUM_ACCESS_LOG": "0"}).access_log
    settings = quorum_settings.with_overrides(
        access_log=Settings.from_env({"QUORUM_ACCESS_LOG": "off"}).access_log
    )
    client = AppClient(create_app(settings))
    try:
        caplog.set_level(logging.INFO)
        assert client.get("/healthz").status_code == 200
    finally:
        client.close()
    assert access_lines(caplog) == []


def test_the_served_log_has_one_line_a_request_and_no_secrets(quorum_settings, tmp_path):
    """A real ``quorum serve`` at its default level: uvicorn logs no second line, and no
    token, cookie, signature or answer reaches the log."""
    db = Database(quorum_settings.database_url)
    try:
        with db.write() as session:
            _, token = create_user(session, name="wendy", role=Role.WORKER, actor_id=None)
    finally:
        db.dispose()
    quorum_settings.prepare_data_dir()
    picture = quorum_settings.objects_dir / "cat.txt"
    picture.write_text("meow")
    signed = sign_path(quorum_settings.signing_key(), str(picture), 60)
    signature = signed.split("signature=")[1]
    log = tmp_path / "server.log"
    server = LiveServer(quorum_settings, log_level="info", log_file=log)
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.get(signed).status_code == 200
            answered = client.post(
                "/graphql?token=query-token-secret&signature=query-signature-secret",
                json={
                    "query": "mutation($a: JSON!) { submitTask(taskId: 1, answer: $a) { id } }",
                    "variables": {"a": {"label": "answer-secret"}},
                },
                headers={
                    "Authorization": f"Bearer {token}",
                    "Cookie": "quorum_session=cookie-secret; quorum_csrf=csrf-secret",
                    "X-CSRF-Token": "csrf-secret",
                },
            )
            assert answered.status_code == 200
            assert client.post("/session", json={"token": token}).status_code == 200
        ws_url = server.url.replace("http", "ws") + "/graphql?token=ws-query-secret"
        with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
            ws.send(json.dumps(init))
            assert "connection_ack" in str(ws.recv(timeout=10))
    finally:
        server.stop()
    text = log.read_text()
    for secret in (token, signature, "query-token-secret", "query-signature-secret"):
        assert secret not in text
    for secret in ("cookie-secret", "csrf-secret", "answer-secret", "Bearer", "ws-query-secret"):
        assert secret not in text
    requests = [
        line.split(": ", 1)[1].rsplit(" ", 3)[:2]
        for line in text.splitlines()
        if "quorum.access" in line and "/healthz" not in line  # LiveServer waiting for it
    ]
    assert requests == [
        ["GET " + signed.split("?")[0], "200"],
        ["POST /graphql", "200"],
        ["POST /session", "200"],
        ["WS /graphql", "101"],
    ], text
    assert "HTTP/1.1" not in text and '"WebSocket' not in text  # uvicorn's own lines are off

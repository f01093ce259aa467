"""Browser sessions: a token exchanged for an HttpOnly cookie, CSRF-checked on every use."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from quorum.http.sessions import SESSION_SECONDS, csrf_value
from quorum.models import User
from quorum.statuses import Role
from quorum.testing import AppClient, make_user

VIEWER = {"query": "{ viewer { name role } }"}


@pytest.fixture
def client(quorum_client: AppClient) -> Iterator[AppClient]:
    """The app's client, with its cookie jar emptied afterwards."""
    yield quorum_client
    quorum_client._client.cookies.clear()


def sign_in(client: AppClient, token: str) -> str:
    """Sign in; returns the CSRF value the page would read from its cookie."""
    response = client.post("/session", json={"token": token})
    assert response.status_code == 200, response.text
    return response.cookies["quorum_csrf"]


def test_a_token_signs_in_with_an_httponly_strict_cookie(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    response = client.post("/session", json={"token": token})
    assert response.json() == {"user": {"id": "1", "name": "ada", "role": "WORKER"}}
    cookies = {header.split("=")[0]: header for header in response.headers.get_list("set-cookie")}
    assert "HttpOnly" in cookies["quorum_session"]
    assert "SameSite=strict" in cookies["quorum_session"]
    assert "HttpOnly" not in cookies["quorum_csrf"]  # the page must read it
    assert "SameSite=strict" in cookies["quorum_csrf"]
    assert token not in response.headers.get("set-cookie", "")
    assert client.get("/session").json()["user"]["name"] == "ada"


def test_graphql_accepts_the_cookie_with_its_csrf_value(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    csrf = sign_in(client, token)
    answer = client.post("/graphql", json=VIEWER, headers={"X-CSRF-Token": csrf}).json()
    assert answer == {"data": {"viewer": {"name": "ada", "role": "WORKER"}}}


@pytest.mark.parametrize("header", [{}, {"X-CSRF-Token": "guessed"}])
def test_graphql_refuses_the_cookie_without_its_csrf_value(quorum_app, client, header):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    sign_in(client, token)
    (error,) = client.post("/graphql", json=VIEWER, headers=header).json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "X-CSRF-Token" in error["message"]


@pytest.mark.parametrize("forged", ["A" * 43, "not a session"])
def test_a_forged_cookie_is_refused(quorum_app, client, forged):
    _, token = make_user(quorum_app, "ada", Role.ADMIN)
    sign_in(client, token)
    client._client.cookies.set("quorum_session", forged)
    csrf = csrf_value(quorum_app.state.session_key, forged)  # as if the key had leaked too
    (error,) = client.post("/graphql", json=VIEWER, headers={"X-CSRF-Token": csrf}).json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "sign in again" in error["message"]
    assert client.get("/session").status_code == 401


def test_a_session_lasts_twelve_hours(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    response = client.post("/session", json={"token": token})
    cookies = {header.split("=")[0]: header for header in response.headers.get_list("set-cookie")}
    for name in ("quorum_session", "quorum_csrf"):
        assert f"Max-Age={SESSION_SECONDS - 1}" in cookies[name] or (
            f"Max-Age={SESSION_SECONDS}" in cookies[name]
        )


def test_signing_out_ends_the_session(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    sign_in(client, token)
    assert client.request("DELETE", "/session").status_code == 204
    assert client.get("/session").status_code == 401
    answer = client.post("/graphql", json=VIEWER).json()
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_disabled_user_loses_their_session(quorum_app, client):
    user_id, token = make_user(quorum_app, "ada", Role.WORKER)
    sign_in(client, token)
    with quorum_app.state.db.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.disabled = True
        session.add(user)
    response = client.get("/session")
    assert response.status_code == 401
    assert response.json() == {"error": "your session is not valid or has ended: sign in again"}


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"json": {"token": "qrm_not-a-token"}}, 401, "the API token is not valid"),
        ({"json": {}}, 400, 'send the token as JSON: {"token": "..."}'),
        ({"json": ["qrm_x"]}, 400, 'send the token as JSON: {"token": "..."}'),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "JSON"),
        ({"data": {"token": "qrm_x"}}, 415, "send the token as JSON"),
        ({"json": {"token": "x" * 5000}}, 413, "over 4096 bytes"),
    ],
)
def test_bad_sign_ins_say_what_is_wrong_and_set_no_cookie(client, kwargs, status, message):
    response = client.post("/session", **kwargs)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert "set-cookie" not in response.headers


def test_a_cookie_or_csrf_value_with_odd_characters_is_refused_not_a_crash(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    sign_in(client, token)
    odd = "caf\u00e9".encode("latin-1")
    answer = client.post("/graphql", json=VIEWER, headers={"X-CSRF-Token": odd}).json()
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    client._client.cookies.clear()
    response = client.get("/session", headers={"Cookie": b"quorum_session=caf\xe9" * 10})
    assert response.status_code == 401


def test_secure_cookies_can_be_forced_behind_a_tls_proxy(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    plain = client.post("/session", json={"token": token})
    assert all("Secure" not in header for header in plain.headers.get_list("set-cookie"))
    quorum_app.state.settings = dataclasses.replace(quorum_app.state.settings, secure_cookies=True)
    forced = client.post("/session", json={"token": token})
    assert all("Secure" in header for header in forced.headers.get_list("set-cookie"))

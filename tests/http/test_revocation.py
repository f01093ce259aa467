"""Revocation: signing out ends a session server-side, tokens may expire, and failed
sign-ins are limited per client."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from quorum.auth import CallerCache
from quorum.errors import StartupError
from quorum.http.sign_ins import SignInLimiter, client_of
from quorum.models import ApiToken, User
from quorum.services import tokens as token_service
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import AppClient, GraphQLClient, make_user
from tests.cli.test_cli import env_for
from tests.cli.test_people import ok, refused

VIEWER = {"query": "{ viewer { name } }"}


@pytest.fixture
def client(quorum_client: AppClient) -> Iterator[AppClient]:
    """The app's client, with its cookie jar emptied afterwards."""
    yield quorum_client
    quorum_client._client.cookies.clear()


def sign_in(client: AppClient, token: str) -> tuple[str, str]:
    """Sign in; returns the session cookie's value and the CSRF value."""
    response = client.post("/session", json={"token": token})
    assert response.status_code == 200, response.text
    return response.cookies["quorum_session"], response.cookies["quorum_csrf"]


def with_cookie(client: AppClient, cookie: str, csrf: str) -> httpx.Response:
    """``viewer`` as a browser holding ``cookie`` (a copy of it, say) asks it."""
    client._client.cookies.clear()
    client._client.cookies.set("quorum_session", cookie)
    return client.post("/graphql", json=VIEWER, headers={"X-CSRF-Token": csrf})


def refusal(response: httpx.Response) -> str:
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    return str(error["message"])


# Sessions


def test_a_copied_cookie_is_refused_once_its_session_signs_out(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    cookie, csrf = sign_in(client, token)
    assert with_cookie(client, cookie, csrf).json() == {"data": {"viewer": {"name": "ada"}}}
    # The caller cache (5 s here) now remembers the session: signing out must drop it.
    assert client.request("DELETE", "/session").status_code == 204
    message = refusal(with_cookie(client, cookie, csrf))  # the copy, sent again
    assert message == "your session is not valid or has ended: sign in again"
    assert client.get("/session").status_code == 401


def test_signing_out_ends_only_that_session(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    laptop = sign_in(client, token)
    phone = sign_in(client, token)
    client._client.cookies.set("quorum_session", laptop[0])
    assert client.request("DELETE", "/session").status_code == 204
    assert "errors" in with_cookie(client, *laptop).json()
    assert with_cookie(client, *phone).json() == {"data": {"viewer": {"name": "ada"}}}


def test_revoking_the_token_ends_its_sessions(quorum_app, client):
    _, admin = make_user(quorum_app, "root", Role.ADMIN)
    user_id, token = make_user(quorum_app, "ada", Role.WORKER)
    session = sign_in(client, token)
    assert with_cookie(client, *session).json() == {"data": {"viewer": {"name": "ada"}}}
    gql = GraphQLClient(client)
    client._client.cookies.clear()
    (listed,) = gql.ok("query($u: ID!) { tokens(userId: $u) { id } }", {"u": user_id}, admin)[
        "tokens"
    ]
    gql.ok("mutation($id: ID!) { revokeToken(id: $id) { id } }", {"id": listed["id"]}, admin)
    assert "sign in again" in refusal(with_cookie(client, *session))


def test_a_disabled_user_loses_their_sessions_for_good(quorum_app, client):
    _, admin = make_user(quorum_app, "root", Role.ADMIN)
    user_id, token = make_user(quorum_app, "ada", Role.WORKER)
    session = sign_in(client, token)
    assert with_cookie(client, *session).json() == {"data": {"viewer": {"name": "ada"}}}
    gql = GraphQLClient(client)
    client._client.cookies.clear()
    for change in ("disableUser", "enableUser"):
        gql.ok(f'mutation {{ {change}(id: "{user_id}") {{ id }} }}', {}, admin)
    assert "sign in again" in refusal(with_cookie(client, *session))
    client._client.cookies.clear()
    assert gql.ok(VIEWER["query"], {}, token) == {"viewer": {"name": "ada"}}  # the token works


# Token expiry


def expire(app: Starlette, token_id: int) -> None:
    """Move token ``token_id``'s end into the past, as time passing would."""
    with app.state.db.write() as session:
        row = session.get(ApiToken, token_id)
        assert row is not None
        row.expires_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        session.add(row)


def test_an_expired_token_is_refused_saying_it_expired(quorum_app, gql):
    user_id, _ = make_user(quorum_app, "ada", Role.WORKER)
    with quorum_app.state.db.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        soon = datetime.now(UTC) + timedelta(hours=1)
        row, token = token_service.create_token(
            session, user, name="ci", actor_id=None, expires_at=soon
        )
        assert row.id is not None
        token_id = row.id
    assert gql.ok(VIEWER["query"], {}, token) == {"viewer": {"name": "ada"}}
    expire(quorum_app, token_id)
    quorum_app.state.callers.forget_user(user_id)  # as once the cache's seconds pass
    error = gql.error(VIEWER["query"], {}, token)
    assert error.code == "UNAUTHENTICATED"
    assert error.message == (
        "the API token expired at 2026-01-02T03:04:05Z: ask an administrator for a new one"
    )
    response = gql.client.post("/session", json={"token": token})
    assert response.status_code == 401
    assert "expired at 2026-01-02T03:04:05Z" in response.json()["error"]


def test_a_session_ends_when_its_token_does(quorum_app, client):
    user_id, _ = make_user(quorum_app, "ada", Role.WORKER)
    with quorum_app.state.db.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        soon = datetime.now(UTC) + timedelta(minutes=10)
        _, token = token_service.create_token(
            session, user, name=None, actor_id=None, expires_at=soon
        )
    response = client.post("/session", json={"token": token})
    max_age = {
        int(part.split("=")[1])
        for part in response.headers["set-cookie"].split("; ")
        if part.startswith("Max-Age=")
    }
    assert max_age and all(590 <= age <= 600 for age in max_age)


def test_a_cache_entry_never_outlives_its_credential():
    cache = CallerCache(ttl_seconds=60)
    user = User(id=1, name="ada", role="worker")
    cache.put("token:ended", user, datetime.now(UTC) - timedelta(seconds=1))
    cache.put("token:later", user, datetime.now(UTC) + timedelta(hours=1))
    assert cache.get("token:ended") is None
    assert cache.get("token:later") is user


CREATE = """mutation($u: ID!, $at: DateTime) {
  createToken(userId: $u, name: "ci", expiresAt: $at) { token apiToken { id expiresAt } }
}"""


def test_create_token_takes_an_expiry_and_tokens_list_it(quorum_app, gql):
    _, admin = make_user(quorum_app, "root", Role.ADMIN)
    user_id, _ = make_user(quorum_app, "ada", Role.WORKER)
    made = gql.ok(CREATE, {"u": user_id, "at": "2099-03-04T05:06:07Z"}, admin)["createToken"]
    assert made["apiToken"]["expiresAt"] == "2099-03-04T05:06:07+00:00"
    assert gql.ok(VIEWER["query"], {}, made["token"]) == {"viewer": {"name": "ada"}}
    forever = gql.ok(CREATE, {"u": user_id, "at": None}, admin)["createToken"]
    listed = gql.ok("query($u: ID!) { tokens(userId: $u) { expiresAt } }", {"u": user_id}, admin)
    assert listed["tokens"] == [
        {"expiresAt": None},  # the first token, made with the user
        {"expiresAt": "2099-03-04T05:06:07+00:00"},
        {"expiresAt": forever["apiToken"]["expiresAt"]},
    ]
    error = gql.error(CREATE, {"u": user_id, "at": "2020-01-01T00:00:00Z"}, admin)
    assert error.code == "BAD_INPUT"
    assert (
        error.message == "expiresAt: 2020-01-01T00:00:00Z has passed; give a moment in the future"
    )


def test_the_command_line_makes_tokens_that_expire_and_lists_them(quorum_settings):
    env = env_for(quorum_settings)
    ok(env, "user", "create", "mia", "--role", "worker")
    ok(env, "user", "token", "mia", "--name", "ci", "--expires-in", "90d")
    ok(env, "user", "token", "mia", "--expires-at", "2099-01-31T18:00:00Z")
    header, first, ci, dated = ok(env, "user", "tokens", "mia").splitlines()
    assert header.split() == ["ID", "NAME", "LAST4", "CREATED", "EXPIRES"]
    assert first.split()[1] == "-" and first.split()[-1] == "never"
    in_90_days = (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%d")
    assert ci.split()[1] == "ci" and ci.split()[-1].startswith(in_90_days)
    assert dated.split()[-1] == "2099-01-31T18:00:00Z"
    assert "--expires-in: '90 days' is not a duration such as 30m, 12h, 90d or 2w" in refused(
        env, "user", "token", "mia", "--expires-in", "90 days"
    )
    assert "--expires-at: 2020-01-01T00:00:00Z has passed" in refused(
        env, "user", "token", "mia", "--expires-at", "2020-01-01"
    )


# Failed sign-ins


def other_address(app: Starlette, client: AppClient, address: str) -> httpx.AsyncClient:
    """A client of the same running app, from another IP address."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://quorum.test")


def test_the_eleventh_failed_sign_in_in_a_minute_gets_429_and_others_still_sign_in(
    quorum_app, client, caplog
):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    caplog.set_level(logging.INFO, logger="quorum.sign_ins")
    for _ in range(10):
        assert client.post("/session", json={"token": "qrm_wrong"}).status_code == 401
    refused_response = client.post("/session", json={"token": "qrm_wrong"})
    assert refused_response.status_code == 429
    assert 1 <= int(refused_response.headers["Retry-After"]) <= 60
    assert refused_response.json()["error"].startswith(
        "too many failed sign-ins from your address (10 in the last minute): try again in "
    )
    # Even the right token is refused from there, so that guesses tell nothing ...
    assert client.post("/session", json={"token": token}).status_code == 429
    # ... while another address signs in as usual.
    other = other_address(quorum_app, client, "198.51.100.7")
    try:
        post = functools.partial(other.post, "/session", json={"token": token})
        assert client.portal.call(post).status_code == 200
    finally:
        client.portal.call(other.aclose)
    lines = [record.getMessage() for record in caplog.records if record.name == "quorum.sign_ins"]
    assert len(lines) == 2  # one per refusal
    assert all("127.0.0.1" in line and "qrm_" not in line for line in lines)


def test_bad_bearer_tokens_count_as_failed_sign_ins(quorum_app, client):
    _, token = make_user(quorum_app, "ada", Role.WORKER)
    bad = {"Authorization": "Bearer qrm_wrong"}
    for _ in range(10):
        response = client.post("/graphql", json=VIEWER, headers=bad)
        assert refusal(response) == "the API token is not valid"
    response = client.post("/graphql", json=VIEWER, headers=bad)
    assert response.status_code == 429 and "Retry-After" in response.headers
    good = {"Authorization": f"Bearer {token}"}
    assert client.post("/graphql", json=VIEWER, headers=good).status_code == 429
    assert client.post("/uploads", content=b"{}\n", headers=good).status_code == 429
    assert client.get("/healthz").status_code == 200  # no token: not a sign-in


def test_the_limit_is_a_setting(quorum_settings):
    assert quorum_settings.sign_in_failures_per_minute == 10
    env = {"QUORUM_DATA_DIR": str(quorum_settings.data_dir)}
    three = Settings.from_env({**env, "QUORUM_SIGN_IN_FAILURES_PER_MINUTE": "3"})
    assert three.sign_in_failures_per_minute == 3
    with pytest.raises(StartupError, match="QUORUM_SIGN_IN_FAILURES_PER_MINUTE='none'"):
        Settings.from_env({**env, "QUORUM_SIGN_IN_FAILURES_PER_MINUTE": "none"})


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_failures_age_out_after_a_minute_and_memory_stays_bounded():
    clock = Clock()
    limiter = SignInLimiter(3, max_clients=100, clock=clock)
    for _ in range(3):
        assert limiter.refusal("203.0.113.1") is None
        limiter.failed("203.0.113.1")
        clock.now += 10
    refused = limiter.refusal("203.0.113.1")
    assert refused is not None and refused.retry_after == 30
    clock.now += 30
    assert limiter.refusal("203.0.113.1") is None  # the first failure is a minute old
    for number in range(1_000):
        limiter.failed(f"10.0.{number // 256}.{number % 256}")
    assert len(limiter._failures) == 100


@pytest.mark.parametrize(
    ("host", "counted_as"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::2", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("testclient", "testclient"),
    ],
)
def test_ipv6_clients_count_by_their_64(host, counted_as):
    assert client_of({"client": (host, 1)}) == counted_as
    assert client_of({"client": None}) == "unknown"

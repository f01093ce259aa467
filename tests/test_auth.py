"""Tokens and the caller cache: who a request comes from, and how long a server remembers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from quorum.app import create_app
from quorum.auth import CallerCache, hash_token, user_for_token
from quorum.errors import StartupError, Unauthenticated
from quorum.models import User
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import AppClient, GraphQLClient, make_user

VIEWER = "{ viewer { name } }"


def settings_with_cache(settings: Settings, seconds: float) -> Settings:
    return settings.with_overrides(auth_cache_seconds=seconds)


@pytest.fixture
def cached_gql(quorum_settings: Settings) -> Iterator[tuple[GraphQLClient, object]]:
    """A server that remembers callers for 0.3 s."""
    app = create_app(settings_with_cache(quorum_settings, 0.3))
    client = AppClient(app)
    try:
        yield GraphQLClient(client), app
    finally:
        client.close()


def disable(app, user_id: int) -> None:
    with app.state.db.write() as session:
        user = session.get(User, user_id)
        user.disabled = True
        session.add(user)


def test_a_disabled_user_is_refused_once_the_cache_forgets_them(cached_gql):
    gql, app = cached_gql
    user_id, token = make_user(app, "dora", Role.WORKER)
    assert gql.ok(VIEWER, token=token) == {"viewer": {"name": "dora"}}
    disable(app, user_id)
    time.sleep(0.4)
    assert gql.error(VIEWER, token=token).code == "UNAUTHENTICATED"


def test_with_the_cache_off_a_disabled_user_is_refused_at_once(quorum_settings):
    app = create_app(settings_with_cache(quorum_settings, 0))
    client = AppClient(app)
    try:
        gql = GraphQLClient(client)
        user_id, token = make_user(app, "dora", Role.WORKER)
        assert gql.ok(VIEWER, token=token) == {"viewer": {"name": "dora"}}
        disable(app, user_id)
        assert gql.error(VIEWER, token=token).code == "UNAUTHENTICATED"
    finally:
        client.close()


def test_a_wrong_token_is_never_remembered(quorum_app, quorum_client):
    cache = CallerCache(ttl_seconds=60)
    wrong = "qrm_nobody-has-this-token"
    with quorum_app.state.db.read() as session:
        for _ in range(2):
            with pytest.raises(Unauthenticated, match="not valid"):
                user_for_token(session, wrong, cache)
    assert cache.get(hash_token(wrong)) is None


def test_cache_entries_expire_and_the_cache_stays_bounded():
    cache = CallerCache(ttl_seconds=0.2, max_entries=3)
    users = [User(id=n, name=f"u{n}", role=Role.WORKER) for n in range(5)]
    for user in users[:3]:
        cache.put(f"hash-{user.id}", user)
    assert cache.get("hash-0") is users[0]
    cache.put("hash-3", users[3])  # full and nothing expired: start over
    assert [cache.get(f"hash-{n}") for n in range(4)] == [None, None, None, users[3]]
    time.sleep(0.25)
    assert cache.get("hash-3") is None
    cache.put("hash-4", users[4])  # the expired entry makes room
    assert cache.get("hash-4") is users[4]


def test_a_zero_time_to_live_remembers_nothing():
    cache = CallerCache(ttl_seconds=0)
    cache.put("hash", User(id=1, name="u", role=Role.WORKER))
    assert cache.get("hash") is None


@pytest.mark.parametrize("value", ["soon", "-1"])
def test_a_bad_cache_setting_stops_startup_naming_it(value):
    with pytest.raises(StartupError, match="QUORUM_AUTH_CACHE_SECONDS") as caught:
        Settings.from_env({"QUORUM_AUTH_CACHE_SECONDS": value})
    assert repr(value) in str(caught.value)


def test_rows_built_in_a_fresh_process_work_before_any_query():
    # Models built straight from rows must work in a process that has not run an ORM
    # query yet (the mappers are configured on first use): a restarted server's first
    # request is often a claim.
    code = (
        "from quorum.models import User\n"
        "from quorum.db.rows import model_from_row\n"
        "import datetime\n"
        "user = model_from_row(User, {'id': 1, 'name': 'ann', 'role': 'WORKER',\n"
        "    'disabled': False, 'created_at': datetime.datetime(2026, 1, 1)})\n"
        "user.disabled = True\n"
        "print(user.name, user.disabled, user.model_dump()['role'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ann", "True", "WORKER"]


def test_disabling_is_at_once_on_the_server_that_did_it_and_within_the_cache_elsewhere(
    quorum_settings,
):
    """Two server processes on one database, each with its own caller cache."""
    settings = settings_with_cache(quorum_settings, 0.5)
    app_here, app_there = create_app(settings), create_app(settings)
    here, there = AppClient(app_here), AppClient(app_there)
    try:
        gql_here, gql_there = GraphQLClient(here), GraphQLClient(there)
        _, admin = make_user(app_here, "ada", Role.ADMIN)
        dora_id, dora = make_user(app_here, "dora", Role.WORKER)
        for gql in (gql_here, gql_there):
            assert gql.ok(VIEWER, token=dora) == {"viewer": {"name": "dora"}}
        disable_dora = "mutation($id: ID!) { disableUser(id: $id) { id } }"
        gql_here.ok(disable_dora, {"id": str(dora_id)}, admin)
        assert gql_here.error(VIEWER, token=dora).code == "UNAUTHENTICATED"  # at once, here
        assert gql_there.ok(VIEWER, token=dora) == {"viewer": {"name": "dora"}}  # remembered
        time.sleep(0.6)
        assert gql_there.error(VIEWER, token=dora).code == "UNAUTHENTICATED"
    finally:
        here.close()
        there.close()


@pytest.mark.parametrize("port", ["²", "80a", "0", "70000", "٨٠٨٠"])
def test_a_port_that_is_not_one_stops_the_server_with_its_name(port):
    # "²" passed str.isdigit() and crashed int() with a traceback
    with pytest.raises(StartupError, match="is not a port"):
        Settings.from_env({"QUORUM_PORT": port})

"""``quorum user list|disable|enable|token`` and ``quorum team create|add|remove|list``,
run as a user would run them, against a temporary database."""

from __future__ import annotations

from quorum.app import create_app
from quorum.testing import AppClient, GraphQLClient
from tests.cli.test_cli import env_for, quorum

VIEWER = "{ viewer { name } }"


def ok(env: dict[str, str], *args: str) -> str:
    result = quorum(*args, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def refused(env: dict[str, str], *args: str) -> str:
    result = quorum(*args, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr  # one line, no traceback
    return result.stderr.strip()


def test_users_are_listed_disabled_enabled_and_given_tokens(quorum_settings):
    env = env_for(quorum_settings)
    ada_id, _ = ok(env, "user", "create", "ada", "--role", "admin").split()
    mia_id, first = ok(env, "user", "create", "mia", "--role", "worker").split()
    assert ok(env, "user", "disable", "mia") == f"mia ({mia_id}) is disabled\n"
    assert ok(env, "user", "list").splitlines() == [
        "ID  NAME  ROLE    DISABLED",
        f"{ada_id}   ada   admin   no",
        f"{mia_id}   mia   worker  yes",
    ]
    assert ok(env, "user", "list", "--role", "worker").splitlines()[1:] == [
        f"{mia_id}   mia   worker  yes"
    ]
    app = create_app(quorum_settings)
    client = AppClient(app)
    try:
        gql = GraphQLClient(client)
        assert gql.error(VIEWER, token=first).code == "UNAUTHENTICATED"
        assert ok(env, "user", "enable", mia_id) == f"mia ({mia_id}) is enabled\n"
        second = ok(env, "user", "token", "mia", "--name", "laptop").strip()
        assert second.startswith("qrm_") and second != first
        for token in (first, second):  # a new token leaves the old one working
            assert gql.ok(VIEWER, token=token) == {"viewer": {"name": "mia"}}
    finally:
        client.close()


def test_teams_are_made_changed_and_listed_by_names_or_ids(quorum_settings):
    env = env_for(quorum_settings)
    mia_id, _ = ok(env, "user", "create", "mia", "--role", "worker").split()
    ok(env, "user", "create", "otto", "--role", "worker")
    ok(env, "user", "create", "carl", "--role", "worker")
    team_id = ok(env, "team", "create", "crew", "--members", f"{mia_id},otto").strip()
    assert ok(env, "team", "add", "crew", "carl") == "mia,otto,carl\n"
    assert ok(env, "team", "remove", team_id, "otto", mia_id) == "carl\n"
    ok(env, "team", "create", "empty")
    assert ok(env, "team", "list").splitlines() == [
        "ID  NAME   MEMBERS",
        f"{team_id}   crew   carl",
        f"{int(team_id) + 1}   empty  (no members)",
    ]


def test_bad_names_are_one_line_and_exit_2(quorum_settings):
    env = env_for(quorum_settings)
    mia_id, _ = ok(env, "user", "create", "mia", "--role", "worker").split()
    ok(env, "team", "create", "crew")
    assert refused(env, "user", "disable", "nobody") == (
        "quorum: error: user: no user with name or id 'nobody'"
    )
    assert refused(env, "team", "create", "crew") == (
        "quorum: error: name: a team called 'crew' already exists"
    )
    assert refused(env, "team", "create", "other", "--members", "mia,ghost") == (
        "quorum: error: --members: no user with name or id 'ghost'"
    )
    assert refused(env, "team", "add", "nowhere", "mia") == (
        "quorum: error: TEAM: no team with name or id 'nowhere'"
    )
    assert refused(env, "team", "remove", "crew", "mia") == (
        f"quorum: error: USER: user {mia_id} is not in team 'crew'"
    )
    assert refused(env, "team", "add", "crew") == "quorum: error: USER: name at least one user"
    assert "other" not in ok(env, "team", "list")  # nothing half-made


def test_teams_and_listings_keep_to_an_organization(quorum_settings):
    env = env_for(quorum_settings)
    acme = ok(env, "organization", "create", "acme").strip()
    ok(env, "user", "create", "mia", "--role", "worker")  # the default organization's mia
    acme_mia, _ = ok(
        env, "user", "create", "mia", "--role", "worker", "--organization", acme
    ).split()
    team_id = ok(env, "team", "create", "crew", "--organization", "acme", "--members", "mia")
    ok(env, "team", "create", "crew")  # the same name in another organization is no clash
    assert ok(env, "team", "list", "--organization", "acme").splitlines() == [
        "ID  NAME  MEMBERS",
        f"{team_id.strip()}   crew  mia",
    ]
    assert [
        line.split()[0] for line in ok(env, "user", "list", "--organization", acme).splitlines()
    ] == [
        "ID",
        acme_mia,
    ]
    assert refused(env, "team", "create", "other", "--organization", "nowhere") == (
        "quorum: error: --organization: no organization with name or id 'nowhere'"
    )


def test_a_revoked_token_stops_working(quorum_settings):
    env = env_for(quorum_settings)
    ok(env, "user", "create", "mia", "--role", "worker")
    token = ok(env, "user", "token", "mia", "--name", "laptop").strip()
    token_id = ok(env, "user", "tokens", "mia").splitlines()[-1].split()[0]
    assert ok(env, "user", "revoke", token_id) == (
        f"token {token_id} (laptop, ...{token[-4:]}) is revoked\n"
    )
    app = create_app(quorum_settings)
    client = AppClient(app)
    try:
        assert GraphQLClient(client).error(VIEWER, token=token).code == "UNAUTHENTICATED"
    finally:
        client.close()
    assert refused(env, "user", "revoke", token_id) == (
        f"quorum: error: id: no token with id {token_id} (it may be revoked already)"
    )
    for bad in ("abc", "0" + token_id, "99999999999999999999"):  # past a 64-bit key too
        assert refused(env, "user", "revoke", bad) == (
            f"quorum: error: TOKEN_ID: {bad!r} is not a token id (see quorum user tokens)"
        )

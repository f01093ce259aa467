"""Users, teams and tokens listed and changed through the API: what each change does to
the people it touches, its audit event, and its refusals."""

from __future__ import annotations

from sqlmodel import select

from quorum.models import ApiToken, AuditEvent
from quorum.statuses import Role
from quorum.testing import (
    CLAIM,
    SUBMIT,
    create_job,
    make_team,
    make_user,
    text_lines,
    write_manifest,
)

VIEWER = "{ viewer { name } }"
USERS = """
query($role: Role, $all: Boolean!, $first: Int, $after: String) {
  users(role: $role, includeDisabled: $all, first: $first, after: $after) {
    edges { node { id name role disabled } } pageInfo { hasNextPage endCursor }
  }
}
"""
DISABLE = "mutation($id: ID!) { disableUser(id: $id) { id disabled } }"
ENABLE = "mutation($id: ID!) { enableUser(id: $id) { id disabled } }"
CREATE_TOKEN = """
mutation($id: ID!, $name: String) {
  createToken(userId: $id, name: $name) { token apiToken { id name last4 createdAt } }
}
"""
TOKENS = "query($id: ID!) { tokens(userId: $id) { id name last4 } }"
REVOKE = "mutation($id: ID!) { revokeToken(id: $id) { id last4 } }"
ADD = """
mutation($team: ID!, $users: [ID!]!) {
  addTeamMembers(teamId: $team, userIds: $users) { name members { name } }
}
"""
REMOVE = """
mutation($team: ID!, $users: [ID!]!) {
  removeTeamMembers(teamId: $team, userIds: $users) { name members { name } }
}
"""


def actions(app) -> list[tuple[str, dict]]:
    with app.state.db.read() as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [(row.action, row.data) for row in rows]


def test_users_are_listed_by_role_without_the_disabled_and_paged(quorum_app, gql):
    _admin_id, admin = make_user(quorum_app, "ada", Role.ADMIN)
    make_user(quorum_app, "rita", Role.REQUESTER)
    mia_id, _ = make_user(quorum_app, "mia", Role.WORKER)
    make_user(quorum_app, "otto", Role.WORKER)
    gql.ok(DISABLE, {"id": str(mia_id)}, admin)

    def names(**variables) -> list[str]:
        page = gql.ok(USERS, {"all": True, **variables}, admin)["users"]
        return [edge["node"]["name"] for edge in page["edges"]]

    assert names() == ["ada", "rita", "mia", "otto"]
    assert names(role="WORKER") == ["mia", "otto"]
    assert names(role="WORKER", all=False) == ["otto"]
    first = gql.ok(USERS, {"all": True, "first": 3}, admin)["users"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert names(after=first["pageInfo"]["endCursor"]) == ["otto"]
    mia = gql.ok(USERS, {"all": True, "role": "WORKER"}, admin)["users"]["edges"][0]["node"]
    assert mia == {"id": str(mia_id), "name": "mia", "role": "WORKER", "disabled": True}


def test_a_disabled_users_token_stops_working_at_once_and_works_again_when_enabled(quorum_app, gql):
    _admin_id, admin = make_user(quorum_app, "ada", Role.ADMIN)
    mia_id, mia = make_user(quorum_app, "mia", Role.WORKER)
    assert gql.ok(VIEWER, token=mia) == {"viewer": {"name": "mia"}}  # the server knows her now
    assert gql.ok(DISABLE, {"id": str(mia_id)}, admin)["disableUser"]["disabled"] is True
    assert gql.error(VIEWER, token=mia).code == "UNAUTHENTICATED"  # not 5 s later: now
    assert gql.ok(DISABLE, {"id": str(mia_id)}, admin)["disableUser"]["disabled"] is True
    assert gql.ok(ENABLE, {"id": str(mia_id)}, admin)["enableUser"]["disabled"] is False
    assert gql.ok(VIEWER, token=mia) == {"viewer": {"name": "mia"}}
    recorded = [(action, data) for action, data in actions(quorum_app) if "abled" in action]
    assert recorded == [("user.disabled", {"name": "mia"}), ("user.enabled", {"name": "mia"})]


def test_nobody_disables_themselves(quorum_app, gql):
    admin_id, admin = make_user(quorum_app, "ada", Role.ADMIN)
    error = gql.error(DISABLE, {"id": str(admin_id)}, admin)
    assert (error.code, error.message) == ("BAD_INPUT", "id: you cannot disable yourself")
    assert gql.ok(VIEWER, token=admin) == {"viewer": {"name": "ada"}}


def test_tokens_are_listed_by_last_four_and_a_revoked_one_stops_working(quorum_app, gql):
    _admin_id, admin = make_user(quorum_app, "ada", Role.ADMIN)
    mia_id, first = make_user(quorum_app, "mia", Role.WORKER)
    made = gql.ok(CREATE_TOKEN, {"id": str(mia_id), "name": "laptop"}, admin)["createToken"]
    second = made["token"]
    assert second.startswith("qrm_") and second != first
    assert made["apiToken"]["name"] == "laptop"
    assert made["apiToken"]["last4"] == second[-4:]
    assert gql.ok(VIEWER, token=second) == {"viewer": {"name": "mia"}}
    listed = gql.ok(TOKENS, {"id": str(mia_id)}, admin)["tokens"]
    assert [(token["name"], token["last4"]) for token in listed] == [
        (None, first[-4:]),
        ("laptop", second[-4:]),
    ]
    assert (
        gql.ok(REVOKE, {"id": made["apiToken"]["id"]}, admin)["revokeToken"]["last4"]
        == (second[-4:])
    )
    assert gql.error(VIEWER, token=second).code == "UNAUTHENTICATED"
    assert gql.ok(VIEWER, token=first) == {"viewer": {"name": "mia"}}  # her other token works
    again = gql.error(REVOKE, {"id": made["apiToken"]["id"]}, admin)
    assert again.code == "NOT_FOUND"
    assert again.message.startswith("id: no token with id")
    with quorum_app.state.db.read() as session:
        stored = session.exec(select(ApiToken)).all()
    assert second[-4:] not in [row.token_hash for row in stored]
    logged = [entry for entry in actions(quorum_app) if entry[0].startswith("token.")]
    assert [action for action, _ in logged] == ["token.created", "token.revoked"]
    assert all(second not in str(data) for _, data in logged)  # never the token itself


def test_members_join_and_leave_a_team_and_a_removed_worker_claims_no_more(
    quorum_app, quorum_settings, gql
):
    _rita_id, rita = make_user(quorum_app, "rita", Role.REQUESTER)
    mia_id, mia = make_user(quorum_app, "mia", Role.WORKER)
    otto_id, _otto = make_user(quorum_app, "otto", Role.WORKER)
    crew = str(make_team(quorum_app, "crew", []))
    added = gql.ok(ADD, {"team": crew, "users": [str(mia_id), str(otto_id)]}, rita)
    assert added["addTeamMembers"]["members"] == [{"name": "mia"}, {"name": "otto"}]
    again = gql.ok(ADD, {"team": crew, "users": [str(mia_id)]}, rita)["addTeamMembers"]
    assert len(again["members"]) == 2  # already a member: nothing changes
    manifest = write_manifest(quorum_settings, "reviews.manifest", text_lines(3))
    job = create_job(
        gql,
        rita,
        name="reviews",
        taskType="text-classification",
        inputManifest=manifest,
        labels=["negative", "positive"],
        teamId=crew,
    )
    quorum_app.state.runner.run_until_idle()
    held = gql.ok(CLAIM, {"jobId": job["id"]}, mia)["claimTask"]

    removed = gql.ok(REMOVE, {"team": crew, "users": [str(mia_id)]}, rita)["removeTeamMembers"]
    assert removed["members"] == [{"name": "otto"}]
    assert gql.error(CLAIM, {"jobId": job["id"]}, mia).code == "FORBIDDEN"
    # The task she held keeps its lease: her answer still counts.
    done = gql.ok(SUBMIT, {"taskId": held["id"], "answer": {"label": "positive"}}, mia)
    assert done["submitTask"]["status"] == "SUBMITTED"
    outside = gql.error(REMOVE, {"team": crew, "users": [str(mia_id)]}, rita)
    assert (outside.code, outside.message) == (
        "NOT_FOUND",
        f"userIds: user {mia_id} is not in team 'crew'",
    )
    logged = [entry for entry in actions(quorum_app) if entry[0].startswith("team.members")]
    assert logged == [
        ("team.members_added", {"user_ids": [mia_id, otto_id]}),
        ("team.members_removed", {"user_ids": [mia_id]}),
    ]


def test_bad_member_changes_name_the_field(quorum_app, gql):
    _rita_id, rita = make_user(quorum_app, "rita", Role.REQUESTER)
    crew = str(make_team(quorum_app, "crew", []))
    unknown = gql.error(ADD, {"team": crew, "users": ["4242"]}, rita)
    assert (unknown.code, unknown.message) == ("NOT_FOUND", "userIds: no user with id 4242")
    empty = gql.error(ADD, {"team": crew, "users": []}, rita)
    assert (empty.code, empty.message) == ("BAD_INPUT", "userIds: name at least one user to add")
    no_team = gql.error(ADD, {"team": "4242", "users": ["1"]}, rita)
    assert (no_team.code, no_team.message) == ("NOT_FOUND", "teamId: no team with id 4242")
    bad = gql.error(ADD, {"team": crew, "users": ["abc"]}, rita)
    assert (bad.code, bad.message) == ("BAD_INPUT", "userIds: 'abc' is not a valid id")


def test_only_workers_join_a_team(quorum_app, gql):
    rita_id, rita = make_user(quorum_app, "rita", Role.REQUESTER)
    mia_id, _ = make_user(quorum_app, "mia", Role.WORKER)
    crew = str(make_team(quorum_app, "crew", []))
    refused = gql.error(ADD, {"team": crew, "users": [str(mia_id), str(rita_id)]}, rita)
    assert (refused.code, refused.message) == (
        "BAD_INPUT",
        f"userIds: only workers can be in a team, not user {rita_id} (requester)",
    )
    teams = gql.ok("{ teams { name members { name } } }", None, rita)["teams"]
    assert teams == [{"name": "crew", "members": []}]  # nothing half-done: not even mia

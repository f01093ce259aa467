"""Every resolver refuses the wrong role.

One table holds, for every field of Query, Mutation and Subscription, what each kind of
caller gets: success or the exact error code. A meta-test checks that the table covers the
whole schema, so a new resolver cannot ship without a line here (and in
``server/graphql/README.md``, which mirrors the table for people).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from quorum.app import create_app
from quorum.graphql.schema import build_schema
from quorum.models import ApiToken, TeamMember, User
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import (
    CLAIM,
    AppClient,
    GraphQLClient,
    GraphQLError,
    create_job,
    make_team,
    make_user,
    text_lines,
    write_manifest,
)
from tests.factories import row_counts

# -- the callers ---------------------------------------------------------------------------

ANONYMOUS = "anonymous"  # no Authorization header at all
BAD_TOKEN = "bad-token"  # a token no user has
ADMIN = "admin"
OWNER = "requester"  # the requester who created the job
OTHER_REQUESTER = "other-requester"  # a requester who did not
MEMBER = "worker-in-team"  # a worker in the job's team
OUTSIDER = "worker-outside-team"  # a worker in another team

ROLES = (ANONYMOUS, BAD_TOKEN, ADMIN, OWNER, OTHER_REQUESTER, MEMBER, OUTSIDER)
SIGNED_IN = (ADMIN, OWNER, OTHER_REQUESTER, MEMBER, OUTSIDER)
REQUESTERS = (ADMIN, OWNER, OTHER_REQUESTER)
WORKERS = (MEMBER, OUTSIDER)

OK = "OK"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"


def allowed(*roles: str) -> dict[str, str]:
    """Success for ``roles``, FORBIDDEN for the other signed-in callers, UNAUTHENTICATED
    without a valid token."""
    expected = {ANONYMOUS: UNAUTHENTICATED, BAD_TOKEN: UNAUTHENTICATED}
    expected.update({role: OK if role in roles else FORBIDDEN for role in SIGNED_IN})
    return expected


# -- the world every case runs in -----------------------------------------------------------


@dataclass
class World:
    """A running job of OWNER for team "crew" (MEMBER), with a task MEMBER holds."""

    app: Starlette
    gql: GraphQLClient
    settings: Settings
    tokens: dict[str, str | None]
    user_ids: dict[str, int]
    job_id: str
    crew_id: int
    task_id: str
    new_manifest: str

    def run(
        self, query: str, variables: Mapping[str, Any], role: str
    ) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
        """Send ``query`` as ``role``: over HTTP, or over graphql-transport-ws for a
        subscription."""
        token = self.tokens[role]
        if query.lstrip().startswith("subscription"):
            return subscribe_once(self.gql, self.app, query, variables, token)
        return self.gql.execute(query, variables, token)


def build_world(app: Starlette, settings: Settings, gql: GraphQLClient) -> World:
    """The people, teams and running job every case needs."""
    admin_id, admin = make_user(app, "ada", Role.ADMIN)
    owner_id, owner = make_user(app, "rita", Role.REQUESTER)
    other_id, other = make_user(app, "olga", Role.REQUESTER)
    member_id, member = make_user(app, "mia", Role.WORKER)
    outsider_id, outsider = make_user(app, "otto", Role.WORKER)
    crew_id = make_team(app, "crew", [member_id])
    make_team(app, "outsiders", [outsider_id])
    manifest = write_manifest(settings, "reviews.manifest", text_lines(3))
    job = create_job(
        gql,
        owner,
        name="reviews",
        taskType="text-classification",
        inputManifest=manifest,
        labels=["negative", "positive"],
        teamId=str(crew_id),
    )
    app.state.runner.run_until_idle()
    task = gql.ok(CLAIM, {"jobId": job["id"]}, member)["claimTask"]
    return World(
        app=app,
        gql=gql,
        settings=settings,
        tokens={
            ANONYMOUS: None,
            BAD_TOKEN: "qrm_this-token-belongs-to-nobody",
            ADMIN: admin,
            OWNER: owner,
            OTHER_REQUESTER: other,
            MEMBER: member,
            OUTSIDER: outsider,
        },
        user_ids={
            ADMIN: admin_id,
            OWNER: owner_id,
            OTHER_REQUESTER: other_id,
            MEMBER: member_id,
            OUTSIDER: outsider_id,
        },
        job_id=job["id"],
        crew_id=crew_id,
        task_id=task["id"],
        new_manifest=manifest,
    )


@pytest.fixture
def world(quorum_app, quorum_settings, gql) -> World:
    """A fresh world, for cases that change it."""
    return build_world(quorum_app, quorum_settings, gql)


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory, quorum_databases) -> Iterator[World]:
    """One world for the many cases that must change nothing (reads and refusals): a fresh
    database per case would make this module several times slower on PostgreSQL."""
    data_dir = tmp_path_factory.mktemp("permissions") / "quorum-data"
    data_dir.mkdir()
    url = quorum_databases.new(data_dir)
    settings = Settings.from_env(
        {
            "QUORUM_DATA_DIR": str(data_dir),
            "QUORUM_DATABASE_URL": url,
            # Every case's bad-token caller is one client: more than a minute's failed sign-ins.
            "QUORUM_SIGN_IN_FAILURES_PER_MINUTE": "100000",
        }
    )
    app = create_app(settings)
    client = AppClient(app)
    try:
        yield build_world(app, settings, GraphQLClient(client))
    finally:
        client.close()
        quorum_databases.drop(url)


# -- subscriptions, driven over the ASGI websocket interface ---------------------------------


async def _subscribe_once(
    app: Starlette, query: str, variables: Mapping[str, Any], token: str | None
) -> dict[str, Any]:
    """Speak graphql-transport-ws to the app: connect, authenticate in ``connection_init``,
    subscribe, and return the payload of the first message; then hang up."""
    to_app, app_inbox = anyio.create_memory_object_stream[dict[str, Any]](16)
    app_outbox, from_app = anyio.create_memory_object_stream[dict[str, Any]](16)
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "ws",
        "server": ("quorum.test", 80),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "headers": [
            (b"host", b"quorum.test"),
            (b"sec-websocket-protocol", b"graphql-transport-ws"),
        ],
        "subprotocols": ["graphql-transport-ws"],
        "extensions": {},
    }

    async def send(message: dict[str, Any]) -> None:
        await to_app.send({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive() -> dict[str, Any]:
        message = await from_app.receive()
        assert message["type"] == "websocket.send", message
        result: dict[str, Any] = json.loads(message["text"])
        return result

    with anyio.fail_after(10), to_app, app_inbox, app_outbox, from_app:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(app, scope, app_inbox.receive, app_outbox.send)
            await to_app.send({"type": "websocket.connect"})
            assert (await from_app.receive())["type"] == "websocket.accept"
            init = {"Authorization": f"Bearer {token}"} if token else {}
            await send({"type": "connection_init", "payload": init})
            acknowledged = await from_app.receive()
            if acknowledged["type"] == "websocket.close":
                # graphql-transport-ws refuses a connection_init with no valid token by
                # closing with 4403: the table's UNAUTHENTICATED for a subscription.
                assert acknowledged["code"] == 4403, acknowledged
                refused = {
                    "message": "connection_init refused",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
                return {"errors": [refused]}
            assert json.loads(acknowledged["text"])["type"] == "connection_ack"
            await send(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
            first = await receive()
            await to_app.send({"type": "websocket.disconnect", "code": 1000})
    assert first["type"] == "next", first
    payload: dict[str, Any] = first["payload"]
    return payload


def subscribe_once(
    gql: GraphQLClient,
    app: Starlette,
    query: str,
    variables: Mapping[str, Any],
    token: str | None,
) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
    """``(data, errors)`` of a subscription's first message, like ``gql.execute``."""
    payload = gql.client.portal.call(_subscribe_once, app, query, variables, token)
    errors = [
        GraphQLError(
            code=(error.get("extensions") or {}).get("code"),
            message=error["message"],
            path=error.get("path"),
        )
        for error in payload.get("errors") or []
    ]
    return payload.get("data"), errors


# -- the table ------------------------------------------------------------------------------

Check = Callable[[World, str, dict[str, Any]], None]


@dataclass(frozen=True)
class Operation:
    """One root field: how to call it, and what each caller gets."""

    query: str
    expected: dict[str, str]
    variables: Callable[[World], dict[str, Any]] = lambda _world: {}
    check: Check | None = None


def _job_ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["id"] for node in nodes]


def check_viewer(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["viewer"]["id"] == str(world.user_ids[role])
    expected_role = {ADMIN: "ADMIN", OWNER: "REQUESTER", OTHER_REQUESTER: "REQUESTER"}
    assert data["viewer"]["role"] == expected_role.get(role, "WORKER")


def check_job(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["job"] == {"id": world.job_id, "name": "reviews"}


def check_jobs(world: World, role: str, data: dict[str, Any]) -> None:
    seen = _job_ids([edge["node"] for edge in data["jobs"]["edges"]])
    assert seen == ([] if role == OTHER_REQUESTER else [world.job_id])


def check_available_jobs(world: World, role: str, data: dict[str, Any]) -> None:
    assert _job_ids(data["availableJobs"]) == ([world.job_id] if role == MEMBER else [])


def check_names(key: str) -> Check:
    def check(_world: World, _role: str, data: dict[str, Any]) -> None:
        assert data[key], f"{key} lists nothing"
        assert all(entry["name"] for entry in data[key])

    return check


def check_teams(world: World, role: str, data: dict[str, Any]) -> None:
    names = sorted(team["name"] for team in data["teams"])
    mine = {MEMBER: ["crew"], OUTSIDER: ["outsiders"]}
    assert names == mine.get(role, ["crew", "outsiders"])


def check_audit_events(world: World, role: str, data: dict[str, Any]) -> None:
    nodes = [edge["node"] for edge in data["auditEvents"]["edges"]]
    assert nodes, "the job's trail is empty"
    assert {node["jobId"] for node in nodes} == {world.job_id}


def check_organization(world: World, role: str, data: dict[str, Any]) -> None:
    # The default organization of a single-organization server holds every URL.
    assert data["organization"] == {"name": "default", "storageRoots": None}


def check_organizations(world: World, role: str, data: dict[str, Any]) -> None:
    assert [row["name"] for row in data["organizations"]] == ["default"]


def check_created_organization(world: World, role: str, data: dict[str, Any]) -> None:
    created = data["createOrganization"]
    assert created["name"] == "acme"
    (home,) = created["storageRoots"]
    assert home.endswith("/objects/orgs/2")


def check_set_roots(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["setStorageRoots"] == {"name": "default"}


def check_created_user(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["createUser"]["user"]["name"] == "newcomer"
    assert data["createUser"]["token"]


def check_created_team(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["createTeam"]["name"] == "new-team"


def check_created_job(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["createJob"]["status"] == "INITIALIZING"


def check_stopped_job(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["stopJob"] == {"id": world.job_id, "status": "STOPPING"}


def check_retried(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["retryItems"]["id"] == world.job_id


def check_claimed(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["claimTask"]["id"] == world.task_id  # the task MEMBER already holds


def check_submitted(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["submitTask"] == {"id": world.task_id, "status": "SUBMITTED"}


def check_released(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["releaseTask"] == {"id": world.task_id, "status": "RELEASED"}


def check_declined(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["declineTask"] == {"id": world.task_id, "status": "DECLINED"}


def check_progress(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["jobProgress"]["total"] == 3


def check_users(world: World, role: str, data: dict[str, Any]) -> None:
    names = [edge["node"]["name"] for edge in data["users"]["edges"]]
    assert names == ["ada", "rita", "olga", "mia", "otto"]


def check_tokens(world: World, role: str, data: dict[str, Any]) -> None:
    (token,) = data["tokens"]
    assert token["last4"] == world.tokens[MEMBER][-4:]  # type: ignore[index]


def check_added(world: World, role: str, data: dict[str, Any]) -> None:
    members = {member["name"] for member in data["addTeamMembers"]["members"]}
    assert members == {"mia", "otto"}


def check_removed(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["removeTeamMembers"]["members"] == []


def check_disabled(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["disableUser"] == {"name": "otto", "disabled": True}


def check_enabled(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["enableUser"] == {"name": "otto", "disabled": False}


def check_created_token(world: World, role: str, data: dict[str, Any]) -> None:
    payload = data["createToken"]
    assert payload["token"].startswith("qrm_")
    assert payload["apiToken"]["last4"] == payload["token"][-4:]


def check_revoked_token(world: World, role: str, data: dict[str, Any]) -> None:
    assert data["revokeToken"]["userId"] == str(world.user_ids[OUTSIDER])


def member_var(world: World) -> dict[str, Any]:
    return {"team": str(world.crew_id), "users": [str(world.user_ids[MEMBER])]}


def outsider_var(world: World) -> dict[str, Any]:
    return {"id": str(world.user_ids[OUTSIDER])}


def outsider_token_var(world: World) -> dict[str, Any]:
    with world.app.state.db.read() as session:
        token = session.exec(
            select(ApiToken).where(ApiToken.user_id == world.user_ids[OUTSIDER])
        ).one()
    return {"id": str(token.id)}


def job_var(world: World) -> dict[str, Any]:
    return {"id": world.job_id}


def task_var(world: World) -> dict[str, Any]:
    return {"id": world.task_id}


OPERATIONS: dict[str, Operation] = {
    # ---- Query
    "viewer": Operation(
        "{ viewer { id role } }",
        allowed(*SIGNED_IN),
        check=check_viewer,
    ),
    "job": Operation(
        "query($id: ID!) { job(id: $id) { id name } }",
        allowed(ADMIN, OWNER, MEMBER),
        variables=job_var,
        check=check_job,
    ),
    "jobs": Operation(
        "{ jobs { edges { node { id } } } }",
        allowed(*REQUESTERS),
        check=check_jobs,
    ),
    "availableJobs": Operation(
        "{ availableJobs { id } }",
        allowed(*WORKERS),
        check=check_available_jobs,
    ),
    "taskTypes": Operation(
        "{ taskTypes { name } }",
        allowed(*SIGNED_IN),
        check=check_names("taskTypes"),
    ),
    "consensusAlgorithms": Operation(
        "{ consensusAlgorithms { name } }",
        allowed(*SIGNED_IN),
        check=check_names("consensusAlgorithms"),
    ),
    "autoLabelers": Operation(
        "{ autoLabelers { name } }",
        allowed(*SIGNED_IN),
    ),
    "teams": Operation(
        "{ teams { name } }",
        allowed(*SIGNED_IN),
        check=check_teams,
    ),
    "users": Operation(
        "{ users { edges { node { name role disabled } } } }",
        allowed(*REQUESTERS),
        check=check_users,
    ),
    "tokens": Operation(
        "query($id: ID!) { tokens(userId: $id) { id last4 createdAt } }",
        allowed(ADMIN),
        variables=lambda world: {"id": str(world.user_ids[MEMBER])},
        check=check_tokens,
    ),
    "auditEvents": Operation(
        "query($id: ID!) { auditEvents(jobId: $id) { edges { node { action jobId } } } }",
        allowed(ADMIN, OWNER),
        variables=job_var,
        check=check_audit_events,
    ),
    # ---- Mutation
    "organization": Operation(
        "{ organization { name storageRoots } }",
        allowed(*SIGNED_IN),
        check=check_organization,
    ),
    "organizations": Operation(
        "{ organizations { name } }",
        allowed(ADMIN),
        check=check_organizations,
    ),
    "createOrganization": Operation(
        'mutation { createOrganization(input: {name: "acme"}) { name storageRoots } }',
        allowed(ADMIN),
        check=check_created_organization,
    ),
    "setStorageRoots": Operation(
        'mutation { setStorageRoots(organizationId: "1", storageRoots: []) { name } }',
        allowed(ADMIN),
        check=check_set_roots,
    ),
    "createUser": Operation(
        'mutation { createUser(input: {name: "newcomer", role: WORKER}) { user { name } token } }',
        allowed(ADMIN),
        check=check_created_user,
    ),
    "createTeam": Operation(
        'mutation($members: [ID!]) { createTeam(input: {name: "new-team", memberIds: $members})'
        " { name } }",
        allowed(*REQUESTERS),
        variables=lambda world: {"members": [str(world.user_ids[MEMBER])]},
        check=check_created_team,
    ),
    "addTeamMembers": Operation(
        "mutation($team: ID!, $users: [ID!]!) { addTeamMembers(teamId: $team, userIds: $users)"
        " { members { name } } }",
        allowed(*REQUESTERS),
        variables=lambda world: {
            "team": str(world.crew_id),
            "users": [str(world.user_ids[OUTSIDER])],
        },
        check=check_added,
    ),
    "removeTeamMembers": Operation(
        "mutation($team: ID!, $users: [ID!]!) {"
        " removeTeamMembers(teamId: $team, userIds: $users) { members { name } } }",
        allowed(*REQUESTERS),
        variables=member_var,
        check=check_removed,
    ),
    "disableUser": Operation(
        "mutation($id: ID!) { disableUser(id: $id) { name disabled } }",
        allowed(ADMIN),
        variables=outsider_var,
        check=check_disabled,
    ),
    "enableUser": Operation(
        "mutation($id: ID!) { enableUser(id: $id) { name disabled } }",
        allowed(ADMIN),
        variables=outsider_var,
        check=check_enabled,
    ),
    "createToken": Operation(
        "mutation($id: ID!) { createToken(userId: $id) { token apiToken { last4 } } }",
        allowed(ADMIN),
        variables=outsider_var,
        check=check_created_token,
    ),
    "revokeToken": Operation(
        "mutation($id: ID!) { revokeToken(id: $id) { id userId } }",
        allowed(ADMIN),
        variables=outsider_token_var,
        check=check_revoked_token,
    ),
    "createJob": Operation(
        "mutation($input: CreateJobInput!) { createJob(input: $input) { id status } }",
        allowed(*REQUESTERS),
        variables=lambda world: {
            "input": {
                "name": "another-job",
                "taskType": "text-classification",
                "inputManifest": world.new_manifest,
                "labels": ["negative", "positive"],
                "teamId": str(world.crew_id),
            }
        },
        check=check_created_job,
    ),
    "stopJob": Operation(
        "mutation($id: ID!) { stopJob(id: $id) { id status } }",
        allowed(ADMIN, OWNER),
        variables=job_var,
        check=check_stopped_job,
    ),
    "retryItems": Operation(
        "mutation($id: ID!) { retryItems(jobId: $id) { id status } }",
        allowed(ADMIN, OWNER),
        variables=job_var,
        check=check_retried,
    ),
    "claimTask": Operation(
        "mutation($id: ID) { claimTask(jobId: $id) { id } }",
        allowed(MEMBER),
        variables=job_var,
        check=check_claimed,
    ),
    "submitTask": Operation(
        'mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "positive"}) { id status } }',
        allowed(MEMBER),  # MEMBER holds the task; OUTSIDER is "another worker"
        variables=task_var,
        check=check_submitted,
    ),
    "releaseTask": Operation(
        "mutation($id: ID!) { releaseTask(taskId: $id) { id status } }",
        allowed(MEMBER),
        variables=task_var,
        check=check_released,
    ),
    "declineTask": Operation(
        "mutation($id: ID!) { declineTask(taskId: $id) { id status } }",
        allowed(MEMBER),
        variables=task_var,
        check=check_declined,
    ),
    # ---- Subscription
    "jobProgress": Operation(
        "subscription($id: ID!) { jobProgress(jobId: $id) { total } }",
        allowed(ADMIN, OWNER),
        variables=job_var,
        check=check_progress,
    ),
}


def test_the_table_covers_every_root_field():
    schema = build_schema()._schema
    fields = {
        *schema.query_type.fields,
        *schema.mutation_type.fields,
        *schema.subscription_type.fields,
    }
    assert set(OPERATIONS) == fields, (
        "every root field needs a row in OPERATIONS (and in server/graphql/README.md): "
        f"missing {sorted(fields - set(OPERATIONS))}, stale {sorted(set(OPERATIONS) - fields)}"
    )
    for name, operation in OPERATIONS.items():
        assert set(operation.expected) == set(ROLES), name


@pytest.mark.parametrize(
    ("operation", "role"),
    [(operation, role) for operation in OPERATIONS for role in ROLES],
)
def test_each_caller_gets_what_the_table_says(request, operation, role):
    spec = OPERATIONS[operation]
    changes_things = spec.query.lstrip().startswith("mutation") and spec.expected[role] == OK
    world: World = request.getfixturevalue("world" if changes_things else "shared_world")
    data, errors = world.run(spec.query, spec.variables(world), role)
    expected = spec.expected[role]
    if expected == OK:
        assert not errors, errors
        assert data is not None
        if spec.check is not None:
            spec.check(world, role, data)
    else:
        assert [error.code for error in errors] == [expected], errors
        assert errors[0].message
        assert not (data or {}).get(operation), f"refused, yet data came back: {data}"


# -- what the table cannot show -------------------------------------------------------------

TASK_STATE = "mutation($jobId: ID) { claimTask(jobId: $jobId) { id status answer item { id } } }"
SUBMIT = """
mutation($id: ID!, $label: String!) {
  submitTask(taskId: $id, answer: {label: $label}) { id status answer item { answersCount } }
}
"""
RELEASE = "mutation($id: ID!) { releaseTask(taskId: $id) { id status } }"
DECLINE = "mutation($id: ID!) { declineTask(taskId: $id) { id status } }"


def test_workers_only_touch_their_own_tasks(world):
    colleague_id, colleague = make_user(world.app, "carl", Role.WORKER)
    with world.app.state.db.write() as session:  # a second member of the job's team
        session.add(TeamMember(team_id=world.crew_id, user_id=colleague_id))
    member = world.tokens[MEMBER]
    theirs = world.task_id

    before = row_counts(world.app)
    refused = world.gql.error(SUBMIT, {"id": theirs, "label": "negative"}, colleague)
    assert refused.code == FORBIDDEN
    assert "another worker" in refused.message
    assert world.gql.error(RELEASE, {"id": theirs}, colleague).code == FORBIDDEN
    assert world.gql.error(DECLINE, {"id": theirs}, colleague).code == FORBIDDEN
    assert row_counts(world.app) == before  # not even an audit event
    # The colleague's own claim gets another item, never the one held by MEMBER.
    own = world.gql.ok(TASK_STATE, {"jobId": world.job_id}, colleague)["claimTask"]
    assert own["id"] != theirs

    untouched = world.gql.ok(TASK_STATE, {"jobId": world.job_id}, member)["claimTask"]
    assert untouched["id"] == theirs
    assert untouched["status"] == "ASSIGNED"
    assert untouched["answer"] is None
    assert own["item"]["id"] != untouched["item"]["id"]
    done = world.gql.ok(SUBMIT, {"id": theirs, "label": "positive"}, member)["submitTask"]
    assert done["status"] == "SUBMITTED"
    assert done["answer"] == {"label": "positive"}
    assert done["item"]["answersCount"] == 1


def test_a_worker_outside_the_team_gets_no_work(world):
    outsider = world.tokens[OUTSIDER]
    anything = world.gql.ok("mutation { claimTask { id } }", token=outsider)
    assert anything == {"claimTask": None}
    assert world.gql.ok("{ availableJobs { id } }", token=outsider) == {"availableJobs": []}
    # Naming the job (its link, say) is FORBIDDEN, with a reason a client can word.
    claim = "mutation($id: ID) { claimTask(jobId: $id) { id } }"
    error = world.gql.error(claim, {"id": world.job_id}, outsider)
    assert error.extensions == {"code": "FORBIDDEN", "reason": "NOT_IN_TEAM"}


JOB_WITH_ITEMS = "query($id: ID!) { job(id: $id) { id items { edges { node { id } } } } }"
JOB_WITH_COST = "query($id: ID!) { job(id: $id) { id cost { total } } }"
JOB_WITH_WORKERS = "query($id: ID!) { job(id: $id) { id workerStats { workerId } } }"
JOB_WITH_RUNS = "query($id: ID!) { job(id: $id) { id modelRuns { iteration } } }"
JOB_WITH_COUNTERS = "query($id: ID!) { job(id: $id) { id status counters { total } } }"
AUDIT = "query($id: ID) { auditEvents(jobId: $id) { edges { node { action } } } }"
STOP = "mutation($id: ID!) { stopJob(id: $id) { id status } }"


def test_a_requester_cannot_read_or_stop_another_requesters_job(world):
    other = world.tokens[OTHER_REQUESTER]
    for query in (
        JOB_WITH_ITEMS,
        JOB_WITH_COST,
        JOB_WITH_WORKERS,
        JOB_WITH_RUNS,
        JOB_WITH_COUNTERS,
    ):
        data, errors = world.gql.execute(query, {"id": world.job_id}, other)
        assert [error.code for error in errors] == [FORBIDDEN]
        assert data == {"job": None}
    assert world.gql.error(AUDIT, {"id": world.job_id}, other).code == FORBIDDEN
    stop = world.gql.error(STOP, {"id": world.job_id}, other)
    assert stop.code == FORBIDDEN
    assert world.job_id in stop.message
    jobs = world.gql.ok("{ jobs { edges { node { id } } } }", token=other)["jobs"]
    assert jobs["edges"] == []
    # The job runs on, as its owner sees it.
    owner = world.tokens[OWNER]
    job = world.gql.ok(JOB_WITH_ITEMS, {"id": world.job_id}, owner)["job"]
    assert len(job["items"]["edges"]) == 3
    status = world.gql.ok(JOB_WITH_COUNTERS, {"id": world.job_id}, owner)["job"]
    assert status["status"] == "IN_PROGRESS"


def test_a_worker_sees_the_job_but_not_its_items_cost_worker_stats_or_model_runs(world):
    member = world.tokens[MEMBER]
    job = world.gql.ok(JOB_WITH_COUNTERS, {"id": world.job_id}, member)["job"]
    assert job == {"id": world.job_id, "status": "IN_PROGRESS", "counters": {"total": 3}}
    for query, field_name in (
        (JOB_WITH_ITEMS, "items"),
        (JOB_WITH_COST, "cost"),
        (JOB_WITH_WORKERS, "workerStats"),
        (JOB_WITH_RUNS, "modelRuns"),
    ):
        data, errors = world.gql.execute(query, {"id": world.job_id}, member)
        assert [(error.code, error.path) for error in errors] == [(FORBIDDEN, ["job", field_name])]
        assert data == {"job": None}  # the non-null field takes its parent down with it


def test_requesters_read_the_audit_trail_one_job_at_a_time(world):
    error = world.gql.error(AUDIT, {}, world.tokens[OWNER])
    assert error.code == "BAD_INPUT"
    assert "jobId" in error.message
    everything = world.gql.ok(AUDIT, {}, world.tokens[ADMIN])["auditEvents"]["edges"]
    actions = {edge["node"]["action"] for edge in everything}
    assert {"user.created", "team.created", "job.created", "task.claimed"} <= actions


NOT_THERE = "987654"


@pytest.mark.parametrize(
    ("query", "role"),
    [
        ("mutation($id: ID!) { stopJob(id: $id) { id } }", ADMIN),
        ("query($id: ID!) { auditEvents(jobId: $id) { edges { cursor } } }", ADMIN),
        ("mutation($id: ID) { claimTask(jobId: $id) { id } }", MEMBER),
        ('mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "x"}) { id } }', MEMBER),
        ("mutation($id: ID!) { releaseTask(taskId: $id) { id } }", MEMBER),
        ("mutation($id: ID!) { declineTask(taskId: $id) { id } }", MEMBER),
        ("subscription($id: ID!) { jobProgress(jobId: $id) { total } }", ADMIN),
        ("query($id: ID!) { tokens(userId: $id) { id } }", ADMIN),
        ("mutation($id: ID!) { disableUser(id: $id) { id } }", ADMIN),
        ("mutation($id: ID!) { enableUser(id: $id) { id } }", ADMIN),
        ("mutation($id: ID!) { createToken(userId: $id) { token } }", ADMIN),
        ("mutation($id: ID!) { revokeToken(id: $id) { id } }", ADMIN),
        ('mutation($id: ID!) { addTeamMembers(teamId: $id, userIds: ["1"]) { id } }', ADMIN),
        ('mutation($id: ID!) { removeTeamMembers(teamId: $id, userIds: ["1"]) { id } }', ADMIN),
    ],
    ids=[
        "stopJob",
        "auditEvents",
        "claimTask",
        "submitTask",
        "releaseTask",
        "declineTask",
        "jobProgress",
        "tokens",
        "disableUser",
        "enableUser",
        "createToken",
        "revokeToken",
        "addTeamMembers",
        "removeTeamMembers",
    ],
)
def test_unknown_ids_are_not_found(world, query, role):
    _data, errors = world.run(query, {"id": NOT_THERE}, role)
    assert [error.code for error in errors] == ["NOT_FOUND"], errors
    assert NOT_THERE in errors[0].message


def test_an_unknown_job_reads_as_null(world):
    data, errors = world.gql.execute(
        "query($id: ID!) { job(id: $id) { id } }", {"id": NOT_THERE}, world.tokens[ADMIN]
    )
    assert errors == []
    assert data == {"job": None}


def test_a_disabled_user_is_unauthenticated(world):
    # A user this server has not seen yet (one it has seen is refused once the caller
    # cache forgets them: tests/test_auth.py).
    with world.app.state.db.write() as session:
        user = session.get(User, world.user_ids[OTHER_REQUESTER])
        user.disabled = True
        session.add(user)
    error = world.gql.error("{ viewer { id } }", token=world.tokens[OTHER_REQUESTER])
    assert error.code == UNAUTHENTICATED


def test_a_token_must_come_as_a_bearer_token(world):
    response = world.gql.client.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": f"Basic {world.tokens[ADMIN]}"},
    )
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == UNAUTHENTICATED
    assert "Bearer" in body["errors"][0]["message"]

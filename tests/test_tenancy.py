"""Two tenants on one server: each organization's requesters, workers and jobs reach only
their own storage (file and S3), teams, users, jobs and audit trail, and nothing they are
told reveals what the other has."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from minio import Minio
from PIL import Image
from starlette.applications import Starlette

from quorum.app import create_app
from quorum.services.organizations import create_organization
from quorum.services.users import create_team, create_user
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import CLAIM, CREATE_JOB, JOB, AppClient, GraphQLClient, GraphQLError

OUTSIDE = "outside your organization's storage"
CLAIM_RENDERED = "mutation($jobId: ID) { claimTask(jobId: $jobId) { id renderedTemplate } }"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, format="PNG")
    return buffer.getvalue()


class Store:
    """Puts objects under a root: a local folder or an S3 bucket."""

    def __init__(self, root: str, minio: Minio | None) -> None:
        self.root = root.rstrip("/")
        self.minio = minio

    def put(self, key: str, data: bytes) -> str:
        """Write ``data`` at ``key`` under the root; returns its storage URL."""
        url = f"{self.root}/{key}"
        if self.minio is None:
            path = Path(url.removeprefix("file://"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        else:
            bucket, _, prefix = self.root.removeprefix("s3://").partition("/")
            name = f"{prefix}/{key}" if prefix else key
            self.minio.put_object(bucket, name, io.BytesIO(data), len(data))
        return url

    def manifest(self, key: str, lines: list[dict[str, object]]) -> str:
        """A JSON Lines manifest at ``key``."""
        return self.put(key, b"".join(json.dumps(line).encode() + b"\n" for line in lines))


@dataclass
class Tenant:
    """An organization with a requester, an admin, a worker in a team, and objects of its
    own: an image, a manifest of it, a gold manifest."""

    organization_id: int
    requester: str
    admin: str
    worker: str
    worker_id: int
    team_id: int
    store: Store
    image: str
    manifest: str
    gold: str


@dataclass
class Server:
    app: Starlette
    gql: GraphQLClient
    client: AppClient
    settings: Settings
    acme: Tenant
    globex: Tenant
    default_requester: str

    def refused(self, token: str, **fields: object) -> GraphQLError:
        """The error of a createJob that must be refused."""
        spec = {"taskType": "image-classification", "labels": ["cat", "dog"], **fields}
        return self.gql.error(CREATE_JOB, {"input": spec}, token)


def make_tenant(app: Starlette, name: str, store: Store) -> Tenant:
    with app.state.db.write() as session:
        organization = create_organization(
            session,
            app.state.plugins.storage,
            app.state.settings,
            name=name,
            storage_roots=[store.root + "/"],
            actor_id=None,
        )
        assert organization.id is not None
        org = organization.id
        _, requester = create_user(
            session, name="rita", role=Role.REQUESTER, actor_id=None, organization_id=org
        )
        _, admin = create_user(
            session, name="ada", role=Role.ADMIN, actor_id=None, organization_id=org
        )
        worker, worker_token = create_user(
            session, name="wendy", role=Role.WORKER, actor_id=None, organization_id=org
        )
        assert worker.id is not None
        team = create_team(
            session, name="crew", member_ids=[worker.id], actor_id=None, organization_id=org
        )
        assert team.id is not None
    image = store.put("images/cat.png", png())
    return Tenant(
        organization_id=org,
        requester=requester,
        admin=admin,
        worker=worker_token,
        worker_id=worker.id,
        team_id=team.id,
        store=store,
        image=image,
        manifest=store.manifest("in/pets.manifest", [{"source-ref": image}]),
        gold=store.manifest("in/gold.manifest", [{"source-ref": image, "gold-label": "cat"}]),
    )


@pytest.fixture(params=["file", "s3"])
def server(request, tmp_path: Path, quorum_databases) -> Iterator[Server]:
    """A server with two tenants, acme and globex, whose roots are local folders or S3
    buckets, besides the default organization (which holds what no one else does)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {
        "QUORUM_DATA_DIR": str(data_dir),
        "QUORUM_DATABASE_URL": quorum_databases.new(data_dir),
        "QUORUM_LOCAL_ROOTS": str(tmp_path / "tenants"),
    }
    minio = None
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_server")
        env.update(
            QUORUM_S3_ENDPOINT=endpoint,
            QUORUM_S3_ACCESS_KEY="testing",
            QUORUM_S3_SECRET_KEY="testing",
            QUORUM_S3_REGION="us-east-1",
            QUORUM_S3_SECURE="false",
        )
        minio = Minio(
            endpoint, access_key="testing", secret_key="testing", secure=False, region="us-east-1"
        )
    settings = Settings.from_env(env)
    app = create_app(settings)
    client = AppClient(app)

    def root(name: str) -> str:
        if minio is None:
            folder = tmp_path / "tenants" / name
            folder.mkdir(parents=True)
            return f"file://{folder}"
        bucket = f"{name}-{uuid.uuid4().hex[:8]}"
        minio.make_bucket(bucket)
        return f"s3://{bucket}/data"

    try:
        with app.state.db.write() as session:
            _, default_requester = create_user(
                session, name="rita", role=Role.REQUESTER, actor_id=None
            )
        yield Server(
            app=app,
            gql=GraphQLClient(client),
            client=client,
            settings=settings,
            acme=make_tenant(app, "acme", Store(root("acme"), minio)),
            globex=make_tenant(app, "globex", Store(root("globex"), minio)),
            default_requester=default_requester,
        )
    finally:
        client.close()
        quorum_databases.drop(settings.database_url)


def own_job(server: Server, tenant: Tenant, name: str = "pets", **fields: object) -> str:
    spec = {
        "name": name,
        "taskType": "image-classification",
        "labels": ["cat", "dog"],
        "inputManifest": tenant.manifest,
        "teamId": str(tenant.team_id),
        **fields,
    }
    job = server.gql.ok(CREATE_JOB, {"input": spec}, tenant.requester)["createJob"]
    server.app.state.runner.run_until_idle()
    return str(job["id"])


def test_a_tenant_uses_its_own_storage(server: Server):
    acme = server.acme
    job_id = own_job(
        server,
        acme,
        outputPath=acme.store.root + "/out",
        gold={"manifest": acme.gold, "share": 0.5},
        examples=[{"label": "cat", "image": acme.image}],
    )
    job = server.gql.ok(JOB, {"id": job_id}, acme.requester)["job"]
    assert job["status"] == "IN_PROGRESS", job["failureReason"]
    task = server.gql.ok(CLAIM, {"jobId": job_id}, acme.worker)["claimTask"]
    assert task is not None


@pytest.mark.parametrize(
    "field", ["inputManifest", "gold.manifest", "examples.image", "outputPath"]
)
def test_no_url_of_another_tenant_reaches_the_server_through_create_job(server: Server, field: str):
    acme, globex = server.acme, server.globex
    fields: dict[str, object] = {
        "name": "stolen",
        "inputManifest": globex.manifest,
        "teamId": str(globex.team_id),
    }
    if field == "inputManifest":
        fields["inputManifest"] = acme.manifest
    elif field == "gold.manifest":
        fields["gold"] = {"manifest": acme.gold}
    elif field == "examples.image":
        fields["examples"] = [{"label": "cat", "image": acme.image}]
    else:
        fields["outputPath"] = acme.store.root + "/stolen"
    error = server.refused(globex.requester, **fields)
    assert error.code == "BAD_INPUT"
    assert OUTSIDE in error.message and field.split(".")[0] in error.message
    # Nor may the default organization, which holds only what nobody else does.
    error = server.refused(server.default_requester, **fields)
    assert OUTSIDE in error.message


def test_a_source_ref_into_another_tenant_fails_the_job_and_the_upload(server: Server):
    acme, globex = server.acme, server.globex
    manifest = globex.store.manifest("in/sneaky.manifest", [{"source-ref": acme.image}])
    job_id = own_job(server, globex, name="sneaky", inputManifest=manifest)
    job = server.gql.ok(JOB, {"id": job_id}, globex.requester)["job"]
    assert job["status"] == "FAILED"
    assert "line 1" in job["failureReason"] and OUTSIDE in job["failureReason"]
    response = server.client.post(
        "/uploads?name=sneaky.jsonl&taskType=image-classification",
        content=json.dumps({"source-ref": acme.image}).encode() + b"\n",
        headers={"Authorization": f"Bearer {globex.requester}"},
    )
    assert response.status_code == 400
    (line,) = response.json()["lines"]
    assert line["line"] == 1 and OUTSIDE in line["reason"]


def test_uploads_land_in_the_tenants_home(server: Server):
    response = server.client.post(
        "/uploads?name=pets.jsonl",
        content=b'{"source": "a cat"}\n',
        headers={"Authorization": f"Bearer {server.globex.requester}"},
    )
    assert response.status_code == 201, response.text
    home = f"{server.settings.storage_url}/orgs/{server.globex.organization_id}/uploads/"
    assert response.json()["url"].startswith(home)


def test_a_template_cannot_sign_another_tenants_object(server: Server):
    acme, globex = server.acme, server.globex
    template = (
        '<img id="mine" src="{{ task.input.manifestLine.mine | grant_read_access }}">'
        '<img id="theirs" src="{{ task.input.manifestLine.theirs | grant_read_access }}">'
        '<crowd-form><crowd-input name="x"></crowd-input></crowd-form>'
    )
    manifest = globex.store.manifest(
        "in/custom.manifest", [{"source": "look", "mine": globex.image, "theirs": acme.image}]
    )
    job_id = own_job(
        server,
        globex,
        name="custom",
        taskType="custom",
        labels=[],
        template=template,
        inputManifest=manifest,
    )
    html = server.gql.ok(CLAIM_RENDERED, {"jobId": job_id}, globex.worker)["claimTask"][
        "renderedTemplate"
    ]
    mine = html.split('id="mine" src="')[1].split('"')[0]
    theirs = html.split('id="theirs" src="')[1].split('"')[0]
    assert mine != globex.image and "ignature" in mine  # signed or presigned
    assert theirs == acme.image  # left as it was: a storage URL no browser can fetch


def test_a_tenant_sees_nothing_of_another(server: Server):
    acme, globex = server.acme, server.globex
    job_id = own_job(server, acme)
    gql = server.gql
    assert gql.ok(JOB, {"id": job_id}, globex.requester)["job"] is None
    assert gql.ok(JOB, {"id": job_id}, globex.admin)["job"] is None
    assert gql.ok(JOB, {"id": job_id}, globex.worker)["job"] is None
    assert gql.ok("{ availableJobs { id } }", None, globex.worker)["availableJobs"] == []
    claimed = gql.error(CLAIM, {"jobId": job_id}, globex.worker)
    assert claimed.code == "NOT_FOUND" and "pets" not in claimed.message
    assert gql.ok("{ jobs { edges { node { id } } } }", None, globex.admin)["jobs"]["edges"] == []
    teams = gql.ok("{ teams { id name } }", None, globex.requester)["teams"]
    assert teams == [{"id": str(globex.team_id), "name": "crew"}]
    users = gql.ok("{ users { edges { node { name } } } }", None, globex.admin)["users"]
    assert sorted(edge["node"]["name"] for edge in users["edges"]) == ["ada", "rita", "wendy"]
    events = gql.ok("{ auditEvents(first: 100) { edges { node { jobId } } } }", None, globex.admin)
    assert job_id not in {edge["node"]["jobId"] for edge in events["auditEvents"]["edges"]}
    # Another tenant's team and workers are unknown, exactly as ids nobody has.
    error = server.refused(
        globex.requester, name="borrowed", inputManifest=globex.manifest, teamId=str(acme.team_id)
    )
    assert error.code == "NOT_FOUND" and error.message == f"teamId: no team with id {acme.team_id}"
    added = gql.error(
        "mutation($t: ID!, $u: [ID!]!) { addTeamMembers(teamId: $t, userIds: $u) { id } }",
        {"t": str(globex.team_id), "u": [str(acme.worker_id)]},
        globex.requester,
    )
    assert added.message == f"userIds: no user with id {acme.worker_id}"
    disabled = gql.error(
        "mutation($id: ID!) { disableUser(id: $id) { id } }",
        {"id": str(acme.worker_id)},
        globex.admin,
    )
    assert disabled.code == "NOT_FOUND"


def test_names_are_unique_per_organization_and_a_conflict_tells_nothing_of_others(
    server: Server,
):
    own_job(server, server.acme, name="pets")
    own_job(server, server.globex, name="pets")  # the same name in another organization
    error = server.refused(
        server.globex.requester,
        name="PETS",
        inputManifest=server.globex.manifest,
        teamId=str(server.globex.team_id),
    )
    assert error.code == "CONFLICT"
    own_job(server, server.globex, name="only-globex")
    own_job(server, server.acme, name="only-globex")  # no CONFLICT: globex's is not acme's


def test_only_the_servers_administrators_make_organizations_and_grant_roots(server: Server):
    make = 'mutation { createOrganization(input: {name: "initech"}) { id } }'
    refused = server.gql.error(make, None, server.acme.admin)
    assert refused.code == "FORBIDDEN"
    grant = (
        "mutation($id: ID!, $roots: [String!]!) "
        "{ setStorageRoots(organizationId: $id, storageRoots: $roots) { id } }"
    )
    refused = server.gql.error(
        grant,
        {"id": str(server.acme.organization_id), "roots": [server.globex.store.root]},
        server.acme.admin,
    )
    assert refused.code == "FORBIDDEN"
    with server.app.state.db.write() as session:
        _, admin = create_user(session, name="root", role=Role.ADMIN, actor_id=None)
    overlap = server.gql.error(
        grant,
        {"id": str(server.acme.organization_id), "roots": [server.globex.store.root + "/x"]},
        admin,
    )
    assert overlap.code == "BAD_INPUT" and "overlaps" in overlap.message
    roots = server.gql.ok("{ organization { storageRoots } }", None, server.acme.requester)
    home = f"{server.settings.storage_url}/orgs/{server.acme.organization_id}"
    assert roots["organization"]["storageRoots"] == [home, server.acme.store.root + "/"]

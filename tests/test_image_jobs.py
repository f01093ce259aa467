"""Image classification on both storage backends: workers get fetchable, expiring URLs."""

from __future__ import annotations

import io
import json
import uuid

import httpx
from minio import Minio

from quorum.app import create_app
from quorum.statuses import Role
from quorum.testing import (
    CLAIM,
    JOB,
    SUBMIT,
    AppClient,
    GraphQLClient,
    create_job,
    make_team,
    make_user,
    read_output,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"not really an image, but bytes to fetch"


def run_image_job(app, gql, manifest: str, output: str | None = None):
    _, requester = make_user(app, "rita", Role.REQUESTER)
    worker_id, worker = make_user(app, "wendy", Role.WORKER)
    team = make_team(app, "crew", [worker_id])
    fields = {
        "name": "birds",
        "taskType": "image-classification",
        "inputManifest": manifest,
        "labels": ["sparrow", "falcon"],
        "teamId": str(team),
    }
    if output:
        fields["outputPath"] = output
    job = create_job(gql, requester, **fields)
    app.state.runner.run_until_idle()
    return job, requester, worker


def test_local_images_come_through_signed_urls(quorum_app, quorum_settings, gql, quorum_client):
    image = quorum_settings.objects_dir / "images" / "bird.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(PNG)
    manifest = quorum_settings.objects_dir / "birds.manifest"
    manifest.write_text(json.dumps({"source-ref": f"file://{image}"}) + "\n")
    job, requester, worker = run_image_job(quorum_app, gql, f"file://{manifest}")
    task = gql.ok(CLAIM, {"jobId": job["id"]}, worker)["claimTask"]
    url = task["input"]["taskObject"]
    assert url.startswith("/objects/") and "signature=" in url and "expires=" in url
    assert quorum_client.get(url).content == PNG
    assert quorum_client.get(url.replace("signature=", "signature=0")).status_code == 403
    gql.ok(SUBMIT, {"taskId": task["id"], "answer": {"label": "falcon"}}, worker)
    quorum_app.state.runner.run_until_idle()
    done = gql.ok(JOB, {"id": job["id"]}, requester)["job"]
    (line,) = read_output(done["outputManifest"])
    assert line["birds"] == 1
    assert line["birds-metadata"]["type"] == "groundtruth/image-classification"
    assert line["birds-metadata"]["confidence"] == 0.0  # one worker: Ground Truth says 0
    (edge,) = gql.ok(ITEM_URLS, {"id": job["id"]}, requester)["job"]["items"]["edges"]
    assert quorum_client.get(edge["node"]["sourceUrl"]).content == PNG  # for the console
    assert edge["node"]["labelUrl"] is None  # the label is in the line, not an object


ITEM_URLS = "query($id: ID!) { job(id: $id) { items { edges { node { sourceUrl labelUrl } } } } }"


def test_a_job_reads_and_writes_s3(s3_settings, quorum_databases, tmp_path):
    bucket = f"quorum-{uuid.uuid4().hex[:8]}"
    client = Minio(
        s3_settings.s3_endpoint,
        access_key="testing",
        secret_key="testing",
        secure=False,
        region="us-east-1",
    )
    client.make_bucket(bucket)
    client.put_object(bucket, "images/bird.png", io.BytesIO(PNG), len(PNG))
    lines = b"".join(
        json.dumps({"source-ref": f"s3://{bucket}/images/bird.png", "n": n}).encode() + b"\n"
        for n in range(2)
    )
    client.put_object(bucket, "in/birds.manifest", io.BytesIO(lines), len(lines))
    settings = s3_settings.with_overrides(database_url=quorum_databases.new(tmp_path))
    app = create_app(settings)
    app_client = AppClient(app)
    try:
        gql = GraphQLClient(app_client)
        job, requester, worker = run_image_job(
            app, gql, f"s3://{bucket}/in/birds.manifest", f"s3://{bucket}/out"
        )
        for _ in range(2):
            task = gql.ok(CLAIM, {"jobId": job["id"]}, worker)["claimTask"]
            url = task["input"]["taskObject"]
            assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
            assert httpx.get(url).content == PNG
            gql.ok(SUBMIT, {"taskId": task["id"], "answer": {"label": "sparrow"}}, worker)
        app.state.runner.run_until_idle()
        done = gql.ok(JOB, {"id": job["id"]}, requester)["job"]
        assert done["outputManifest"] == f"s3://{bucket}/out/birds/manifests/output/output.manifest"
        body = client.get_object(bucket, "out/birds/manifests/output/output.manifest").read()
        output = [json.loads(line) for line in body.splitlines()]
        assert [line["n"] for line in output] == [0, 1]
        assert all(line["birds"] == 0 for line in output)
        responses = list(client.list_objects(bucket, "out/birds/annotations/", recursive=True))
        assert len(responses) == 2
    finally:
        app_client.close()
        quorum_databases.drop(settings.database_url)

"""Manifests uploaded from the console: stored, audited, refused with reasons."""

from __future__ import annotations

import pytest

from quorum.statuses import Role
from quorum.testing import CREATE_JOB, make_team, make_user

LINES = b'{"source": "good food"}\n{"source": "bad service"}\n'
EVENTS = "{ auditEvents(first: 50) { edges { node { action data } } } }"


def test_an_uploaded_manifest_becomes_a_job(quorum_app, quorum_client, quorum_settings, gql):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    worker_id, _ = make_user(quorum_app, "wendy", Role.WORKER)
    team = make_team(quorum_app, "crew", [worker_id])
    response = quorum_client.post(
        "/uploads?name=../../reviews 2026.jsonl",
        content=LINES,
        headers={"Authorization": f"Bearer {requester}"},
    )
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    assert response.json()["bytes"] == len(LINES)
    assert url.startswith(f"file://{quorum_settings.objects_dir}/uploads/1/")
    assert url.endswith("-reviews-2026.jsonl")  # the name cannot climb out of uploads/
    spec = {
        "name": "reviews",
        "taskType": "text-classification",
        "inputManifest": url,
        "labels": ["negative", "positive"],
        "teamId": str(team),
    }
    gql.ok(CREATE_JOB, {"input": spec}, requester)
    quorum_app.state.runner.run_until_idle()
    job = gql.ok("{ jobs { edges { node { counters { total } } } } }", {}, requester)
    assert job["jobs"]["edges"][0]["node"]["counters"]["total"] == 2
    _, admin = make_user(quorum_app, "root", Role.ADMIN)
    events = [edge["node"] for edge in gql.ok(EVENTS, {}, admin)["auditEvents"]["edges"]]
    uploaded = [event for event in events if event["action"] == "manifest.uploaded"]
    assert [event["data"] for event in uploaded] == [{"url": url, "bytes": len(LINES)}]


def test_a_browser_session_uploads_with_its_csrf_value(quorum_app, quorum_client):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    signed_in = quorum_client.post("/session", json={"token": requester})
    csrf = signed_in.cookies["quorum_csrf"]
    try:
        refused = quorum_client.post("/uploads", content=LINES)
        assert refused.status_code == 401 and "X-CSRF-Token" in refused.json()["error"]
        accepted = quorum_client.post("/uploads", content=LINES, headers={"X-CSRF-Token": csrf})
        assert accepted.status_code == 201
    finally:
        quorum_client._client.cookies.clear()


@pytest.mark.parametrize(
    ("role", "body", "status", "message"),
    [
        (None, LINES, 401, "send your API token"),
        (Role.WORKER, LINES, 403, "only requesters and admins may upload manifests"),
        (Role.REQUESTER, b"  \n", 400, "the upload is empty"),
    ],
)
def test_bad_uploads_say_why_and_store_nothing(
    quorum_app, quorum_client, quorum_settings, role, body, status, message
):
    headers = {}
    if role is not None:
        _, token = make_user(quorum_app, "someone", role)
        headers["Authorization"] = f"Bearer {token}"
    response = quorum_client.post("/uploads", content=body, headers=headers)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert not (quorum_settings.objects_dir / "uploads").exists()


def test_an_upload_over_the_request_limit_is_refused(quorum_app, quorum_client, quorum_settings):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    too_big = b'{"source": "x"}\n' * (quorum_settings.max_request_bytes // 16 + 1)
    response = quorum_client.post(
        "/uploads", content=too_big, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 413
    assert not (quorum_settings.objects_dir / "uploads").exists()


def test_an_upload_that_cannot_be_audited_leaves_nothing_behind(
    quorum_app, quorum_client, quorum_settings, monkeypatch
):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)

    def broken(session, event):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("quorum.http.uploads.audit.record", broken)
    with pytest.raises(RuntimeError, match="went away"):
        quorum_client.post("/uploads", content=LINES, headers={"Authorization": f"Bearer {token}"})
    assert list((quorum_settings.objects_dir / "uploads").rglob("*")) == [
        quorum_settings.objects_dir / "uploads" / "1"
    ]  # the folder was made; the file is gone


def upload(client, token, body, task_type="text-classification"):
    """POST /uploads with the task type its lines are checked for."""
    return client.post(
        f"/uploads?name=m.jsonl&taskType={task_type}",
        content=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_an_upload_is_checked_line_by_line_for_its_task_type(quorum_app, quorum_client):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    accepted = upload(quorum_client, token, LINES)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["checked"] == 2 and accepted.json()["checkedAll"] is True
    # The same lines do not suit an image task type: refused with the ingest's reasons.
    refused = upload(quorum_client, token, LINES, "image-classification")
    assert refused.status_code == 400
    assert [line["line"] for line in refused.json()["lines"]] == [1, 2]
    assert refused.json()["lines"][0]["reason"] == (
        'image-classification needs an object URL under "source-ref", found "source"'
    )


def test_bad_lines_refuse_the_upload_naming_each_and_store_nothing(
    quorum_app, quorum_client, quorum_settings
):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    body = b'{"source": "fine"}\n\n{"source": "oops"\n[1, 2]\n{"source": "fine again"}\n'
    response = upload(quorum_client, token, body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "BAD_INPUT"
    assert answer["lines"] == [
        {"line": 3, "reason": "not valid JSON (Expecting ',' delimiter at column 18)"},
        {"line": 4, "reason": "must be a JSON object, got list"},
    ]  # numbered as the ingest numbers them: blank lines count
    assert answer["error"].startswith("line 3: not valid JSON")
    assert "and 1 more bad line" in answer["error"]
    assert not (quorum_settings.objects_dir / "uploads").exists()


def test_a_big_upload_is_checked_on_its_first_lines(quorum_app, quorum_client, monkeypatch):
    monkeypatch.setattr("quorum.http.uploads.CHECK_ALL_BYTES", 1_000)
    monkeypatch.setattr("quorum.http.uploads.FIRST_LINES", 10)
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    good = b'{"source": "x"}\n' * 100
    accepted = upload(quorum_client, token, good + b"not json\n")
    assert accepted.status_code == 201  # the ingest finds the last line when the job starts
    assert accepted.json()["checked"] == 10 and accepted.json()["checkedAll"] is False
    refused = upload(quorum_client, token, b'{"source": "x"}\n' * 5 + b"not json\n" + good)
    assert refused.json()["lines"][0]["line"] == 6


def test_an_unknown_task_type_is_refused(quorum_app, quorum_client):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    response = upload(quorum_client, token, LINES, "no-such-type")
    assert response.status_code == 400
    assert response.json()["error"].startswith("taskType: unknown task type 'no-such-type'")

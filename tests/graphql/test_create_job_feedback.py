"""createJob's feedback on a form: every refused field at once, and warnings about a job
that is accepted but cannot get all the answers it asks for."""

from __future__ import annotations

from typing import Any

import pytest

from quorum.statuses import Role
from quorum.testing import create_job, make_team, make_user, text_lines, write_manifest

WARNINGS = "query($id: ID!) { job(id: $id) { warnings } }"
CREATED = """
mutation($input: CreateJobInput!) { createJob(input: $input) { id warnings } }
"""


def create_errors(client: Any, token: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """createJob's GraphQL errors, extensions and all."""
    response = client.post(
        "/graphql",
        json={"query": CREATED, "variables": {"input": spec}},
        headers={"Authorization": f"Bearer {token}"},
    )
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


@pytest.fixture
def people(quorum_app):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    worker_ids = [make_user(quorum_app, name, Role.WORKER)[0] for name in ("wim", "carl")]
    return requester, make_team(quorum_app, "crew", worker_ids)


def test_an_empty_form_is_refused_naming_every_field_at_once(quorum_client, people):
    requester, _ = people
    empty = {"name": "", "taskType": "text-classification", "inputManifest": "", "labels": []}
    (error,) = create_errors(quorum_client, requester, empty)
    assert error["extensions"]["code"] == "BAD_INPUT"
    fields = error["extensions"]["fields"]
    assert [each["field"] for each in fields] == ["name", "labels", "inputManifest", "teamId"]
    assert fields[0]["message"].startswith("name: required")
    assert "needs at least 2 label categories, got 0" in fields[1]["message"]
    assert fields[2]["message"].startswith("inputManifest: required: upload a manifest")
    assert "needs a team" in fields[3]["message"]
    assert error["message"].startswith("4 fields need fixing: name: required")
    assert all(each["message"] in error["message"] for each in fields)


def test_one_refused_field_keeps_its_code_and_message(quorum_client, quorum_settings, people):
    requester, _ = people
    spec = {
        "name": "pets",
        "taskType": "text-classification",
        "inputManifest": write_manifest(quorum_settings, "pets.manifest", text_lines(2)),
        "labels": ["cat", "dog"],
        "teamId": "987654",
    }
    (error,) = create_errors(quorum_client, requester, spec)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["message"] == "teamId: no team with id 987654"
    assert error["extensions"]["fields"] == [
        {"field": "teamId", "message": "teamId: no team with id 987654"}
    ]
    # With another mistake, the two are one BAD_INPUT listing both.
    (both,) = create_errors(quorum_client, requester, {**spec, "workersPerItem": 12})
    assert both["extensions"]["code"] == "BAD_INPUT"
    assert [each["field"] for each in both["extensions"]["fields"]] == [
        "teamId",
        "workersPerItem",
    ]
    assert "workersPerItem: must be between 1 and 9, got 12" in both["message"]


def test_a_field_that_depends_on_a_wrong_one_is_not_checked(quorum_client, people):
    requester, team = people
    spec = {
        "name": "pets",
        "taskType": "no-such-type",
        "inputManifest": "file:///objects/x.manifest",
        "labels": [],
        "teamId": str(team),
    }
    (error,) = create_errors(quorum_client, requester, spec)
    names = [each["field"] for each in error["extensions"]["fields"]]
    assert names[0] == "taskType" and "labels" not in names  # the labels need a task type
    assert "unknown task type 'no-such-type'" in error["message"]


def test_more_workers_per_item_than_the_team_has_is_a_warning(
    quorum_app, quorum_settings, gql, people
):
    requester, team = people
    manifest = write_manifest(quorum_settings, "pets.manifest", text_lines(2))
    spec = {
        "taskType": "text-classification",
        "inputManifest": manifest,
        "labels": ["cat", "dog"],
        "teamId": str(team),
    }
    created = gql.ok(CREATED, {"input": {**spec, "name": "three", "workersPerItem": 3}}, requester)
    assert created["createJob"]["warnings"] == [
        "workersPerItem is 3 but team crew has 2 workers; items will be finished with the "
        "answers the team can give"
    ]
    job_id = created["createJob"]["id"]
    quorum_app.state.runner.run_until_idle()
    assert gql.ok(WARNINGS, {"id": job_id}, requester)["job"]["warnings"] == [
        created["createJob"]["warnings"][0]
    ]  # the job page shows it too, while the job runs
    fitting = create_job(gql, requester, **spec, name="two", workersPerItem=2)
    assert gql.ok(WARNINGS, {"id": fitting["id"]}, requester)["job"]["warnings"] == []


def test_a_team_with_nobody_says_items_wait(quorum_app, quorum_settings, gql):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    team = make_team(quorum_app, "nobody", [])
    spec = {
        "name": "lonely",
        "taskType": "text-classification",
        "inputManifest": write_manifest(quorum_settings, "pets.manifest", text_lines(2)),
        "labels": ["cat", "dog"],
        "teamId": str(team),
    }
    created = gql.ok(CREATED, {"input": spec}, requester)["createJob"]
    assert created["warnings"] == [
        "workersPerItem is 1 but team nobody has no workers who may take its tasks; items "
        "wait until one joins"
    ]

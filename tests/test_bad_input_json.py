"""JSON that Python's parser takes, or chokes on, but JSON does not allow: refused as
BAD_INPUT naming the field, never a 500 or an INTERNAL (``quorum.json_input``).

A request nested a thousand levels deep or holding an integer of 5,000 digits needs no
token to reach the parser; a lone surrogate (``"\\ud800"``) can be in a name, a label, an
answer or a manifest line; a box can be ``1e308``-sized.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from quorum.errors import BadInput
from quorum.services.users import create_team, create_user
from quorum.statuses import Role
from quorum.testing import (
    CREATE_JOB,
    SUBMIT,
    AppClient,
    GraphQLClient,
    make_team,
    make_user,
    running_job,
    text_lines,
    write_manifest,
)
from tests.factories import row_counts
from tests.plugins.task_types.test_structured import box, boxes, image_lines

TYPENAME = "{ __typename }"


def post(client: AppClient, body: str, token: str | None = None) -> tuple[int, dict[str, Any]]:
    """POST a raw body to /graphql; returns the status and the JSON answer."""
    headers = {"content-type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.post(
        "/graphql", content=body.encode("utf-8", "surrogatepass"), headers=headers
    )
    return response.status_code, response.json()


def refusal(answer: dict[str, Any]) -> str:
    """The one BAD_INPUT error of a refused request; returns its message."""
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT", error
    return str(error["message"])


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def body(variables: str) -> str:
    return f'{{"query": "{{ __typename }}", "variables": {{"x": {variables}}}}}'


# -- the request body, without a token --------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (deep(1_000), "variables: nested more than 100 levels deep"),
        (deep(30_000), "variables: nested more than 100 levels deep"),
        (deep(150), "variables.x[0][0]"),
        ("1" * 5_000, "variables.x: an integer of 5,000 digits; at most 4,300"),
        ("[1, -" + "9" * 4_301 + "]", "variables.x[1]: an integer of 4,301 digits"),
        ("NaN", "variables.x: nan is not a JSON number; numbers must be finite"),
        ('{"size": 1e400}', "variables.x.size: inf is not a JSON number"),
        ('"ok \\ud800"', "variables.x: holds a lone surrogate (\\ud800) at character 4"),
        ('{"\\udfff": 1}', "variables.x.\\udfff: holds a lone surrogate (\\udfff)"),
    ],
    ids=[
        "1000-deep",
        "30000-deep",
        "150-deep",
        "5000-digits",
        "negative",
        "nan",
        "1e400",
        "surrogate",
        "surrogate-key",
    ],
)
def test_a_body_json_refuses_is_a_400_naming_the_field(quorum_client, caplog, variables, message):
    caplog.set_level(logging.INFO)
    status, answer = post(quorum_client, body(variables))
    assert status == 400
    assert message in refusal(answer)
    assert "data" not in answer
    logged = [record for record in caplog.records if record.name == "quorum.graphql"]
    assert [record.levelno for record in logged] == [logging.INFO]
    assert logged[0].getMessage().startswith("BAD_INPUT: variables")
    assert max(record.levelno for record in caplog.records) == logging.INFO
    assert not any(record.exc_info for record in caplog.records)


def test_a_body_that_is_not_json_says_where(quorum_client):
    status, answer = post(quorum_client, '{"query": "{ __typename }",')
    assert status == 400
    assert refusal(answer).startswith("request body: not valid JSON (Expecting property name")


def test_get_variables_are_checked_as_a_post_body(quorum_client):
    response = quorum_client.get(
        "/graphql", params={"query": TYPENAME, "variables": json.dumps({"x": [[1, 2, "\ud800"]]})}
    )
    assert response.status_code == 400
    assert refusal(response.json()).startswith("variables.x[0][2]: holds a lone surrogate")


def test_a_websocket_message_nested_too_deep_closes_the_connection(quorum_app):
    with TestClient(quorum_app) as client:
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_text('{"type": "connection_init", "payload": ' + deep(5_000) + "}")
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
    assert closed.value.code == 4400


def test_good_json_still_passes(quorum_client):
    variables = json.dumps({"x": {"text": "naïve café ✓ 𝄞", "n": int("9" * 4_300), "f": 1e308}})
    status, answer = post(quorum_client, f'{{"query": "{TYPENAME}", "variables": {variables}}}')
    assert (status, answer) == (200, {"data": {"__typename": "Query"}})


# -- lone surrogates in names, labels and answers --------------------------------------------


@pytest.fixture
def people(quorum_app) -> dict[str, Any]:
    _, admin = make_user(quorum_app, "ada", Role.ADMIN)
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    worker_id, _ = make_user(quorum_app, "wim", Role.WORKER)
    return {
        "admin": admin,
        "requester": requester,
        "team": make_team(quorum_app, "crew", [worker_id]),
    }


def test_a_lone_surrogate_in_a_name_or_label_is_refused_naming_it(
    quorum_app, quorum_settings, quorum_client, people
):
    manifest = write_manifest(quorum_settings, "m.manifest", text_lines(2))
    calls = [
        (
            "mutation($n: String!) { createUser(input: {name: $n, role: WORKER}) { user { id } } }",
            {"n": "bad\ud800"},
            "admin",
            "variables.n: holds a lone surrogate (\\ud800) at character 4",
        ),
        (
            "mutation($n: String!) { createTeam(input: {name: $n, memberIds: []}) { id } }",
            {"n": "\udc80crew"},
            "admin",
            "variables.n: holds a lone surrogate (\\udc80) at character 1",
        ),
        (
            CREATE_JOB,
            {
                "input": {
                    "name": "pets",
                    "taskType": "text-classification",
                    "inputManifest": manifest,
                    "labels": ["cat", "do\ud83dg"],
                    "teamId": str(people["team"]),
                }
            },
            "requester",
            "variables.input.labels[1]: holds a lone surrogate (\\ud83d) at character 3",
        ),
    ]
    for query, variables, caller, message in calls:
        status, answer = post(
            quorum_client, json.dumps({"query": query, "variables": variables}), people[caller]
        )
        assert status == 400
        assert refusal(answer) == message + "; text must be valid Unicode"
    with quorum_app.state.db.read() as session:
        from sqlmodel import select

        from quorum.models import Team, User

        assert sorted(user.name for user in session.exec(select(User))) == ["ada", "rita", "wim"]
        assert [team.name for team in session.exec(select(Team))] == ["crew"]
    assert row_counts(quorum_app)["jobs"] == 0


def test_the_services_refuse_a_lone_surrogate_from_the_command_line(quorum_app, quorum_client):
    # The command line turns bytes that are not UTF-8 into lone surrogates (surrogateescape).
    name = b"caf\xe9".decode("utf-8", "surrogateescape")
    with quorum_app.state.db.write() as session:
        with pytest.raises(BadInput, match=r"name: holds a lone surrogate \(\\udce9\)"):
            create_user(session, name=name, role=Role.WORKER, actor_id=None)
        with pytest.raises(BadInput, match=r"name: holds a lone surrogate \(\\udce9\)"):
            create_team(session, name=name, member_ids=[], actor_id=None)


def test_a_lone_surrogate_in_an_answer_is_refused_and_the_task_stays(
    quorum_app, quorum_settings, gql: GraphQLClient, quorum_client
):
    job = running_job(quorum_app, gql, quorum_settings)
    task = job.claim()
    assert task is not None
    answer = {"label": "positive", "workerComment": "fine \udbff"}
    status, refused = post(
        quorum_client,
        json.dumps({"query": SUBMIT, "variables": {"taskId": task["id"], "answer": answer}}),
        job.workers[0][1],
    )
    assert status == 400
    assert refusal(refused).startswith("variables.answer.workerComment: holds a lone surrogate")
    assert job.claim()["id"] == task["id"]  # still the worker's, unanswered


def test_a_manifest_line_with_a_lone_surrogate_fails_the_job_naming_the_line(
    quorum_app, quorum_settings, gql: GraphQLClient
):
    lines = [{"source": "fine"}, '{"source": "fine", "note": "bad \\ud800 text"}']
    job = running_job(quorum_app, gql, quorum_settings, lines=lines)
    status = job.status()
    assert status["status"] == "FAILED"
    assert status["failureReason"] == (
        "inputManifest: line 2: note: holds a lone surrogate (\\ud800) at character 5; "
        "text must be valid Unicode"
    )
    assert row_counts(quorum_app, job.id)["items"] == 0


# -- boxes the size of 1e308 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            boxes(box("Bird", 10**400, 0, 1, 1)),
            "answer.boundingBoxes[0].left: a 401-digit number is out of range",
        ),
        (
            boxes(box("Bird", 1, 1, 10**309, 1)),
            "answer.boundingBoxes[0].width: a 310-digit number is out of range",
        ),
        (
            boxes(box("Bird", 0, 0, 1e308, 1e308), width=10**308, height=10**308),
            "answer.inputImageProperties.width: must be at most 1,000,000, got a 309-digit number",
        ),
        (
            boxes(box("Bird", 0, 0, 1e308, 1e308), width=1e308, height=1e308),
            "answer.inputImageProperties.width: must be at most 1,000,000",
        ),
        (
            boxes(box("Bird", 1e308, 0, 1e308, 1)),
            "answer.boundingBoxes[0].width: the box ends at x=inf, past the image's width",
        ),
    ],
    ids=["400-digit-left", "310-digit-width", "1e308-image", "1e308-float-image", "overflow"],
)
def test_boxes_the_size_of_1e308_are_bad_input_naming_the_field(
    quorum_app, quorum_settings, gql: GraphQLClient, answer, message
):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=image_lines(quorum_settings, 1),
        name="birds",
        taskType="bounding-box",
        labels=["Bird", "Cat"],
    )
    task = job.claim()
    assert task is not None
    error = gql.error(SUBMIT, {"taskId": task["id"], "answer": answer}, job.workers[0][1])
    assert error.code == "BAD_INPUT"
    assert error.message.startswith(message)

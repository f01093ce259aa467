"""What the server log says about errors: a client's mistake is one INFO line, a fault
keeps its traceback."""

from __future__ import annotations

import logging

import pytest

from quorum.app import create_app
from quorum.statuses import Role
from quorum.testing import AppClient, GraphQLClient, make_user, running_job
from tests.graphql.test_errors import ExplodingPlugin


def test_a_forbidden_error_is_one_info_line_without_traceback(quorum_app, gql, caplog):
    _, token = make_user(quorum_app, "wendy", Role.WORKER)
    caplog.set_level(logging.INFO)
    error = gql.error(
        'mutation { createTeam(input: {name: "x", memberIds: []}) { id } }', {}, token
    )
    assert error.code == "FORBIDDEN"
    errors = [r for r in caplog.records if r.name in {"quorum.graphql", "strawberry.execution"}]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].levelno == logging.INFO and errors[0].exc_info is None
    assert errors[0].getMessage().startswith("FORBIDDEN createTeam: ")


def test_a_real_fault_keeps_its_traceback(quorum_settings, caplog):
    app = create_app(quorum_settings, plugins=[ExplodingPlugin()])
    client = AppClient(app)
    try:
        gql = GraphQLClient(client)
        job = running_job(app, gql, quorum_settings, taskType="exploding")
        task = job.claim()
        caplog.set_level(logging.INFO)
        gql.error(
            'mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "positive"}) { id } }',
            {"id": task["id"]},
            job.workers[0][1],
        )
    finally:
        client.close()
    faults = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(faults) == 1
    assert faults[0].exc_info and isinstance(faults[0].exc_info[1], RuntimeError)


DEEP_VALID = "{ jobs { edges { node { items { edges { node { id } } } } } } }"


@pytest.mark.parametrize(
    ("query", "variables", "says"),
    [
        ("{ viewer {", {}, "BAD_INPUT 1:11: Syntax Error: Expected Name, found <EOF>."),
        ("{ nope }", {}, "BAD_INPUT 1:3: Cannot query field 'nope' on type 'Query'."),
        (DEEP_VALID, {}, "BAD_INPUT 1:41: 'anonymous' exceeds maximum operation depth of 4"),
        (
            "query($id: ID!) { job(id: $id) { id } }",
            {"id": {"x": 1}},
            "BAD_INPUT 1:7: Variable '$id' has invalid value: ID cannot represent value",
        ),
    ],
    ids=["parse", "validation", "depth", "variable-type"],
)
def test_an_error_before_execution_is_one_info_line(
    quorum_settings, caplog, query, variables, says
):
    client = AppClient(
        create_app(
            quorum_settings.with_overrides(max_query_depth=4, max_anonymous_query_cost=50_000)
        )
    )
    try:
        caplog.set_level(logging.INFO)
        body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    finally:
        client.close()
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    logged = [r for r in caplog.records if r.name in {"quorum.graphql", "strawberry.execution"}]
    assert len(logged) == 1, [r.getMessage() for r in logged]
    assert logged[0].levelno == logging.INFO and logged[0].exc_info is None
    assert logged[0].getMessage().startswith(says)
    assert "\n" not in logged[0].getMessage()

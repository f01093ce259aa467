"""Every error carries a stable extensions.code, and nothing internal leaks."""

from __future__ import annotations

import pytest

from quorum import hookimpl
from quorum.app import create_app
from quorum.statuses import Role
from quorum.tasktypes import SingleLabelClassification
from quorum.testing import AppClient, GraphQLClient, make_user, running_job


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("{ viewer { id ", "Syntax Error"),
        ("{ viewer { shoeSize } }", "Cannot query field 'shoeSize'"),
        ("query($n: Int) { jobs(first: $n) { edges { cursor } } }", "Variable '$n'"),
    ],
)
def test_graphql_errors_are_bad_input(quorum_app, gql, query, fragment):
    _, token = make_user(quorum_app, "ada", Role.ADMIN)
    variables = {"n": "three"} if "$n" in query else {}
    error = gql.error(query, variables, token)
    assert error.code == "BAD_INPUT"
    assert fragment in error.message


class Exploding(SingleLabelClassification):
    name = "exploding"
    output_type = "groundtruth/text-classification"
    element = "crowd-classifier"
    source_key = "source"

    def validate_answer(self, answer, labels):
        raise RuntimeError("secret database password is hunter2")


class ExplodingPlugin:
    @hookimpl
    def quorum_task_types(self):
        return [Exploding]


def test_an_unexpected_error_is_masked_as_internal(quorum_settings):
    app = create_app(quorum_settings, plugins=[ExplodingPlugin()])
    client = AppClient(app)
    try:
        gql = GraphQLClient(client)
        job = running_job(app, gql, quorum_settings, taskType="exploding")
        task = job.claim()
        error = gql.error(
            'mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "positive"}) { id } }',
            {"id": task["id"]},
            job.workers[0][1],
        )
        assert error.code == "INTERNAL"
        assert "hunter2" not in error.message
        assert "server log" in error.message
    finally:
        client.close()

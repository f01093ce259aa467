"""A query's cost is bounded before it runs (quorum.graphql.budget): size, aliases,
fields and a cost in which ``first`` multiplies its children."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from quorum.app import create_app
from quorum.statuses import Role
from quorum.testing import AppClient, make_user


@pytest.fixture
def client(quorum_settings) -> Iterator[AppClient]:
    """A server with the default limits (its app as ``client.quorum``)."""
    app = create_app(quorum_settings)
    http = AppClient(app)
    http.quorum = app  # type: ignore[attr-defined]
    try:
        yield http
    finally:
        http.close()


def _error(client: AppClient, query: str, token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = client.post("/graphql", json={"query": query}, headers=headers).json()
    assert body["data"] is None, body
    return body["errors"][0]


def _flood(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def test_an_alias_flood_is_refused_before_it_runs(client):
    _, token = make_user(client.quorum, "rita", Role.REQUESTER)
    error = _error(client, _flood(500), token)  # 8 KB: under the document limit
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert "500 aliases is over the limit of 100" in error["message"]


@pytest.mark.parametrize("token", [None, "qrm_nobody-has-this-token"])
def test_a_caller_the_server_does_not_know_gets_4_kib_of_query_unparsed(client, monkeypatch, token):
    """Parsing costs about a millisecond a kilobyte: a 35 KB alias flood without a valid
    token is refused before the parser sees it."""
    from quorum.graphql import budget

    parsed: list[str] = []
    monkeypatch.setattr(budget, "parse", lambda query, **kw: parsed.append(query))
    error = _error(client, _flood(2_000), token)
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert error["message"] == (
        "query: 34,893 bytes is over the limit of 4,096 bytes "
        "(QUORUM_MAX_ANONYMOUS_QUERY_BYTES; sign in for more)"
    )
    assert not any("a1999" in query for query in parsed)


def test_a_query_over_the_size_limit_is_refused_before_parsing(client):
    _, token = make_user(client.quorum, "rita", Role.REQUESTER)
    big = "{ __typename " + "#" * 20_000 + "\n}"
    error = _error(client, big, token)
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert "over the limit of 16,384 bytes" in error["message"]


def test_first_multiplies_the_cost_of_a_connection(client):
    app = client.quorum
    _, token = make_user(app, "rita", Role.REQUESTER)
    deep = (
        "{ jobs(first: 1000) { edges { node { items(first: 1000) { edges { node { id } } } } } } }"
    )
    error = _error(client, deep, token)
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert "is over the limit of 50,000 (jobs(first: 1000) x items(first: 1000)" in error["message"]
    small = client.post(
        "/graphql",
        json={"query": "{ jobs(first: 5) { edges { node { id } } } }"},
        headers={"authorization": f"Bearer {token}"},
    ).json()
    assert "errors" not in small, small


def test_an_anonymous_request_gets_the_cheapest_budget(client):
    query = "{ jobs(first: 200) { edges { node { id name } } } }"
    error = _error(client, query)
    assert "over the limit of 500" in error["message"]


def test_an_anonymous_graphql_body_over_64_kib_gets_413(client):
    response = client.post(
        "/graphql", json={"query": "{ __typename }", "variables": {"p": "x" * 70_000}}
    )
    assert response.status_code == 413


def test_a_refused_alias_flood_logs_one_short_line_without_the_query(client, caplog):
    caplog.set_level(logging.DEBUG)
    flood = "{ " + " ".join(f"secret{i}: nope" for i in range(2_000)) + " }"
    _error(client, flood)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert len(logged.encode()) < 1024, logged[:2000]
    assert "secret1" not in logged

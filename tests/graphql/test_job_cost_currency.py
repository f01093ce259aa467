"""Money has a currency: ``QUORUM_CURRENCY`` (USD by default), named by ``Job.cost``."""

from __future__ import annotations

import pytest

from quorum.errors import StartupError
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import create_job, make_team, make_user, text_lines, write_manifest

COST = "query($id: ID!) { job(id: $id) { cost { total currency } } }"


@pytest.fixture
def quorum_settings(quorum_settings: Settings) -> Settings:
    return quorum_settings.with_overrides(currency="EUR")


def test_the_cost_names_the_servers_currency(quorum_app, quorum_settings, gql):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    worker_id, _ = make_user(quorum_app, "wim", Role.WORKER)
    job = create_job(
        gql,
        requester,
        name="priced",
        taskType="text-classification",
        inputManifest=write_manifest(quorum_settings, "p.manifest", text_lines(1)),
        labels=["cat", "dog"],
        teamId=str(make_team(quorum_app, "crew", [worker_id])),
    )
    cost = gql.ok(COST, {"id": job["id"]}, requester)["job"]["cost"]
    assert cost == {"total": 0.0, "currency": "EUR"}


def test_the_currency_setting_is_a_three_letter_code():
    base = {"QUORUM_DATA_DIR": "/tmp/quorum-currency"}
    assert Settings.from_env(base).currency == "USD"
    assert Settings.from_env({**base, "QUORUM_CURRENCY": " eur "}).currency == "EUR"
    with pytest.raises(StartupError, match="QUORUM_CURRENCY='dollars' is not a currency code"):
        Settings.from_env({**base, "QUORUM_CURRENCY": "dollars"})

"""The console's Teams screen: teams with their members, added and removed; a team
created; users disabled and enabled, and their tokens made (shown once) and revoked, each
change checked with a real request; and the screen on a phone."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import Crew, Server
from tests.browser.test_console import console_sign_in
from tests.browser.test_console_feedback import OVERFLOWING

pytestmark = pytest.mark.browser


def viewer(server: Server, token: str) -> dict:
    """What ``{ viewer { name } }`` answers for ``token``: data or errors."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.post(
            "/graphql",
            json={"query": "{ viewer { name } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.json()


def refused(server: Server, token: str) -> bool:
    body = viewer(server, token)
    return [error["extensions"]["code"] for error in body.get("errors", [])] == ["UNAUTHENTICATED"]


def open_teams(page: Page) -> None:
    page.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    expect(page.locator("quorum-console-teams[aria-busy]")).to_have_count(0)


def test_an_admin_changes_teams_users_and_tokens(server: Server, page: Page) -> None:
    tag = f"teams-{uuid.uuid4().hex[:6]}"
    crew = Crew.make(server, tag)
    worker = f"wendy-{tag}"
    console_sign_in(page, server, server.admin)
    open_teams(page)
    expect(page).to_have_url(re.compile(r"#/teams$"))
    users = page.locator("quorum-console-teams table").last
    expect(users).to_be_visible()
    assert "null" not in page.locator("quorum-console-teams").inner_text()  # no stray text
    # The row's buttons sit in the row, not in the portal's sticky bar of the same class name.
    assert users.locator("td span").first.evaluate("e => getComputedStyle(e).position") == "static"

    page.get_by_label("New team").fill(f"squad-{tag}")
    page.get_by_role("button", name="Create team").click()
    squad = page.get_by_role("region", name=f"Team squad-{tag}")
    expect(squad.get_by_text("No members yet.")).to_be_visible()
    picker = squad.get_by_label(f"User to add to squad-{tag}")
    offered = picker.locator("option").all_inner_texts()
    assert f"rita-{tag} (requester)" not in offered  # a team holds workers only
    picker.select_option(label=f"{worker} (worker)")
    squad.get_by_role("button", name=f"Add to squad-{tag}").click()
    expect(squad.locator("ul.members li")).to_have_text([f"{worker} (worker)Remove"])
    crew_card = page.get_by_role("region", name=f"Team crew-{tag}")
    crew_card.get_by_role("button", name=f"Remove {worker} from crew-{tag}").click()
    expect(crew_card.get_by_text("No members yet.")).to_be_visible()
    expect(squad.locator("ul.members li")).to_have_count(1)  # still in the other team

    row = page.locator(f"quorum-console-teams tr:has(td:text-is('{worker}'))")
    row.get_by_role("button", name=f"Disable {worker}").click()
    page.get_by_role("dialog").get_by_role("button", name="Disable").click()
    expect(row.locator("td[data-title='Status']")).to_have_text("disabled")
    assert refused(server, crew.workers[0])  # at once, by a real request
    expect(squad.locator("ul.members li")).to_contain_text(f"{worker} (worker, disabled)")
    row.get_by_role("button", name=f"Enable {worker}").click()
    expect(row.locator("td[data-title='Status']")).to_have_text("active")
    assert viewer(server, crew.workers[0]) == {"data": {"viewer": {"name": worker}}}

    row.get_by_role("button", name=f"Tokens of {worker}").click()
    tokens = page.get_by_role("region", name=f"Tokens of {worker}")
    expect(tokens.locator("tbody tr")).to_have_count(1)
    tokens.get_by_role("button", name="New token").click()
    shown = tokens.get_by_label("New token")
    expect(shown).to_have_value(re.compile(r"^qrm_"))
    expect(tokens).to_contain_text("it is shown only this once")
    plain = shown.input_value()
    assert viewer(server, plain) == {"data": {"viewer": {"name": worker}}}
    expect(tokens.locator("tbody tr")).to_have_count(2)
    tokens.get_by_role("button", name=f"Revoke token ending {plain[-4:]}").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(tokens.locator("tbody tr")).to_have_count(1)
    expect(tokens.get_by_label("New token")).to_have_count(0)  # never shown again
    assert refused(server, plain)
    assert viewer(server, crew.workers[0]) == {"data": {"viewer": {"name": worker}}}


def test_a_requester_manages_members_on_a_phone(server: Server, phone: Page) -> None:
    tag = f"teams-phone-{uuid.uuid4().hex[:6]}"
    crew = Crew.make(server, tag, workers=2)
    console_sign_in(phone, server, crew.requester)
    open_teams(phone)
    assert phone.evaluate(OVERFLOWING) == []
    card = phone.get_by_role("region", name=f"Team crew-{tag}")
    card.get_by_role("button", name=f"Remove worker1-{tag} from crew-{tag}").click()
    expect(card.locator("ul.members li")).to_have_count(1)
    card.get_by_label(f"User to add to crew-{tag}").select_option(label=f"worker1-{tag} (worker)")
    card.get_by_role("button", name=f"Add to crew-{tag}").click()
    expect(card.locator("ul.members li")).to_have_count(2)
    assert phone.evaluate(OVERFLOWING) == []
    # A requester sees the users, but only admins disable them or touch their tokens.
    users = phone.locator("quorum-console-teams .users")
    expect(users).to_contain_text(f"wendy-{tag}")
    expect(users.get_by_role("button", name=re.compile("^(Disable|Tokens)"))).to_have_count(0)
    expect(users).to_contain_text("Admins disable users and manage their tokens.")

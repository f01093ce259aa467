"""Who the worker portal is for, and what it tells the others: a worker outside a job's
team, or one its gold items blocked, who opens its link; a requester or an admin at /work;
and the item a task shows, numbered as the console numbers it ("Item 3 of 6")."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from quorum.testing import write_manifest
from tests.browser.portal import (
    CLAIM,
    MOODS,
    SENTENCES,
    SUBMIT,
    Crew,
    Server,
    after_task,
    enter_token,
    no_more_work,
    open_job,
    shown_text,
    sign_in,
    task_id,
)

pytestmark = pytest.mark.browser

ANSWER_BUTTONS = ("Submit", "Skip", "Release")


def text_job(crew: Crew, name: str, **fields: object) -> str:
    """A text job over SENTENCES, in their order."""
    lines = [{"source": text} for text in SENTENCES]
    return crew.create_job(name, lines, taskType="text-classification", labels=MOODS, **fields)


def no_buttons_but(page: Page, *names: str) -> None:
    """The only buttons on the page are ``names`` (the header's ``?`` and Sign out)."""
    buttons = page.get_by_role("button")
    expect(buttons).to_have_count(len(names))
    expect(buttons).to_have_text(list(names))


def test_a_worker_outside_the_team_is_told_what_to_do_with_no_dead_buttons(
    server: Server, phone: Page
):
    owner = Crew.make(server, "team-owner")
    job_id = text_job(owner, "moods-not-yours")
    outsider = Crew.make(server, "outsider")
    page = phone  # the job's link, sent to someone's phone
    sign_in(page, server, outsider.workers[0])
    page.goto(f"{server.url}/work#/jobs/{job_id}")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "You are not on the team that labels this job. "
        "Ask the job's owner to add you, or pick another job."
    )
    expect(page.locator("quorum-labeling")).not_to_contain_text("workforce")  # no API wording
    expect(page.locator("quorum-labeling")).not_to_contain_text("Not allowed")
    for name in ANSWER_BUTTONS:
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    no_buttons_but(page, "?", "Sign out")
    for button in page.get_by_role("button").all():  # each on one line
        box = button.bounding_box()
        assert box is not None and box["height"] < 50, (button.inner_text(), box)
    expect(page.locator("quorum-instructions")).to_be_hidden()  # no empty box
    page.keyboard.press("Enter")  # no task: keys do nothing either
    alert.get_by_role("link", name="Back to the list of jobs").click()
    expect(page.get_by_role("heading", name="Jobs with work for you")).to_be_visible()
    expect(page.get_by_text("No work for you right now.")).to_be_visible()


@pytest.mark.parametrize("role", ["requester", "admin"])
def test_someone_who_is_not_a_worker_is_pointed_to_the_console(
    server: Server, page: Page, role: str
):
    crew = Crew.make(server, f"not-a-worker-{role}")
    token = crew.requester if role == "requester" else server.admin
    enter_token(page, f"{server.url}/work", token)
    expect(page.get_by_role("heading", name="This portal is for workers")).to_be_visible()
    article = "an" if role == "admin" else "a"
    expect(page.locator("main")).to_contain_text(f", {article} {role}. Workers label tasks here")
    expect(page.get_by_role("alert")).to_have_count(0)  # not an error: the wrong page
    expect(page.locator("main")).not_to_contain_text("availableJobs")
    no_buttons_but(page, "?", "Sign out")
    link = page.get_by_role("link", name="Go to the requester console")
    expect(link).to_have_attribute("href", "/")
    link.click()
    expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()


def test_a_task_names_its_item_as_the_console_does(server: Server, page: Page):
    crew = Crew.make(server, "item-numbers")
    text_job(crew, "moods-numbers")
    sign_in(page, server, crew.workers[0])
    open_job(page, "moods-numbers")
    order = list(SENTENCES)
    seen = []
    for _ in SENTENCES:
        task = task_id(page)
        text = shown_text(page)
        expect(page.locator(".task-meta")).to_contain_text(
            f"Item {order.index(text) + 1} of {len(SENTENCES)}"
        )
        expect(page.locator(".task-meta")).not_to_contain_text(f"Task {task}")
        seen.append(text)
        page.keyboard.press(str(MOODS.index(SENTENCES[text]) + 1))
        page.keyboard.press("Enter")
        after_task(page, task)
    no_more_work(page, "moods-numbers")
    assert sorted(seen) == sorted(order)


def test_a_gold_item_is_numbered_like_any_other(server: Server, page: Page):
    crew = Crew.make(server, "gold-numbers")
    known = [{"source": "A known sentence.", "gold-label": "happy"}]
    gold = write_manifest(server.settings, f"gold-{uuid.uuid4().hex[:6]}", known)
    text_job(crew, "moods-gold", gold={"manifest": gold, "share": 1.0, "minAnswers": 5})
    sign_in(page, server, crew.workers[0])
    open_job(page, "moods-gold")
    numbers = []
    for turn in range(len(SENTENCES) + 1):
        task = task_id(page)
        if turn == 0:  # share 1.0: the gold item comes first
            assert shown_text(page) == "A known sentence."
        meta = page.locator(".task-meta")
        expect(meta).to_contain_text(re.compile(r"Item \d of 4"))  # never "gold", never "5 of 4"
        numbers.append(int(re.search(r"Item (\d) of 4", meta.inner_text()).group(1)))
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        after_task(page, task)
    no_more_work(page, "moods-gold")
    # Every number once, the gold item's among the dataset's (stored after them, as 4).
    assert sorted(numbers) == [1, 2, 3, 4]


def test_a_worker_the_gold_items_blocked_is_told_so_with_no_dead_buttons(
    server: Server, page: Page
):
    crew = Crew.make(server, "gold-blocked")
    known = [{"source": "A known sentence.", "gold-label": "happy"}]
    gold = write_manifest(server.settings, f"gold-{uuid.uuid4().hex[:6]}", known)
    job_id = text_job(crew, "moods-blocked", gold={"manifest": gold, "share": 1.0, "minAnswers": 1})
    task = server.gql(crew.workers[0], CLAIM, {"jobId": job_id})["claimTask"]
    assert task["input"]["taskObject"] == "A known sentence."
    server.gql(crew.workers[0], SUBMIT, {"id": task["id"], "answer": {"label": "sad"}})
    sign_in(page, server, crew.workers[0])
    page.goto(f"{server.url}/work#/jobs/{job_id}")
    expect(page.get_by_role("alert")).to_contain_text(
        "You get no more tasks of this job: too few of your answers to its known-answer "
        "questions were right. Pick another job."
    )
    no_buttons_but(page, "?", "Sign out")
    expect(page.get_by_role("link", name="Back to the list of jobs")).to_be_visible()

"""A job's own keyboard shortcuts and examples reach the worker's screen: rebound keys
label, move, skip and submit; the `?` list shows the job's keys; examples show with the
full instructions."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    DIGITS,
    Crew,
    Server,
    check_shortcuts,
    digit_lines,
    start_labeling,
    stored_tasks,
    task_id,
)

pytestmark = pytest.mark.browser


def test_a_jobs_own_keys_and_examples(server: Server, page: Page):
    crew = Crew.make(server, "keys")
    lines = digit_lines(server.settings, [1, 3, 0])
    example = lines[0]["source-ref"]
    job_id = start_labeling(
        page,
        crew,
        "digits-keys",
        lines,
        taskType="image-classification",
        labels=DIGITS,
        instructions="Home row keys: a s d f.",
        shortcuts={"labels": ["a", "s", "d", "f"], "submit": "Space", "skip": "k"},
        examples=[{"label": "one", "image": example, "note": "a single stroke"}],
    )
    first = task_id(page)
    page.get_by_text("Full instructions and examples").click()
    figure = page.locator("quorum-instructions figure.example")
    expect(figure).to_contain_text("one — a single stroke")
    assert figure.locator("img").evaluate("image => image.naturalWidth") > 0  # signed URL works
    check_shortcuts(page, "a s d f", "Pick the category with that key", "Skip: hand the task back")
    page.keyboard.press("k")  # skip asks first: a stray key declines nothing
    expect(page.get_by_role("button", name="Skip this task? Press again")).to_be_visible()
    page.keyboard.press("k")  # skip: this task goes to others, another one comes
    expect(page.locator(f"quorum-labeling:not([data-task-id='{first}'])")).to_be_visible()
    answered = task_id(page)
    page.keyboard.press("s")  # "one"
    expect(page.get_by_role("radio", name="one", exact=True)).to_be_checked()
    page.keyboard.press("Tab")  # the default move still works: "two"
    expect(page.get_by_role("radio", name="two", exact=True)).to_be_checked()
    page.keyboard.press("1")  # no longer a label key on this job: nothing changes
    expect(page.get_by_role("radio", name="two", exact=True)).to_be_checked()
    page.keyboard.press("Space")  # this job's submit key
    expect(page.locator(f"quorum-labeling:not([data-task-id='{answered}'])")).to_be_visible()
    stored = stored_tasks(server.settings, job_id)
    assert stored[answered] == ("SUBMITTED", {"label": "two"})
    assert stored[first][0] == "DECLINED"

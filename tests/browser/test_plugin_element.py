"""A third-party task type brings its own labeling element: the portal imports it from
/elements/<task type>.js and labels with it like with its own. The task type is the
example plugin package's ``star-rating`` (examples/quorum-example-plugins), installed into
the test environment: the server finds it through its entry point."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    Crew,
    Server,
    check_shortcuts,
    no_more_work,
    start_labeling,
    stored_tasks,
    task_id,
)

pytestmark = pytest.mark.browser

STARS = ["awful", "poor", "fine", "good", "great"]


def test_a_plugins_element_labels_its_task_type(server: Server, page: Page):
    module = httpx.get(f"{server.url}/elements/star-rating.js")
    assert module.status_code == 200
    assert module.headers["content-type"].startswith("text/javascript")
    assert httpx.get(f"{server.url}/elements/text-classification.js").status_code == 404
    crew = Crew.make(server, "stars")
    job_id = start_labeling(
        page,
        crew,
        "stars",
        [{"source": "Arrived early, works well."}],
        taskType="star-rating",
        labels=STARS,
    )
    task = task_id(page)
    expect(page.locator("acme-star-rating .rated-text")).to_have_text("Arrived early, works well.")
    page.keyboard.press("4")
    expect(page.get_by_role("radio", name="good")).to_have_attribute("aria-checked", "true")
    check_shortcuts(page, "Give that many stars")
    page.get_by_role("button", name="Submit", exact=True).click()
    no_more_work(page, "stars")
    assert stored_tasks(server.settings, job_id)[task] == ("SUBMITTED", {"label": "good"})
    (line,) = crew.output(job_id)
    assert line["stars"] == 3 and line["stars-metadata"]["class-name"] == "good"

"""A job's own Liquid template, ported from Ground Truth: rendered by the server, shown in a
sandboxed frame, filled in and submitted by a worker; the answer and the output line are
what the form held, and the template cannot reach the worker's session."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    DIGITS,
    Crew,
    Server,
    digit_lines,
    screenshot,
    start_labeling,
    stored_tasks,
    task_id,
)

pytestmark = pytest.mark.browser

#: A Ground Truth custom template, as it would be written for Ground Truth.
TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <h3>{{ task.input.manifestLine.question }}</h3>
  <img id="digit" src="{{ task.input.taskObject | grant_read_access }}" width="96">
  <crowd-image-classifier name="digit" categories='{{ task.input.manifestLine.choices | to_json }}'
      src="{{ task.input.taskObject | grant_read_access }}" header="Which digit?">
  </crowd-image-classifier>
  <crowd-input name="confidence" label="How sure are you (0-100)?" type="number" required>
  </crowd-input>
  <crowd-checkbox name="blurry">The image is blurry</crowd-checkbox>
  <label>Notes <textarea name="notes"></textarea></label>
</crowd-form>
"""


def frame_of(page: Page):
    frame = page.frame_locator("quorum-template-frame iframe")
    expect(frame.locator("crowd-form")).to_be_visible()
    return frame


def test_a_ground_truth_custom_template_is_rendered_and_submitted(server: Server, page: Page):
    crew = Crew.make(server, "custom")
    lines = [
        {**line, "question": "Look at <b>this</b> digit", "choices": DIGITS}
        for line in digit_lines(server.settings, [2])
    ]
    job_id = start_labeling(
        page, crew, "custom-digits", lines, taskType="custom", labels=[], template=TEMPLATE
    )
    task = task_id(page)
    frame = frame_of(page)
    # Liquid ran on the server: the question is escaped text, the image a signed URL.
    expect(frame.get_by_role("heading")).to_have_text("Look at <b>this</b> digit")
    src = frame.locator("img#digit").get_attribute("src")
    assert src and src.startswith("/objects/") and "signature=" in src
    two = frame.get_by_role("radio", name="two", exact=True)  # our crowd element
    two.click()
    frame.get_by_role("button", name="Submit").click()  # "How sure" is required: not yet
    page.wait_for_timeout(500)  # time enough for a submit that should not happen
    expect(page.locator(f"quorum-labeling[data-task-id='{task}']")).to_be_visible()
    assert stored_tasks(server.settings, job_id)[task][0] == "ASSIGNED"
    frame.get_by_label("How sure are you (0-100)?").fill("90")
    blurry = frame.get_by_label("The image is blurry")
    blurry.press("Space")  # the keyboard: no coordinates to go stale while the frame resizes
    expect(blurry).to_be_checked()
    frame.get_by_label("Notes").fill("thin stroke")
    screenshot(page, "custom-template")
    frame.get_by_role("button", name="Submit").click()  # the form's own Submit
    expect(page.locator("quorum-job-list")).to_be_visible()  # no more work: back to the list
    expected = {
        "digit": {"label": "two"},
        "confidence": 90,
        "blurry": {"on": True},
        "notes": "thin stroke",
    }
    assert stored_tasks(server.settings, job_id)[task] == ("SUBMITTED", expected)
    (line,) = crew.output(job_id)
    assert line["custom-digits"] == expected
    assert line["custom-digits-metadata"]["type"] == "groundtruth/custom"
    assert line["digit"] == 2  # the manifest line's own keys pass through


def test_the_template_cannot_use_the_workers_session(server: Server, page: Page):
    crew = Crew.make(server, "sandbox")
    spy = """<crowd-form><p id="out">waiting</p></crowd-form>
<script>
  let cookies;
  try { cookies = document.cookie; } catch (error) { cookies = "blocked: " + error.name; }
  fetch("/graphql", {method: "POST", credentials: "include",
         headers: {"Content-Type": "application/json"},
         body: JSON.stringify({query: "{ viewer { name } }"})})
    .then(r => r.json()).then(body => JSON.stringify(body)).catch(e => "failed: " + e.name)
    .then(result => { document.getElementById("out").textContent = cookies + " | " + result; });
</script>"""
    start_labeling(
        page, crew, "custom-spy", [{"source": "x"}], taskType="custom", labels=[], template=spy
    )
    out = page.frame_locator("quorum-template-frame iframe").locator("#out")
    expect(out).not_to_have_text("waiting", timeout=10_000)
    text = out.inner_text()
    assert text.startswith("blocked: SecurityError"), text  # no cookies in an opaque origin
    assert "wendy" not in text and '"viewer"' not in text, text  # and no API as the worker

"""What the requester console tells a requester before and after a job is created: every
refused field at once, bad manifest lines at upload, a warning when the team is smaller
than workersPerItem, a failed job run again with a fixed manifest, one numbering of items
across the screens; and the console on a phone, and a favicon on every page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Response, expect

from quorum.testing import write_manifest
from tests.browser.portal import MOODS, SENTENCES, Crew, Server
from tests.browser.test_console import console_sign_in, counter, mood, open_job_page

pytestmark = pytest.mark.browser

#: Nothing on the page may stick out past the right edge of the viewport.
OVERFLOWING = """() => [...document.querySelectorAll("body *")]
    .filter((node) => node.getBoundingClientRect().right > innerWidth + 1)
    .map((node) => `${node.tagName.toLowerCase()}.${node.className}`)"""


def sentences(path: Path, *extra: str) -> Path:
    """A manifest of SENTENCES with ``extra`` raw lines after them."""
    lines = [json.dumps({"source": text}) for text in SENTENCES]
    path.write_text("".join(line + "\n" for line in [*lines, *extra]))
    return path


def field_error(page: Page, field: str) -> str:
    """The message shown beside a form field."""
    return page.locator(f".field[data-for='{field}'] .field-error").inner_text()


def test_the_console_fits_a_phone(server: Server, phone: Page) -> None:
    crew = Crew.make(server, "console-phone")
    lines = [{"source": text} for text in SENTENCES]
    job_id = crew.create_job(
        "a-job-with-a-rather-long-name", lines, labels=MOODS, taskType="text-classification"
    )
    console_sign_in(phone, server, crew.requester)
    nav = phone.get_by_role("navigation", name="Console").get_by_role("link")
    expect(nav).to_have_text(["Jobs", "New job", "Teams"])  # all three, side by side
    assert len({box["y"] for box in (link.bounding_box() for link in nav.all()) if box}) == 1
    for part in phone.locator("header.bar a, header.bar button").all():
        if part.is_visible():  # each on one line: readable, not a letter a line
            box = part.bounding_box()
            assert box is not None and box["height"] < 50, (part.inner_text(), box)
    assert phone.evaluate(OVERFLOWING) == []
    row = phone.locator(f"[data-key='{job_id}']")
    expect(row).to_contain_text("0 / 3 labeled")
    expect(row).to_contain_text("in progress")
    link = row.get_by_role("link", name="a-job-with-a-rather-long-name")
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # on screen, no sideways scroll
    link.click()
    expect(counter(phone, "total")).to_have_text("3")
    expect(phone.locator("quorum-audit-trail tbody tr").first).to_be_visible()
    assert phone.evaluate(OVERFLOWING) == []
    phone.goto(f"{server.url}/#/new")
    expect(phone.get_by_role("button", name="Create job")).to_be_visible()
    assert phone.evaluate(OVERFLOWING) == []


def test_an_empty_form_shows_every_error_at_once(server: Server, page: Page) -> None:
    crew = Crew.make(server, "empty-form")
    console_sign_in(page, server, crew.requester)
    page.goto(f"{server.url}/#/new")
    for label in ("Name", "Labels", "…or its storage URL", "Team"):
        expect(page.get_by_label(label, exact=True)).to_have_attribute("aria-required", "true")
    expect(page.locator(".field[data-for='name'] .required")).to_have_text("required")
    page.get_by_label("Team", exact=True).select_option("")
    page.get_by_role("button", name="Create job").click()  # one try
    expect(page.locator("#job-error")).to_contain_text("4 fields need fixing")
    for field in ("name", "labels", "inputManifest", "teamId"):
        control = page.locator(f"[data-field='{field}']")
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f".field[data-for='{field}'] .field-error")).to_be_visible()
    assert field_error(page, "name").startswith("required")
    assert "needs at least 2 label categories" in field_error(page, "labels")
    assert "upload a manifest or give its storage URL" in field_error(page, "inputManifest")
    assert "needs a team" in field_error(page, "teamId")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()  # the first to fix
    page.get_by_label("Name", exact=True).fill("fixed")
    expect(page.locator(".field[data-for='name'] .field-error")).to_be_hidden()
    assert page.url.endswith("#/new")


def test_an_upload_with_bad_lines_shows_them_before_creating(
    server: Server, page: Page, tmp_path: Path
) -> None:
    crew = Crew.make(server, "bad-lines")
    console_sign_in(page, server, crew.requester)
    page.goto(f"{server.url}/#/new")
    page.get_by_label("Task type").select_option("text-classification")
    bad = sentences(tmp_path / "bad.manifest", '{"source": "unclosed"', '["a list"]')
    page.get_by_label("Upload a manifest (JSON Lines)").set_input_files(str(bad))
    problems = page.locator(".line-errors li")
    expect(problems).to_have_text(
        [
            "Line 4: not valid JSON (Expecting ',' delimiter at column 22)",
            "Line 5: must be a JSON object, got list",
        ]
    )
    expect(page.get_by_label("…or its storage URL")).to_have_value("")  # nothing to create
    good = sentences(tmp_path / "good.manifest")
    page.get_by_label("Upload a manifest (JSON Lines)").set_input_files(str(good))
    expect(page.get_by_text("Uploaded good.manifest")).to_contain_text("all 3 lines checked")
    expect(problems).to_have_count(0)
    expect(page.get_by_label("…or its storage URL")).to_have_value(
        re.compile(r"/uploads/.+good\.manifest$")
    )
    # The same file does not suit another task type: it is checked again for it.
    page.get_by_label("Task type").select_option("image-classification")
    expect(problems.first).to_contain_text("Line 1: image-classification needs an object URL")
    expect(page.get_by_label("…or its storage URL")).to_have_value("")


def test_more_workers_per_item_than_the_team_warns(server: Server, page: Page) -> None:
    crew = Crew.make(server, "small-team", workers=2)
    console_sign_in(page, server, crew.requester)
    page.goto(f"{server.url}/#/new")
    page.get_by_label("Name", exact=True).fill("three-of-two")
    page.get_by_label("Task type").select_option("text-classification")
    page.get_by_label("Labels", exact=True).fill("happy\nsad")
    manifest = write_manifest(server.settings, "three-of-two.manifest", [{"source": "fine"}])
    page.get_by_label("…or its storage URL").fill(manifest)
    page.get_by_label("Team", exact=True).select_option(crew.team_id)
    page.get_by_label("Workers per item").fill("3")
    page.get_by_role("button", name="Create job").click()
    expect(page.get_by_role("heading", name="three-of-two")).to_be_visible()
    warning = page.locator(".job-warnings")
    expect(warning).to_contain_text(
        "workersPerItem is 3 but team crew-small-team has 2 workers; items will be finished "
        "with the answers the team can give"
    )
    page.reload()
    expect(warning).to_contain_text("workersPerItem is 3")  # the job page keeps saying it


def test_a_failed_job_runs_again_with_a_fixed_manifest(
    server: Server, page: Page, tmp_path: Path
) -> None:
    crew = Crew.make(server, "again")
    bad = write_manifest(
        server.settings, "again-bad.manifest", [{"source": "fine"}, "not json at all"]
    )
    failed = crew.server.gql(
        crew.requester,
        "mutation($input: CreateJobInput!) { createJob(input: $input) { id } }",
        {
            "input": {
                "name": "moods-again",
                "taskType": "text-classification",
                "labels": MOODS,
                "inputManifest": bad,
                "teamId": crew.team_id,
                "instructions": "How does it feel?",
                "workersPerItem": 1,
                "pricePerTask": 0.02,
            }
        },
    )["createJob"]["id"]
    crew.wait_for(failed, "FAILED")
    console_sign_in(page, server, crew.requester)
    open_job_page(page, server, failed)
    expect(page.locator(".failure")).to_contain_text("line 2: not valid JSON")
    page.get_by_role("link", name="Run again").click()
    expect(page.get_by_text("Run again: the settings of moods-again")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("moods-again-2")
    expect(page.get_by_label("Labels", exact=True)).to_have_value("happy\nsad")
    expect(page.get_by_label("Short instructions")).to_have_value("How does it feel?")
    expect(page.get_by_label("Team", exact=True)).to_have_value(crew.team_id)
    expect(page.get_by_label("Price per task")).to_have_value("0.02")
    expect(page.get_by_label("…or its storage URL")).to_have_value("")  # a new manifest
    page.get_by_label("Upload a manifest (JSON Lines)").set_input_files(
        str(sentences(tmp_path / "fixed.manifest"))
    )
    expect(page.get_by_text("Uploaded fixed.manifest")).to_be_visible()
    page.get_by_role("button", name="Create job").click()
    expect(page.get_by_role("heading", name="moods-again-2")).to_be_visible()
    expect(page.locator("quorum-job-page")).to_have_attribute("data-status", "IN_PROGRESS")
    expect(counter(page, "total")).to_have_text("3")


def test_items_have_one_number_across_the_screens(server: Server, page: Page) -> None:
    crew = Crew.make(server, "numbers")
    lines = [{"source": text} for text in SENTENCES]
    job_id = crew.create_job("numbered", lines, labels=MOODS, taskType="text-classification")
    crew.answer(job_id, mood)
    crew.wait_for(job_id, "COMPLETED")
    console_sign_in(page, server, crew.requester)
    open_job_page(page, server, job_id)
    figures = page.locator("quorum-sample figure.sample-item")
    expect(figures).to_have_count(3)
    expect(figures.locator("figcaption")).to_contain_text(
        ["Item 1 of 3", "Item 2 of 3", "Item 3 of 3"]
    )
    trail = page.locator("quorum-audit-trail")
    for figure in figures.all():
        text = figure.locator(".source-text").inner_text()
        number = re.search(r"Item (\d) of 3", figure.locator("figcaption").inner_text())
        assert number is not None
        position = list(SENTENCES).index(text)
        assert number.group(1) == str(position + 1)  # the manifest line
        for action in ("task.claimed", "task.submitted", "item.labeled"):
            rows = trail.locator(f"tr[data-action='{action}']").filter(
                has_text=f"item {number.group(1)} of 3"
            )
            expect(rows).to_have_count(1)
    entities = trail.locator("tr td.entity").all_inner_texts()
    assert not [text for text in entities if re.fullmatch(r"(item|task) \d+", text)]
    numbers = trail.locator("tr td.num").all_inner_texts()
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]  # never empty


def test_every_page_has_a_favicon(server: Server, page: Page) -> None:
    missing: list[str] = []

    def on_response(response: Response) -> None:
        if response.status == 404:
            missing.append(response.url)

    page.on("response", on_response)
    for path in ("/", "/work"):
        page.goto(f"{server.url}{path}")
        page.wait_for_load_state("networkidle")
        href = page.locator("link[rel='icon']").get_attribute("href")
        assert href, path
        icon = httpx.get(f"{server.url}{href}")
        assert icon.status_code == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")
    assert missing == []


def test_items_waiting_for_a_worker_are_explained(server: Server, page: Page) -> None:
    crew = Crew.make(server, "nobody", workers=0)  # a team with nobody in it
    lines = [{"source": text} for text in SENTENCES]
    job_id = crew.create_job("waiting-job", lines, labels=MOODS, taskType="text-classification")
    console_sign_in(page, server, crew.requester)
    open_job_page(page, server, job_id)
    expect(page.locator(".job-warnings")).to_contain_text(
        "team crew-nobody has no workers who may take its tasks; items wait until one joins"
    )
    waiting = page.locator("p.waiting")
    expect(waiting).to_contain_text("3 items are waiting for a worker.")
    expect(waiting).to_contain_text("Add workers to the team")

"""The requester console at ``/``: a requester uploads a manifest and creates a job through
the form, watches it move live (jobProgress over graphql-transport-ws) while workers
answer through GraphQL, and sees counters, cost, worker stats, the audit trail and a
sample of labeled items drawn with their labels (classes, boxes, masks, spans); a refused
createJob shows the server's message; a job is stopped."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, WebSocket, expect

from quorum.testing import write_manifest
from tests.browser.portal import (
    MOODS,
    SENTENCES,
    Crew,
    Server,
    digit_lines,
    enter_token,
    screenshot,
)

pytestmark = pytest.mark.browser


def mood(task: dict[str, Any]) -> dict[str, str]:
    """The right answer to a task of SENTENCES."""
    return {"label": SENTENCES[task["input"]["taskObject"]]}


def console_sign_in(page: Page, server: Server, token: str) -> None:
    """Open the console and sign in with ``token``; waits for the list of jobs."""
    enter_token(page, f"{server.url}/", token)
    expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
    expect(page.locator("quorum-console-jobs[aria-busy]")).to_have_count(0)


def open_job_page(page: Page, server: Server, job_id: str) -> None:
    page.goto(f"{server.url}/#/jobs/{job_id}")


def counter(page: Page, name: str) -> Locator:
    return page.locator(f"quorum-job-page dd[data-counter='{name}']")


def progress_frames(page: Page) -> list[dict[str, Any]]:
    """Collects the jobProgress payloads the page receives over its websocket."""
    frames: list[dict[str, Any]] = []

    def on_socket(socket: WebSocket) -> None:
        def on_frame(payload: str | bytes) -> None:
            message = json.loads(payload)
            if message.get("type") == "next":
                frames.append(message["payload"]["data"]["jobProgress"])

        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    return frames


def until(page: Page, condition: Callable[[], bool], timeout: float = 20) -> None:
    """Wait (letting the page's events run) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


def test_a_requester_creates_a_job_and_watches_it_live(
    server: Server, page: Page, tmp_path: Path
) -> None:
    crew = Crew.make(server, "console", workers=2)
    manifest = tmp_path / "moods.manifest"
    manifest.write_text("".join(json.dumps({"source": text}) + "\n" for text in SENTENCES))
    frames = progress_frames(page)
    console_sign_in(page, server, crew.requester)
    expect(page.get_by_text("No jobs yet.")).to_be_visible()

    page.get_by_role("link", name="New job").first.click()
    page.get_by_label("Name", exact=True).fill("moods-console")
    page.get_by_label("Task type").select_option("text-classification")
    consensus = page.get_by_label("Consensus")
    expect(consensus.locator("option").first).to_have_text("Default (dawid-skene)")
    offered = consensus.locator("option").all_inner_texts()
    assert {"dawid-skene", "dawid-skene-gt", "majority-vote", "weighted-majority"} <= set(offered)
    assert not {"box-iou", "span-cluster", "pixel-vote", "multi-label-vote"} & set(
        offered
    )  # single labels only
    page.get_by_label("Labels", exact=True).fill("happy\nsad\n")
    page.get_by_label("Short instructions").fill("How does the sentence feel?")
    page.get_by_label("Full instructions").fill("Happy: good news, joy.\nSad: loss, grief.")
    page.get_by_label("Upload a manifest (JSON Lines)").set_input_files(str(manifest))
    expect(page.get_by_text("Uploaded moods.manifest")).to_be_visible()
    expect(page.get_by_label("…or its storage URL")).to_have_value(
        re.compile(r"/uploads/.+moods\.manifest$")
    )
    page.get_by_label("Team").select_option(crew.team_id)
    page.get_by_label("Workers per item").fill("2")
    consensus.select_option("majority-vote")
    page.get_by_label("Price per task").fill("0.05")
    auto_labeling = page.get_by_label("Let a model label the items it is sure of")
    model = page.get_by_label("Model", exact=True)
    expect(model).to_have_value("text-tfidf-logistic")  # the autoLabelers that fit
    expect(model).to_be_disabled()
    auto_labeling.check()
    expect(model).to_be_enabled()
    auto_labeling.uncheck()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "console-new-job")
    page.get_by_role("button", name="Create job").click()

    expect(page.get_by_role("heading", name="moods-console")).to_be_visible()
    job_id = page.url.rsplit("/", 1)[-1]
    job_page = page.locator("quorum-job-page")
    expect(job_page).to_have_attribute("data-status", "IN_PROGRESS")
    expect(counter(page, "total")).to_have_text("3")
    expect(page.locator(".live")).to_have_text("Live")

    # The list shows it, and leads back to it.
    page.get_by_role("link", name="← Jobs").click()
    row = page.locator(f"tr[data-key='{job_id}']")
    expect(row.get_by_role("link", name="moods-console")).to_be_visible()
    expect(row).to_contain_text("text-classification")
    expect(row).to_contain_text("in progress")
    expect(row).to_contain_text("0 / 3 labeled")
    row.get_by_role("link", name="moods-console").click()
    expect(counter(page, "humanLabeled")).to_have_text("0")
    expect(page.locator(".live")).to_have_text("Live")
    page.evaluate("window.stillTheSamePage = true")

    # Both workers answer the first two items through GraphQL: the page moves live.
    answered = crew.answer(job_id, mood, items=2)
    assert len(answered) == 4
    expect(counter(page, "humanLabeled")).to_have_text("2")
    expect(counter(page, "unlabeled")).to_have_text("1")
    until(page, lambda: any(frame["humanLabeled"] == 2 for frame in frames))  # pushed live
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator(".percent")).to_have_text("66.7%")
    expect(page.locator("dd[data-cost='workforce']")).to_have_text("$0.20")  # 4 answers x 0.05
    expect(page.locator("dd[data-cost='total']")).to_have_text("$0.20")
    workers = page.locator(".workers-card tbody tr")
    expect(workers).to_have_count(2)
    expect(workers.filter(has_text="wendy-console")).to_contain_text("2")
    submitted = page.locator("quorum-audit-trail tr[data-action='task.submitted']")
    expect(submitted).to_have_count(4)
    expect(submitted.filter(has_text="wendy-console")).to_have_count(2)  # actors by name
    expect(page.locator("quorum-audit-trail tr[data-action='job.created']")).to_have_count(1)
    sample = page.locator("quorum-sample figure.sample-item")
    expect(sample).to_have_count(2)
    for figure in sample.all():
        text = figure.locator(".source-text").inner_text()
        expect(figure.locator(".chip")).to_have_text(SENTENCES[text])
        expect(figure.locator("figcaption")).to_contain_text("labeled by people")
    expect(page.locator(".output-card")).to_contain_text("Written when the job completes")
    screenshot(page, "console-job")

    # The last item: the job completes and its output manifest is offered.
    crew.answer(job_id, mood)
    expect(job_page).to_have_attribute("data-status", "COMPLETED")
    expect(page.locator(".status").first).to_have_text("completed")
    expect(page.locator(".live")).to_be_hidden()  # the status says it once
    expect(counter(page, "humanLabeled")).to_have_text("3")
    expect(sample).to_have_count(3)
    output = crew.job(job_id)["outputManifest"]
    expect(page.locator(".output-card code.output-manifest")).to_have_text(output)
    expect(page.get_by_role("button", name="Stop job")).to_be_hidden()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the output manifest").click()
    path = download.value.path()
    lines = [json.loads(line) for line in Path(path).read_text().splitlines()]
    assert lines == crew.output(job_id)
    assert [line["moods-console-metadata"]["class-name"] for line in lines] == list(
        SENTENCES.values()
    )


def test_a_refused_job_shows_the_servers_message_by_its_field(server: Server, page: Page) -> None:
    crew = Crew.make(server, "refused")
    console_sign_in(page, server, crew.requester)
    page.goto(f"{server.url}/#/new")
    name = page.get_by_label("Name", exact=True)
    name.fill("not a valid name!")
    page.get_by_label("Task type").select_option("text-classification")
    page.get_by_label("Labels", exact=True).fill("happy\nsad")
    page.get_by_label("…or its storage URL").fill("file:///nowhere/at/all.manifest")
    page.get_by_label("Team").select_option(crew.team_id)
    page.get_by_role("button", name="Create job").click()
    alert = page.locator("#job-error")
    expect(alert).to_contain_text("2 fields need fixing; each says why beside it.")
    url = page.get_by_label("…or its storage URL")
    expect(page.locator(".field[data-for='name'] .field-error")).to_contain_text(
        "'not a valid name!' must be 1-63 letters"
    )
    expect(page.locator(".field[data-for='inputManifest'] .field-error")).to_contain_text(
        "'file:///nowhere/at/all.manifest' is outside"
    )
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()  # the first of them

    name.fill("fine-name")
    expect(name).not_to_have_attribute("aria-invalid", "true")
    expect(url).to_have_attribute("aria-invalid", "true")

    url.fill(write_manifest(server.settings, "refused.manifest", [{"source": "fine"}]))
    page.get_by_label("Workers per item").fill("12")
    page.get_by_role("button", name="Create job").click()
    expect(alert).to_contain_text("workersPerItem: must be between 1 and 9, got 12")
    expect(page.get_by_label("Workers per item")).to_be_focused()

    page.get_by_label("Workers per item").fill("1")
    page.get_by_label("Task type").select_option("bounding-box")
    expect(page.get_by_label("Consensus").locator("option")).to_have_text(
        ["Default (box-iou)", "box-iou", "median-box"]  # median-box: examples/ plugin package
    )
    expect(page.locator("fieldset.auto-labeling")).to_be_hidden()  # no model fits boxes
    page.get_by_label("Labels", exact=True).fill("")
    page.get_by_role("button", name="Create job").click()
    expect(alert).to_contain_text("labels: bounding-box needs at least 1 label")
    expect(page.get_by_label("Labels", exact=True)).to_be_focused()
    assert page.url.endswith("#/new")  # nothing was created
    assert (
        crew.server.gql(crew.requester, "query { jobs { edges { node { id } } } }")["jobs"]["edges"]
        == []
    )


def test_a_requester_stops_a_job(server: Server, page: Page) -> None:
    crew = Crew.make(server, "stopper")
    lines = [{"source": text} for text in SENTENCES]
    job_id = crew.create_job("moods-stopped", lines, taskType="text-classification", labels=MOODS)
    crew.answer(job_id, mood, items=1)
    console_sign_in(page, server, crew.requester)
    page.get_by_role("link", name="moods-stopped").focus()
    page.keyboard.press("Enter")  # the keyboard works the console as the mouse does
    expect(counter(page, "humanLabeled")).to_have_text("1")

    stop = page.get_by_role("button", name="Stop job")
    stop.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Stop “moods-stopped”?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Keep it running")).to_be_focused()
    page.keyboard.press("Escape")  # the safe answer
    expect(dialog).to_have_count(0)
    expect(stop).to_be_focused()
    assert crew.job(job_id)["status"] == "IN_PROGRESS"

    stop.click()
    page.get_by_role("dialog").get_by_role("button", name="Stop job").click()
    job_page = page.locator("quorum-job-page")
    expect(job_page).to_have_attribute("data-status", "STOPPED")
    expect(stop).to_be_hidden()
    expect(page.locator(".status").first).to_have_text("stopped")
    expect(page.locator("quorum-audit-trail tr[data-action='job.stopping']")).to_have_count(1)
    output = crew.wait_for(job_id, "STOPPED")["outputManifest"]
    assert output
    expect(page.locator(".output-card code.output-manifest")).to_have_text(output)


def test_the_sample_draws_boxes_over_the_image(server: Server, page: Page) -> None:
    crew = Crew.make(server, "console-boxes")
    job_id = crew.create_job(
        "digit-boxes",
        digit_lines(server.settings, [3]),
        taskType="bounding-box",
        labels=["stroke", "blank"],
    )
    boxes = [
        {"label": "stroke", "left": 8, "top": 4, "width": 40, "height": 52},
        {"label": "blank", "left": 50, "top": 30, "width": 12, "height": 20},
    ]
    image = {"width": 64, "height": 64}
    crew.answer(job_id, lambda _task: {"boundingBoxes": boxes, "inputImageProperties": image})
    crew.wait_for(job_id, "COMPLETED")
    console_sign_in(page, server, crew.requester)
    open_job_page(page, server, job_id)

    drawing = page.locator("quorum-sample svg.boxes")
    expect(drawing).to_have_attribute("viewBox", "0 0 64 64")
    rects = drawing.locator("rect")
    expect(rects).to_have_count(2)
    drawn = sorted(
        (
            rect.evaluate("r => r.parentNode.dataset.label"),
            *(float(rect.get_attribute(name) or "nan") for name in ("x", "y", "width", "height")),
        )
        for rect in rects.all()
    )
    assert drawn == sorted(
        (box["label"], box["left"], box["top"], box["width"], box["height"]) for box in boxes
    )
    # The image itself is drawn under the boxes, fetched through its signed URL.
    href = drawing.locator("image").get_attribute("href")
    assert href and "/objects/" in href
    size = drawing.evaluate(
        "s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height]"
    )
    assert size[0] > 100 and abs(size[0] - size[1]) < 1  # square, as the image


def png_mask(width: int, height: int, color: tuple[int, int, int]) -> str:
    """A base64 RGBA PNG: the left half painted ``color``, the rest transparent."""
    mask = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    mask.paste((*color, 255), (0, 0, width // 2, height))
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_the_sample_overlays_masks_and_highlights_spans(server: Server, page: Page) -> None:
    crew = Crew.make(server, "masks")
    mask_job = crew.create_job(
        "digit-masks",
        digit_lines(server.settings, [5]),
        taskType="semantic-segmentation",
        labels=["ink"],
    )
    painted = {
        "labeledImage": {"pngImageData": png_mask(64, 64, (255, 127, 14))},
        "labelMappings": {"ink": {"color": "#ff7f0e"}},
        "inputImageProperties": {"width": 64, "height": 64},
    }
    crew.answer(mask_job, lambda _task: painted)
    text = "Ada Lovelace wrote to Charles Babbage in London. <b>1843</b>"
    span_job = crew.create_job(
        "people-places",
        [{"source": text}],
        taskType="named-entity-recognition",
        labels=["person", "place"],
    )
    entities = [
        {"label": "person", "startOffset": 0, "endOffset": 12},
        {"label": "person", "startOffset": 22, "endOffset": 37},
        {"label": "place", "startOffset": 41, "endOffset": 47},
    ]
    crew.answer(span_job, lambda _task: {"entities": entities})
    crew.wait_for(mask_job, "COMPLETED")
    crew.wait_for(span_job, "COMPLETED")
    console_sign_in(page, server, crew.requester)

    open_job_page(page, server, mask_job)
    mask = page.locator("quorum-sample img.mask")
    expect(mask).to_have_count(1)
    page.wait_for_function(
        "() => [...document.querySelectorAll('quorum-sample img')]"
        ".every(i => i.complete && i.naturalWidth === 64)"
    )
    assert mask.evaluate("m => getComputedStyle(m).mixBlendMode") == "multiply"
    expect(page.locator("quorum-sample .label-mask .chip")).to_have_text(["ink"])

    open_job_page(page, server, span_job)
    marks = page.locator("quorum-sample mark")
    expect(marks).to_have_text(["Ada Lovelace", "Charles Babbage", "London"])
    assert [mark.get_attribute("data-label") for mark in marks.all()] == [
        "person",
        "person",
        "place",
    ]
    expect(page.locator("quorum-sample .source-text")).to_have_text(text)  # as text
    expect(page.locator("quorum-sample b")).to_have_count(0)


def test_a_worker_is_pointed_to_the_portal(server: Server, page: Page) -> None:
    crew = Crew.make(server, "lost")
    enter_token(page, f"{server.url}/", crew.workers[0])
    expect(page.get_by_role("heading", name="This console is for requesters")).to_be_visible()
    expect(page.get_by_role("link", name="Go to the worker portal")).to_have_attribute(
        "href", "/work"
    )
    expect(page.get_by_role("navigation")).to_be_hidden()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API token")).to_be_visible()

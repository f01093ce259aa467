"""A label has one colour everywhere: the box a worker draws with a job's first label has
the colour the requester's console draws that label's boxes with in the job's sample."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.boxes import BoxScreen
from tests.browser.portal import Crew, Server, after_task, digit_lines, start_labeling, task_id
from tests.browser.test_console import console_sign_in, open_job_page

pytestmark = pytest.mark.browser

#: The colour painted on the label tag of the element's box ``index``, as "#rrggbb": a
#: pixel of the tag's fill, left of its text and above the box's corner handle.
TAG_COLOR = """([element, index]) => {
  const canvas = element.shadowRoot.querySelector("canvas");
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  const box = element.value.boundingBoxes[index];
  const view = element.view;
  const corner = {x: box.left * view.scale + view.offsetX, y: box.top * view.scale + view.offsetY};
  const y = corner.y >= 16 ? corner.y - 12 : corner.y + 4;
  const pixel = canvas.getContext("2d").getImageData(
    Math.round((corner.x + 2) * ratio), Math.round(y * ratio), 1, 1).data;
  return "#" + [...pixel.slice(0, 3)].map(c => c.toString(16).padStart(2, "0")).join("");
}"""

#: Resolves once two frames were painted (the element paints its boxes once per frame).
FRAMES = "() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))"


def test_a_box_has_its_labels_colour_while_drawn_and_in_the_console(server: Server, page: Page):
    crew = Crew.make(server, "label-colors")
    job_id = start_labeling(
        page,
        crew,
        "label-colors",
        digit_lines(server.settings, [3]),
        taskType="bounding-box",
        labels=["stroke", "blank"],
    )
    screen = BoxScreen(page)
    geo = screen.settle()
    page.keyboard.press("1")  # the first label, index 0
    a, b = geo.to_page(20, 30), geo.to_page(50, 60)
    screen.drag(a, b)
    assert screen.boxes() == [geo.box_from(a, b, "stroke")]
    page.evaluate(FRAMES)
    drawn = page.locator("quorum-labeling crowd-bounding-box").evaluate(
        f"(element, index) => ({TAG_COLOR})([element, index])", 0
    )
    task = task_id(page)
    page.get_by_role("button", name="Submit", exact=True).click()
    after_task(page, task)
    crew.wait_for(job_id, "COMPLETED")

    page.context.clear_cookies()  # the worker's session ends; the requester signs in
    console_sign_in(page, server, crew.requester)
    open_job_page(page, server, job_id)
    rect = page.locator("quorum-sample svg.boxes g.box[data-label='stroke'] rect")
    expect(rect).to_have_count(1)
    assert rect.get_attribute("stroke") == drawn

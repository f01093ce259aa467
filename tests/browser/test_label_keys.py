"""Label keys as Job.shortcuts deals them: digit labels 0-9 on their own keys (key 3
stores "3"), the key cap beside each choice is the key that picks it, and labels that are
no key get the keys 1-9 left over."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    Crew,
    Server,
    after_task,
    assert_submitted,
    check_shortcuts,
    digit_lines,
    shown_image,
    shown_text,
    sign_in,
    start_labeling,
    task_id,
)
from tests.browser.test_classification import digit_in

pytestmark = pytest.mark.browser

DIGITS = [str(digit) for digit in range(10)]


def key_caps(page: Page, role: str = "radio") -> list[str]:
    """The key cap beside each choice on screen, in order."""
    choices = page.locator(f"quorum-labeling .stage [role={role}]")
    expect(choices.first).to_be_visible()
    return [cap.strip() for cap in choices.locator("kbd").all_inner_texts()]


def test_digit_labels_are_picked_by_their_own_keys(server: Server, page: Page):
    crew = Crew.make(server, "digit-keys")
    job_id = start_labeling(
        page,
        crew,
        "digits-own-keys",
        digit_lines(server.settings, [3, 9, 0]),
        taskType="image-classification",
        labels=DIGITS,
    )
    assert key_caps(page) == DIGITS  # "0" shows 0 and "9" shows 9
    check_shortcuts(page, "0 \N{EN DASH} 9", "Pick the category with that key")
    chosen: dict[str, dict[str, str]] = {}
    for _ in range(3):
        task = task_id(page)
        digit = str(digit_in(shown_image(page)))
        page.keyboard.press(digit)
        expect(page.get_by_role("radio", name=digit, exact=True)).to_have_attribute(
            "aria-checked", "true"
        )
        page.keyboard.press("Enter")
        chosen[task] = {"label": digit}
        after_task(page, task)
    assert_submitted(server.settings, job_id, chosen)


def test_labels_that_are_no_key_get_the_keys_left_over(server: Server, page: Page):
    crew = Crew.make(server, "mixed-keys")
    job_id = crew.create_job(
        "mixed-keys",
        [{"source": "Is 1 a cat?"}],
        taskType="text-classification-multilabel",
        labels=["cat", "1", "dog", "0"],
    )
    sign_in(page, server, crew.workers[0])
    page.get_by_role("button", name="mixed-keys").click()
    expect(page.get_by_text("Is 1 a cat?")).to_be_visible()
    shown_text(page)
    # "1" and "0" keep their keys, so "None of these" has none; cat and dog get 2 and 3
    assert key_caps(page, "checkbox") == ["2", "1", "3", "0", ""]
    task = task_id(page)
    for key in ["1", "0", "2"]:
        page.keyboard.press(key)
    for name in ["cat", "1", "0"]:
        expect(page.get_by_role("checkbox", name=name, exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="dog", exact=True)).not_to_be_checked()
    page.keyboard.press("Enter")
    after_task(page, task)
    assert_submitted(server.settings, job_id, {task: {"labels": ["cat", "1", "0"]}})

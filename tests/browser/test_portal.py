"""The worker portal around the elements: sign in and out, a reload gives the same task
back, Skip and Release, the `?` help, API errors shown as sentences, and a phone-sized
screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    CLAIM,
    DIGITS,
    MOODS,
    RELEASE,
    SENTENCES,
    SUBMIT,
    Crew,
    Server,
    after_task,
    assert_submitted,
    digit_lines,
    enter_token,
    no_more_work,
    open_job,
    screenshot,
    shown_image,
    shown_text,
    sign_in,
    stored_tasks,
    task_id,
)

pytestmark = pytest.mark.browser


def text_job(crew: Crew, name: str) -> str:
    lines = [{"source": text} for text in SENTENCES]
    return crew.create_job(
        name, lines, taskType="text-classification", labels=MOODS, instructions="How does it feel?"
    )


def test_sign_in_refuses_a_bad_token_and_sign_out_ends_the_session(server: Server, page: Page):
    crew = Crew.make(server, "signin")
    enter_token(page, f"{server.url}/work", "qrm_not-a-real-token")
    expect(page.get_by_role("alert")).to_contain_text("That token was not accepted")
    page.get_by_label("API token").fill(crew.workers[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("No work for you right now.")).to_be_visible()
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert (
        cookies["quorum_session"]["httpOnly"] and cookies["quorum_session"]["sameSite"] == "Strict"
    )
    assert crew.workers[0] not in page.content()  # the token is not kept in the page
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert")).to_have_text("You signed out.")
    page.reload()
    expect(page.get_by_label("API token")).to_be_visible()


def test_a_reload_gives_the_same_task_back(server: Server, page: Page):
    crew = Crew.make(server, "reload")
    job_id = text_job(crew, "moods-reload")
    sign_in(page, server, crew.workers[0])
    open_job(page, "moods-reload")
    first, text = task_id(page), shown_text(page)
    chosen = page.get_by_role("radio", name=MOODS[0], exact=True)
    expect(chosen).to_be_visible()
    page.keyboard.press("1")
    expect(chosen).to_have_attribute("aria-checked", "true")  # chosen (and kept) before the reload
    page.reload()
    assert task_id(page) == first
    assert shown_text(page) == text
    expect(page.get_by_role("radio", name=MOODS[0], exact=True)).to_have_attribute(
        "aria-checked", "true"
    )  # nothing was submitted, and the choice is still there (test_drafts.py)
    page.get_by_role("radio", name=SENTENCES[text], exact=True).click()
    page.keyboard.press("Enter")
    after_task(page, first)
    assert task_id(page) != first
    assert stored_tasks(server.settings, job_id)[first] == ("SUBMITTED", {"label": SENTENCES[text]})


def test_skip_and_release_hand_tasks_back(server: Server, page: Page):
    crew = Crew.make(server, "skip", workers=2)
    job_id = text_job(crew, "moods-skip")
    sign_in(page, server, crew.workers[0])
    open_job(page, "moods-skip")
    skipped = task_id(page)
    skip = page.get_by_role("button", name="Skip", exact=True)
    assert "never comes back to you" in skip.get_attribute("title")
    skip.click()  # the first press only asks
    expect(page.get_by_role("button", name="Skip this task? Press again")).to_be_visible()
    assert task_id(page) == skipped
    page.get_by_role("button", name="Skip this task? Press again").click()
    after_task(page, skipped)
    released = task_id(page)
    release = page.get_by_role("button", name="Release", exact=True)
    assert "you may get it again later" in release.get_attribute("title")
    release.click()
    page.get_by_role("button", name="Release this task? Press again").click()
    expect(page.get_by_role("status")).to_have_text(
        "You released your task in “moods-skip”; it goes back to the pool."
    )
    open_job(page, "moods-skip")
    kept = task_id(page)
    assert kept not in (skipped, released)
    label = SENTENCES[shown_text(page)]
    page.keyboard.press(str(MOODS.index(label) + 1))
    page.keyboard.press("Enter")
    after_task(page, kept)
    # Nothing new is left: the released task comes back to its worker, the declined never.
    assert task_id(page) == released
    again = SENTENCES[shown_text(page)]
    page.keyboard.press(str(MOODS.index(again) + 1))
    page.keyboard.press("Enter")
    no_more_work(page, "moods-skip")

    # the declined item went to the other worker
    other = crew.workers[1]
    task = server.gql(other, CLAIM, {"jobId": job_id})["claimTask"]
    assert task["id"] != skipped
    answer = {"label": SENTENCES[task["input"]["taskObject"]]}
    server.gql(other, SUBMIT, {"id": task["id"], "answer": answer})
    assert server.gql(other, CLAIM, {"jobId": job_id})["claimTask"] is None
    stored = stored_tasks(server.settings, job_id)
    assert stored[skipped] == ("DECLINED", None)
    assert stored[released] == ("SUBMITTED", {"label": again})
    assert stored[kept] == ("SUBMITTED", {"label": label})
    output = crew.output(job_id)
    assert [line["moods-skip-metadata"]["class-name"] for line in output] == list(
        SENTENCES.values()
    )


def test_enter_on_a_focused_release_button_submits(server: Server, page: Page):
    crew = Crew.make(server, "enter")
    job_id = text_job(crew, "moods-enter")
    sign_in(page, server, crew.workers[0])
    open_job(page, "moods-enter")
    first, text = task_id(page), shown_text(page)
    page.get_by_role("radio", name=SENTENCES[text], exact=True).click()
    page.get_by_role("button", name="Release", exact=True).focus()
    page.keyboard.press("Enter")
    after_task(page, first)
    assert stored_tasks(server.settings, job_id)[first] == ("SUBMITTED", {"label": SENTENCES[text]})


def test_choose_first_goes_away_once_a_category_is_chosen(server: Server, page: Page):
    crew = Crew.make(server, "choose")
    text_job(crew, "moods-choose")
    sign_in(page, server, crew.workers[0])
    open_job(page, "moods-choose")
    page.get_by_role("button", name="Submit", exact=True).click()
    alert = page.locator("quorum-labeling .error")
    expect(alert).to_contain_text("Choose a category first")
    first = task_id(page)
    page.get_by_role("radio", name=MOODS[0], exact=True).click()
    expect(alert).to_be_hidden()
    page.get_by_role("button", name="Submit", exact=True).click()
    after_task(page, first)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(alert).to_contain_text("Choose a category first")
    page.keyboard.press("2")  # by key, too
    expect(alert).to_be_hidden()


def test_question_mark_lists_the_shortcuts(server: Server, page: Page):
    crew = Crew.make(server, "help")
    text_job(crew, "moods-help")
    sign_in(page, server, crew.workers[0])
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Open the n-th job")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("1")
    task_id(page)
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    for text in ("Pick the n-th category", "Move to the next / previous category", "Submit"):
        expect(dialog).to_contain_text(text)
    screenshot(page, "shortcuts")
    page.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(dialog).to_be_visible()


def test_api_errors_are_shown_as_sentences(server: Server, page: Page):
    crew = Crew.make(server, "errors")
    text_job(crew, "moods-errors")
    sign_in(page, server, crew.workers[0])
    open_job(page, "moods-errors")
    first = task_id(page)
    page.keyboard.press("Enter")  # nothing chosen yet
    expect(page.get_by_role("alert")).to_contain_text(
        "Choose a category first (click it, or press its number key), then submit."
    )
    # the task is released behind the page's back (another tab, say)
    server.gql(crew.workers[0], RELEASE, {"id": first})
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"This task changed: taskId: you released task {first}")
    expect(alert.get_by_role("link", name="Back to the list of jobs")).to_be_visible()
    page.get_by_role("button", name="Take another task").click()
    after_task(page, first)
    expect(alert).to_be_hidden()
    # the session ends (signed out in another tab): the next call says so
    page.context.clear_cookies()
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("You are signed out")
    expect(page.get_by_label("API token")).to_be_visible()


def test_a_phone_screen_can_label(server: Server, phone: Page):
    crew = Crew.make(server, "phone")
    job_id = crew.create_job(
        "digits-phone",
        digit_lines(server.settings, [3, 1]),
        taskType="image-classification",
        labels=["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
        instructions="Which digit is it? Tap it, then Submit.",
    )
    sign_in(phone, server, crew.workers[0])
    phone.get_by_role("button", name="digits-phone").tap()
    chosen: dict[str, dict[str, str]] = {}
    for _ in range(2):
        task = task_id(phone)
        digit = int(shown_image(phone).removeprefix("digit-").removesuffix(".png"))
        width = phone.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1] == 390, width  # no horizontal scroll
        buttons = [
            phone.get_by_role("button", name=name, exact=True)
            for name in ("Submit", "Skip", "Release")
        ]
        for locator in [*buttons, *phone.get_by_role("radio").all()]:
            box = locator.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        for button in buttons:  # the action bar sticks to the bottom of the screen
            box = button.bounding_box()
            assert box and box["y"] + box["height"] <= 844, box
            expect(button).to_be_in_viewport()
        name = DIGITS[digit]
        phone.get_by_role("radio", name=name, exact=True).tap()
        if not chosen:
            screenshot(phone, "phone-image-classification")
        buttons[0].tap()
        chosen[task] = {"label": name}
        after_task(phone, task)
    no_more_work(phone, "digits-phone")
    assert_submitted(server.settings, job_id, chosen)


def test_text_is_shown_as_text_never_as_html(server: Server, page: Page):
    crew = Crew.make(server, "escaped")
    trap = '<img src=x onerror="window.pwned = true"><b>bold?</b>'
    crew.create_job(
        "moods-escaped",
        [{"source": trap}],
        taskType="text-classification",
        labels=["<i>happy</i>", "sad & <script>window.pwned = true</script>"],
        instructions=trap,
        fullInstructions=trap,
    )
    sign_in(page, server, crew.workers[0])
    expect(page.get_by_text(trap)).to_be_visible()  # the list's short instructions
    page.keyboard.press("1")
    assert shown_text(page) == trap
    expect(page.locator("quorum-instructions .short")).to_have_text(trap)
    expect(page.get_by_role("radio", name="<i>happy</i>", exact=True)).to_be_visible()
    assert page.locator("b, i, img:not([part])").count() == 0
    assert page.evaluate("() => window.pwned") is None

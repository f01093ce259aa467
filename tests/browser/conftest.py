"""Fixtures of the browser tests: Debian's Chromium driven by Playwright (never a
downloaded browser), one live ``quorum serve`` for the session, and a page per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from quorum.settings import Settings
from quorum.testing import DatabaseFactory
from tests.browser.portal import Server, make_admin
from tests.live import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
#: Set (as .ci/run does) to fail instead of skipping when Chromium is not installed.
REQUIRED = "QUORUM_BROWSER_REQUIRED"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=20_000)  # two loaded CPUs: be patient, not flaky


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless. Package-scoped: Playwright's sync API keeps an event
    loop running in this thread while it is open, and the tests after tests/browser/ call
    asyncio.run, which refuses to run inside one."""
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get(REQUIRED):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, quorum_databases: DatabaseFactory
) -> Iterator[Server]:
    """One ``quorum serve`` (with its runner) for all browser tests; each test makes its
    own people and jobs, so tests do not see each other's work."""
    folder = tmp_path_factory.mktemp("browser")
    data_dir = folder / "quorum-data"
    data_dir.mkdir()
    url = quorum_databases.new(data_dir)
    settings = Settings.from_env(
        {
            "QUORUM_DATA_DIR": str(data_dir),
            "QUORUM_DATABASE_URL": url,
        }
    )
    admin = make_admin(settings)
    live = LiveServer(settings)
    live.start()
    try:
        yield Server(live.url, settings, admin)
    finally:
        live.stop()
        quorum_databases.drop(url)


@contextmanager
def open_page(browser: Browser, viewport: dict[str, int], **options: Any) -> Iterator[Page]:
    """A page in a fresh browser context; fails the test on any uncaught page error and on
    anything the Content-Security-Policy refused (quorum/security_headers.py), in the page
    or in its frames."""
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A page at 1280x800."""
    with open_page(chromium, DESKTOP) as page:
        yield page


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    """A page the size of a phone (390x844, touch)."""
    with open_page(chromium, PHONE, is_mobile=True, has_touch=True) as page:
        yield page

"""The console and the portal work under their Content-Security-Policy: nothing they load
or run is refused (tests/browser/conftest.py fails any test whose page reports a CSP
violation, so every browser test checks it too), and a violation is reported."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page

from tests.browser.conftest import DESKTOP
from tests.browser.portal import Crew, Server, sign_in
from tests.browser.test_console import console_sign_in


def document_policies(page: Page) -> dict[str, str]:
    """The Content-Security-Policy of each page ``page`` loads, by path (filled as it goes)."""
    policies: dict[str, str] = {}
    page.on(
        "response",
        lambda response: (
            policies.setdefault(
                urlsplit(response.url).path, response.headers.get("content-security-policy", "")
            )
            if response.request.resource_type == "document"
            else None
        ),
    )
    return policies


def test_the_console_loads_under_its_policy(server: Server, page: Page):
    policies = document_policies(page)
    console_sign_in(page, server, server.admin)
    assert "frame-ancestors 'none'" in policies["/"]


def test_the_portal_loads_under_its_policy(server: Server, page: Page):
    policies = document_policies(page)
    sign_in(page, server, Crew.make(server, "csp").workers[0])
    assert "frame-ancestors 'none'" in policies["/work"]


def test_an_inline_script_is_refused_and_reported(server: Server, chromium: Browser):
    context = chromium.new_context(viewport=DESKTOP)  # not open_page: this one must fail
    try:
        page = context.new_page()
        page.goto(f"{server.url}/work")
        with page.expect_console_message(
            lambda message: "Content Security Policy" in message.text
        ) as refusal:
            page.evaluate(
                """() => {
                    const script = document.createElement("script");
                    script.textContent = "window.injected = true";
                    document.head.append(script);
                }"""
            )
        assert "script-src 'self'" in refusal.value.text
        assert page.evaluate("() => window.injected === undefined")
    finally:
        context.close()

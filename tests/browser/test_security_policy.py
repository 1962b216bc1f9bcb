"""The Content-Security-Policy lets the service's own script and styles run and blocks anything else;
every browser test fails if a page had something blocked (tests/browser/conftest.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser import conftest
from tracker.core.security import CONTENT_SECURITY_POLICY


def test_the_service_script_and_styles_run_under_the_policy(page: Page, live):
    response = page.goto("/sign-in")
    assert response is not None and response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    # GOV.UK Frontend's script marks the body once it has run; the stylesheet sets the page's font.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    assert "arial" in page.evaluate("getComputedStyle(document.querySelector('main h1')).fontFamily").lower()


def test_an_injected_inline_script_is_blocked_and_reported(page: Page, live):
    page.route(
        "**/injected",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
            body="<!doctype html><title>x</title><script>document.title = 'ran'</script>",
        ),
    )
    page.goto("/injected")
    assert page.title() == "x", "the inline script must not run"
    violations = conftest._POLICY_VIOLATIONS[page.context]  # noqa: SLF001 - the harness under test
    assert violations, "the harness saw the blocked script"
    violations.clear()  # seen on purpose: the fixture's own check must not fail this test

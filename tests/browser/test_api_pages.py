"""The API page and the API tokens page in a real browser: axe-clean at desktop and phone width.

Creating a token shows it once, on the answer to the form, and the token then reads the API;
revoking it leaves it listed as revoked. Everything works without JavaScript.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, save_screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _check(page: Page, name: str) -> None:
    """Check the page at desktop width and at phone width, saving a screenshot of each."""
    save_screenshot(page, f"api-{name}")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    save_screenshot(page, f"api-{name}-phone")
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways at phone width ({width}px)"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_api_page_lists_every_address_and_links_the_document(viewer_page: Page):
    viewer_page.goto("/api")
    expect(viewer_page.get_by_role("heading", level=1)).to_have_text("API for reports")
    table = viewer_page.locator("main table")
    expect(table).to_contain_text("GET /api/v1/programmes/{programme}/actions")
    expect(table).to_contain_text("GET /api/v1/programmes/{programme}/meetings/{meets_on}/snapshot")
    expect(viewer_page.get_by_role("link", name="OpenAPI 3.1 document (JSON)")).to_have_attribute(
        "href", "/api/v1/openapi.json"
    )
    _check(viewer_page, "page")


def test_a_token_is_created_shown_once_used_and_revoked(viewer_no_js_page: Page):
    page = viewer_no_js_page
    page.goto("/account/api-tokens")
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    _check(page, "tokens-empty")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    _check(page, "tokens-error")
    page.get_by_label("Name").fill("Board report in Power BI")
    page.get_by_label("1 year").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Your new API token").input_value()
    assert secret.startswith("trk_")
    _check(page, "tokens-created")
    answer = page.request.get("/api/v1/programmes", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    page.goto("/account/api-tokens")
    expect(page.locator("main")).not_to_contain_text(secret)
    page.get_by_role("button", name="Revoke Board report in Power BI").click()
    expect(page.locator("main table")).to_contain_text("Revoked on")
    _check(page, "tokens-revoked")
    refused = page.request.get("/api/v1/programmes", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401

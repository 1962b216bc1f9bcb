"""Two-step verification in a real browser: set it up with a real code, then sign in with a code and with a
recovery code. Every page is axe-clean at desktop and at phone width, and works as people use it."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, save_screenshot, sign_in, writing
from tests.factories import DEFAULT_TEST_PASSWORD, make_user
from tracker.auth import two_factor

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _check(page: Page, name: str) -> None:
    """Check the page at desktop width and at phone width, saving a screenshot of each."""
    save_screenshot(page, f"two-factor-{name}")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    save_screenshot(page, f"two-factor-{name}-phone")
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways at phone width ({width}px)"
    page.set_viewport_size({"width": 1280, "height": 900})


def _password(page: Page, email: str) -> None:
    page.goto("/sign-in")
    form = page.locator("main form")
    form.get_by_label("Email address", exact=True).fill(email)
    form.get_by_label("Password", exact=True).fill(DEFAULT_TEST_PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")


def _code(page: Page, code: str) -> None:
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()


def test_set_up_then_sign_in_with_a_code_and_with_a_recovery_code(viewer_page: Page, viewer_account):
    page = viewer_page
    page.get_by_role("link", name="Two-step verification").click()
    expect(page.locator("main")).to_contain_text("Off")
    _check(page, "status-off")

    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")
    _check(page, "set-up-error")
    assert page.locator("#secret-key").inner_text().replace(" ", "") == secret, "the same key until it is confirmed"
    _check(page, "set-up")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).at(time.time() - 30))
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Two-step verification is on")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    _check(page, "recovery-codes")
    page.get_by_role("button", name="I have stored my recovery codes").click()
    expect(page.locator("main")).to_contain_text("You have 10 unused recovery codes")
    _check(page, "status-on")

    page.get_by_role("button", name="Sign out").click()
    _password(page, viewer_account.email)
    _check(page, "code")
    _code(page, "not-a-code")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    _check(page, "code-error")
    _code(page, pyotp.TOTP(secret).now())
    expect(page.locator(".app-account")).to_contain_text("Signed in as")

    page.get_by_role("button", name="Sign out").click()
    _password(page, viewer_account.email)
    _code(page, codes[0])
    expect(page.locator(".app-account")).to_contain_text("Signed in as")
    page.goto("/account/two-factor")
    expect(page.locator("main")).to_contain_text("You have 9 unused recovery codes")

    page.get_by_role("link", name="Turn off two-step verification").click()
    _check(page, "turn-off")
    page.get_by_label("Current password").fill(DEFAULT_TEST_PASSWORD)
    page.get_by_label("Security code").fill(codes[1])
    page.get_by_role("button", name="Turn off").click()
    expect(page.locator("main")).to_contain_text("Two-step verification is off")


def test_an_admin_must_set_it_up_when_required_and_can_reset_someone_elses(page: Page, live, viewer_account):
    with writing():
        admin = make_user("admin", name="Pat Director", email="director@council.example.gov.uk")
        secret = two_factor.new_secret()
        two_factor.enrol(viewer_account, secret, pyotp.TOTP(secret).at(time.time() - 30))
    live.app.config["REQUIRE_TWO_FACTOR_FOR_ADMINS"] = True
    try:
        sign_in(page, admin.email, DEFAULT_TEST_PASSWORD)
        page.goto("/programmes")
        assert page.url.endswith("/account/two-factor")
        expect(page.locator(".govuk-warning-text")).to_contain_text("you must set up two-step verification")
        _check(page, "required")
        page.get_by_role("button", name="Set up an authenticator app").click()
        admin_secret = page.locator("#secret-key").inner_text().replace(" ", "")
        page.get_by_label("Code from your app").fill(pyotp.TOTP(admin_secret).at(time.time() - 30))
        page.get_by_role("button", name="Turn on").click()
        expect(page.locator(".govuk-panel")).to_contain_text("Two-step verification is on")
        page.goto(f"/admin/users/{viewer_account.id}")
        expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
        _check(page, "people-reset")
        page.get_by_role("button", name="Reset two-step verification").click()
        expect(page.locator("main")).to_contain_text("authenticator app has been removed")
        expect(page.locator("main")).to_contain_text("Val Viewer has not set up two-step verification.")
    finally:
        live.app.config["REQUIRE_TWO_FACTOR_FOR_ADMINS"] = False

"""Sign-in, account and programme-office pages in Chromium: accessible, working through real forms.

The accounts fixture makes one programme with tests/factories.py (short name "test", pages under
/p/test/); the programme-roles test adds a second one.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOT_DIR, assert_accessible, save_screenshot, sign_in, writing
from tests.factories import DEFAULT_TEST_PASSWORD, make_person, make_programme, make_user, make_workstream

pytestmark = pytest.mark.browser


@pytest.fixture
def accounts(app):
    with writing():
        make_programme()
        make_workstream("A", title="Children's social care")
        make_person(name="Head of Early Help", job_title="Head of Service")
        admin = make_user("admin", name="Pat Director", email="director@council.example.gov.uk")
        viewer = make_user("viewer", name="Val Viewer", email="viewer@council.example.gov.uk")
    return {"admin": admin, "viewer": viewer}


@pytest.fixture
def admin_page(page, accounts) -> Page:
    sign_in(page, accounts["admin"].email, DEFAULT_TEST_PASSWORD)
    return page


def test_sign_in_page_errors_and_lockout_are_accessible(page, live, accounts):
    page.goto("/sign-in")
    assert_accessible(page)
    save_screenshot(page, "auth-sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page)
    page.get_by_label("Email address", exact=True).fill(accounts["viewer"].email)
    page.get_by_label("Password", exact=True).fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Email or password is incorrect")
    assert page.title().startswith("Error: Sign in")
    assert_accessible(page)
    save_screenshot(page, "auth-sign-in-error")
    for _ in range(10):
        page.get_by_label("Password", exact=True).fill("still not my password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Too many failed attempts. Try again in 5 minutes.")
    assert_accessible(page)
    save_screenshot(page, "auth-sign-in-locked")


def test_sign_in_header_and_sign_out_through_the_button(page, live, accounts):
    sign_in(page, accounts["viewer"].email, DEFAULT_TEST_PASSWORD)
    header = page.locator("header")
    expect(header).to_contain_text("Signed in as Val Viewer")
    expect(header.get_by_role("link", name="People")).to_have_count(0)
    save_screenshot(page, "auth-header-viewer")
    header.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    page.goto("/")
    assert "/sign-in" in page.url


def test_admin_pages_are_accessible(admin_page, live, accounts):
    page = admin_page
    page.goto("/p/test/")  # the programme's own menu entries (Settings) show on its pages
    nav = page.locator("header")
    for link in ("People", "Audit log", "Settings"):
        expect(nav.get_by_role("link", name=link, exact=True)).to_be_visible()
    for name, path in [
        ("people", "/admin/users"),
        ("new-user", "/admin/users/new"),
        ("edit-user", f"/admin/users/{accounts['viewer'].id}"),
        ("settings", "/p/test/admin/settings"),
        ("new-programme", "/admin/programmes/new"),
        ("audit-log", "/admin/audit"),
        ("change-password", "/account/password"),
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)
        save_screenshot(page, f"auth-{name}")


def test_invite_a_lead_then_they_set_a_password_and_sign_in(admin_page, live, accounts, browser):
    page = admin_page
    page.goto("/admin/users/new")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an email address")
    expect(summary).to_contain_text("Enter the person's full name")
    assert_accessible(page)
    save_screenshot(page, "auth-new-user-errors")

    page.get_by_label("Email address").fill("early.help@council.example.gov.uk")
    page.get_by_label("Full name").fill("Ezra Help")
    page.get_by_label("Project lead").check()
    page.get_by_label("Lead in the programme plan").select_option(label="Head of Early Help (Head of Service)")
    page.get_by_label("A: Children's social care").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_contain_text("Account created")
    link = page.get_by_label("Link to set a password").input_value()
    assert re.search(r"/reset-password/[\w-]{40,}$", link)
    assert_accessible(page)
    save_screenshot(page, "auth-account-created")

    newcomer_context = browser.new_context(base_url=live.url)
    newcomer = newcomer_context.new_page()
    newcomer.goto(link)
    assert_accessible(newcomer)
    newcomer.get_by_label("New password", exact=True).fill("password1")
    newcomer.get_by_label("Confirm new password").fill("password1")
    newcomer.get_by_role("button", name="Set password").click()
    expect(newcomer.locator(".govuk-error-summary")).to_contain_text("commonly used password")
    assert_accessible(newcomer)
    save_screenshot(newcomer, "auth-set-password-error")
    newcomer.get_by_label("New password", exact=True).fill("otter lighthouse biscuit")
    newcomer.get_by_label("Confirm new password").fill("otter lighthouse biscuit")
    newcomer.get_by_role("button", name="Set password").click()
    expect(newcomer.locator(".govuk-notification-banner")).to_contain_text("Your password has been set")
    sign_in(newcomer, "early.help@council.example.gov.uk", "otter lighthouse biscuit")
    expect(newcomer.locator("header")).to_contain_text("Signed in as Ezra Help")
    newcomer.goto(link)
    expect(newcomer.locator("h1")).to_contain_text("This link has expired or has already been used")
    assert_accessible(newcomer)
    newcomer_context.close()

    page.goto("/admin/audit")
    expect(page.locator("table")).to_contain_text("User created")
    expect(page.locator("table")).to_contain_text("Password set from link")


def test_user_form_gives_a_role_in_each_programme(admin_page, live, accounts):
    with writing():
        make_programme(name="Education Delivery and Improvement Plan", short_name="education")
    page = admin_page
    page.goto(f"/admin/users/{accounts['viewer'].id}")
    roles = page.get_by_role("group", name="Role in each programme")
    expect(roles).to_contain_text("a lead in one, a viewer in another")
    test_select = roles.get_by_label("Test improvement programme")
    education_select = roles.get_by_label("Education Delivery and Improvement Plan")
    expect(test_select.locator("option:checked")).to_have_text("Same as above (Viewer)")
    expect(education_select.locator("option:checked")).to_have_text("Same as above (Viewer)")
    assert_accessible(page)
    save_screenshot(page, "auth-edit-user-programme-roles")
    roles.screenshot(path=str(SCREENSHOT_DIR / "auth-edit-user-programme-roles-section.png"))

    education_select.select_option(label="Project lead")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Val Viewer's account has been saved.")
    assert_accessible(page)  # the people list, naming where a role differs
    save_screenshot(page, "auth-people-programme-roles")

    page.goto(f"/admin/users/{accounts['viewer'].id}")
    roles = page.get_by_role("group", name="Role in each programme")
    expect(roles.get_by_label("Education Delivery and Improvement Plan").locator("option:checked")).to_have_text(
        "Project lead"
    )
    expect(roles.get_by_label("Test improvement programme").locator("option:checked")).to_have_text(
        "Same as above (Viewer)"
    )


def test_change_password_form_works_without_javascript(no_js_page, live, accounts):
    page = no_js_page
    sign_in(page, accounts["viewer"].email, DEFAULT_TEST_PASSWORD)
    page.goto("/account/password")
    page.get_by_label("Current password").fill("wrong")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Change password").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("at least 12 characters")
    assert_accessible(page)
    save_screenshot(page, "auth-change-password-errors")

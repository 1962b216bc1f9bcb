"""The update, My actions, conflict and structure pages in a real browser: accessible, and usable without JavaScript.

The plan is built with tests/factories.py, in the programme "test": its pages are under /p/test/.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import _new_context, assert_accessible, save_screenshot, sign_in
from tests.factories import DEFAULT_TEST_PASSWORD, make_action
from tests.programme.editing import make_plan
from tracker.extensions import db
from tracker.programme.status import Status

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(app):
    plan = make_plan()
    make_action(
        plan.project,
        "A1.2",
        lead=plan.lead.person,
        status=Status.GREY,
        start_date=date(2026, 9, 1),
        deadline=date(2026, 12, 20),
    )
    make_action(plan.project, "A1.3", lead=plan.lead.person, deadline=date(2026, 11, 1))
    db.session.commit()
    return plan


def _open(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path} answered {response and response.status}"


LEAD_PAGES = [
    ("my-actions", "/p/test/my-actions"),
    ("update-action", "/p/test/actions/A1.2/update"),
    ("update-project", "/p/test/projects/A1/update"),
    ("action-with-history", "/p/test/actions/A1.1"),
]
ADMIN_PAGES = [
    ("structure", "/p/test/admin/structure"),
    ("structure-workstream", "/p/test/admin/structure/workstreams/A"),
    ("structure-project", "/p/test/admin/structure/projects/A1"),
    ("structure-new-action", "/p/test/admin/structure/actions/new?project=A1"),
    ("structure-edit-project", "/p/test/admin/structure/projects/A1/edit"),
    ("structure-edit-workstream", "/p/test/admin/structure/workstreams/A/edit"),
]


def test_lead_pages_are_accessible(page, plan):
    sign_in(page, plan.lead.email, DEFAULT_TEST_PASSWORD)
    # Give A1.1 some history first, through the form.
    page.goto("/p/test/actions/A1.1/update")
    page.get_by_label("Red").check()
    page.get_by_label("Reason for the change of status").fill("The provider withdrew; re-tendering by March.")
    page.get_by_label("What has happened since the last update").fill("Provider withdrew in October.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    for name, path in LEAD_PAGES:
        _open(page, path)
        assert_accessible(page)
        save_screenshot(page, f"updates-{name}")


def test_admin_pages_are_accessible(page, plan):
    sign_in(page, plan.admin.email, DEFAULT_TEST_PASSWORD)
    for name, path in ADMIN_PAGES:
        _open(page, path)
        assert_accessible(page)
        save_screenshot(page, f"updates-{name}")


def test_errors_link_to_their_fields_and_are_accessible(page, plan):
    sign_in(page, plan.lead.email, DEFAULT_TEST_PASSWORD)
    page.goto("/p/test/actions/A1.1/update")
    page.get_by_label("Green").check()
    deadline = page.locator("#deadline-day")
    deadline.fill("31")
    page.locator("#deadline-month").fill("2")
    page.locator("#deadline-year").fill("2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Deadline must be a real date")
    summary.get_by_role("link", name="Deadline must be a real date").click()
    expect(page.locator("#deadline-day")).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    save_screenshot(page, "updates-update-action-errors")

    # The service's rules show the same way: Green without a completed date.
    page.goto("/p/test/actions/A1.1/update")
    page.get_by_label("Green").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter the date the action was completed").click()
    expect(page.locator("#completed_on-day")).to_be_focused()


def test_structure_form_errors_are_accessible(page, plan):
    sign_in(page, plan.admin.email, DEFAULT_TEST_PASSWORD)
    page.goto("/p/test/admin/structure/actions/new?project=A1")
    page.get_by_label("Reference").fill("A1.1")
    page.get_by_label("Title").fill("A duplicate")
    with page.expect_navigation():
        page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is already a action A1.1")
    assert_accessible(page)
    save_screenshot(page, "updates-structure-form-errors")


def test_updates_and_moves_work_without_javascript(browser, live, plan):
    context = _new_context(browser, live, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, plan.lead.email, DEFAULT_TEST_PASSWORD)
        page.goto("/p/test/my-actions")
        page.locator('a[href="/p/test/actions/a1.2/update"]').click()  # links use the ref's slug
        page.get_by_label("Amber").check()
        page.get_by_label("What has happened since the last update").fill("Started in September after all.")
        page.get_by_role("button", name="Save update").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Action A1.2 updated.")
        expect(page.locator(".app-timeline")).to_contain_text("Started in September after all.")
    finally:
        context.close()
    admin_context = _new_context(browser, live, java_script_enabled=False)
    try:
        page = admin_context.new_page()
        sign_in(page, plan.admin.email, DEFAULT_TEST_PASSWORD)
        page.goto("/p/test/admin/structure/projects/A1")
        page.get_by_role("button", name="Move down A1.1").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("A1.1 moved down.")
        rows = page.locator("tbody tr").all_inner_texts()
        assert rows[0].startswith("A1.2") and rows[1].startswith("A1.1")
    finally:
        admin_context.close()

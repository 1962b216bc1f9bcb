"""A fresh installation, without the demo, set up in a real browser from the first admin to the first action.

The ``app`` fixture leaves every table empty, so the live server starts with nothing in it; the
first admin is made by `flask users create`, as an operator would. axe-core checks every page visited.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, save_screenshot, sign_in, writing

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "first.admin@council.example.gov.uk"
ADMIN_PASSWORD = "a long first-run passphrase"


@pytest.fixture
def first_admin(app):
    """The first account on an empty installation, made with `flask users create` (the CLI's service)."""
    with writing():
        result = app.test_cli_runner().invoke(
            args=["users", "create", "--email", ADMIN_EMAIL, "--name", "First Admin", "--role", "admin"],
            input=ADMIN_PASSWORD + "\n",
        )
    assert result.exit_code == 0, result.output
    return ADMIN_EMAIL


def _checked(page: Page, heading: str) -> None:
    """The page shows this heading, and axe finds nothing serious on it."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def _submit(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=button).click()


def test_an_empty_installation_is_set_up_through_the_pages(page: Page, live, first_admin):
    # Before sign-in: the home page asks for it rather than failing.
    response = page.goto("/")
    assert response is not None and response.status == 200 and "/sign-in" in page.url
    assert_accessible(page)

    sign_in(page, first_admin, ADMIN_PASSWORD)
    page.goto("/")
    _checked(page, "Set up the programme")
    expect(page.locator("main")).to_contain_text("Nothing has been published yet")

    # 1. Create the programme on the settings page (a mistake first, then put right).
    page.locator("main").get_by_role("link", name="Create the programme").click()
    _checked(page, "Create the programme")
    form = page.locator("main form")
    form.get_by_label("Programme name").fill("Children's Services Improvement")
    form.get_by_label("Short name").fill("Children")
    form.get_by_label("Board name").fill("Improvement Board")
    form.get_by_label("Weeks between board meetings").fill("6")
    form.get_by_label("Day").fill("27")
    form.get_by_label("Month").fill("11")
    form.get_by_label("Year").fill("2026")
    _submit(page, "Create the programme")
    expect(page.locator(".govuk-error-summary")).to_contain_text("lowercase letters, numbers and hyphens")
    assert_accessible(page)
    page.locator("main form").get_by_label("Short name").fill("children")
    _submit(page, "Create the programme")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Next, add its workstreams")
    _checked(page, "Children's Services Improvement")
    expect(page.locator("main")).to_contain_text("Done:")

    # The settings page now edits it, beside the public pages setting.
    page.goto("/admin/settings")
    _checked(page, "Settings")
    expect(page.locator("main").get_by_label("Short name")).to_have_value("children")

    # 2. A workstream, a project and an action through the Structure pages.
    page.goto("/")
    page.locator("main").get_by_role("link", name="Structure").click()
    _checked(page, "Programme structure")
    page.get_by_role("link", name="Add a workstream").click()
    _checked(page, "Add a workstream")
    page.get_by_label("Reference").fill("A")
    page.get_by_label("Title").fill("Early help")
    _submit(page, "Save workstream")
    _checked(page, "Programme structure")

    page.locator("main").get_by_role("link", name="A Early help").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a project").click()
    _checked(page, "Add a project")
    page.get_by_label("Reference").fill("A1")
    page.get_by_label("Title").fill("Family hubs in every district")
    _submit(page, "Save project")
    assert_accessible(page)

    page.locator("main").get_by_role("link", name="A1 Family hubs in every district").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add an action").click()
    _checked(page, "Add an action")
    page.get_by_label("Reference").fill("A1.1")
    page.get_by_label("Title").fill("Open the first family hub")
    page.get_by_label("Or add a new lead").fill("Head of Early Help")
    _submit(page, "Save action")
    assert_accessible(page)

    # 3. The action is on the action list, and the overview shows the programme.
    page.goto("/actions")
    expect(page.locator("main")).to_contain_text("Open the first family hub")
    assert_accessible(page)
    page.goto("/")
    _checked(page, "Children's Services Improvement")
    expect(page.locator("main")).not_to_contain_text("What to do next")
    save_screenshot(page, "first-run-overview")

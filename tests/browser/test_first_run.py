"""A fresh installation, without the demo, set up in a real browser from the first admin to the first action,
then a second programme beside the first.

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


def _fill_programme_form(page: Page, name: str, short_name: str, board: str) -> None:
    form = page.locator("main form")
    form.get_by_label("Programme name").fill(name)
    form.get_by_label("Short name").fill(short_name)
    form.get_by_label("Board name").fill(board)
    form.get_by_label("Weeks between board meetings").fill("6")
    form.get_by_label("Day").fill("27")
    form.get_by_label("Month").fill("11")
    form.get_by_label("Year").fill("2026")


def _portfolio_row(page: Page, short_name: str) -> list[str]:
    """The numbers in the programme's row of the portfolio table: projects, one per status, actions, overdue."""
    table = page.get_by_role("table", name="Actions by status in each programme")
    row = table.locator("tbody tr").filter(has=page.locator(f'a[href="/p/{short_name}/"]'))
    expect(row).to_have_count(1)
    return row.locator("td").all_inner_texts()[:-1]  # the last cell is the next board


def test_an_empty_installation_is_set_up_through_the_pages(page: Page, live, first_admin):
    # Before sign-in: the home page asks for it rather than failing.
    response = page.goto("/")
    assert response is not None and response.status == 200 and "/sign-in" in page.url
    assert_accessible(page)

    # The welcome page: no programme yet, and what to do first.
    sign_in(page, first_admin, ADMIN_PASSWORD)
    page.goto("/")
    _checked(page, "Set up a programme")
    expect(page.locator("main")).to_contain_text("Nothing has been published yet")
    save_screenshot(page, "first-run-welcome")

    # 1. Create the programme (a mistake first, then put right).
    page.locator("main").get_by_role("link", name="Set up a programme").click()
    assert page.url.endswith("/admin/programmes/new")
    _checked(page, "Set up a programme")
    _fill_programme_form(page, "Children's Services Improvement", "Children", "Improvement Board")
    _submit(page, "Set up programme")
    expect(page.locator(".govuk-error-summary")).to_contain_text("lowercase letters, numbers and hyphens")
    assert_accessible(page)
    save_screenshot(page, "first-run-new-programme-errors")
    page.locator("main form").get_by_label("Short name").fill("children")
    _submit(page, "Set up programme")

    # Its overview, at its own address, says what is done and what to do next.
    assert page.url.endswith("/p/children/"), page.url
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Next, add its workstreams")
    _checked(page, "Children's Services Improvement")
    expect(page.locator("main")).to_contain_text("Done:")
    expect(page.locator("main")).to_contain_text("What to do next")
    save_screenshot(page, "first-run-next-steps")

    # The programme's settings page edits it, beside the public pages setting.
    page.goto("/p/children/admin/settings")
    _checked(page, "Settings")
    expect(page.locator("main").get_by_label("Short name")).to_have_value("children")

    # 2. A workstream, a project and an action through the programme's Structure pages.
    page.goto("/p/children/")
    page.locator("main").get_by_role("link", name="Structure").click()
    assert "/p/children/admin/structure" in page.url, page.url
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
    assert "/p/children/" in page.url, page.url

    # 3. The action is on the programme's action list, and its overview shows what was added.
    page.goto("/p/children/actions")
    expect(page.locator("main")).to_contain_text("Open the first family hub")
    assert_accessible(page)
    page.goto("/")  # the only programme: home opens on its overview
    assert page.url.endswith("/p/children/"), page.url
    _checked(page, "Children's Services Improvement")
    expect(page.locator("main")).not_to_contain_text("What to do next")
    expect(page.locator("main")).to_contain_text("Early help")
    save_screenshot(page, "first-run-overview")

    # 4. A second programme, set up from the list of programmes; the home page then lists both.
    page.goto("/programmes")
    _checked(page, "Programmes")
    page.locator("main").get_by_role("link", name="Set up a programme").click()
    _checked(page, "Set up a programme")
    _fill_programme_form(page, "Education Improvement Plan", "education", "Senior Leadership Team")
    _submit(page, "Set up programme")
    assert page.url.endswith("/p/education/"), page.url
    _checked(page, "Education Improvement Plan")
    expect(page.locator("main")).to_contain_text("What to do next")

    page.goto("/")
    assert page.url.endswith("/"), page.url
    _checked(page, "Programmes")
    expect(page.locator("main")).to_contain_text("2 programmes")
    children, education = _portfolio_row(page, "children"), _portfolio_row(page, "education")
    assert children[0] == "1" and children[-2] == "1", children  # 1 project, 1 action
    assert education[0] == "0" and education[-2] == "0", education
    save_screenshot(page, "first-run-portfolio")

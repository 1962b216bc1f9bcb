"""Every progress page in a real browser: accessible, usable without JavaScript, keyboard first.

Progress pages are for signed-in staff, so each test signs in as a viewer through the real form.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, save_screenshot

pytestmark = pytest.mark.browser

# (name, path, expected HTTP status) for every kind of progress page, on the demo programme.
PROGRESS_PAGES = [
    ("overview", "/p/children/", 200),
    ("workstream-A", "/p/children/workstreams/A", 200),
    ("sub-workstream-E1", "/p/children/workstreams/E1", 200),
    ("reported-separately-C", "/p/children/workstreams/C", 200),
    ("project-A1", "/p/children/projects/A1", 200),
    ("action-A1.1", "/p/children/actions/A1.1", 200),
    ("actions-filtered", "/p/children/actions?workstream=B&status=amber&status=red&sort=deadline", 200),
    ("actions-page-2", "/p/children/actions?page=2", 200),
    ("actions-invalid-filter", "/p/children/actions?workstream=Z9&due_within=soon&sort=sideways", 200),
    ("statuses", "/statuses", 200),
    ("accessibility-statement", "/accessibility", 200),
    ("not-found", "/p/children/projects/Z99", 404),
    ("unknown-programme", "/p/nonesuch/", 404),
]
PAGE_IDS = [name for name, _path, _status in PROGRESS_PAGES]
# With both demo programmes loaded: the portfolio, the education programme's pages, the search across both.
TWO_PROGRAMME_PAGES = [
    ("portfolio-home", "/", 200),
    ("portfolio", "/programmes", 200),
    ("education-overview", "/p/education/", 200),
    ("education-workstream-O1", "/p/education/workstreams/O1", 200),
    ("education-project-O1.1", "/p/education/projects/O1.1", 200),
    ("education-kpi-scorecard", "/p/education/kpis", 200),
    ("search-all-programmes", "/search?q=school", 200),
]
TWO_PROGRAMME_IDS = [name for name, _path, _status in TWO_PROGRAMME_PAGES]


def open_page(page: Page, path: str, expected_status: int) -> None:
    response = page.goto(path)
    assert response is not None and response.status == expected_status, (
        f"{path} answered {response and response.status}"
    )


@pytest.mark.parametrize(("name", "path", "expected_status"), PROGRESS_PAGES, ids=PAGE_IDS)
def test_progress_page_is_accessible_and_reads_the_same_without_javascript(
    demo_programme, viewer_page, viewer_no_js_page, name, path, expected_status
):
    page, no_js_page = viewer_page, viewer_no_js_page
    open_page(page, path, expected_status)
    expect(page.locator("main h1")).to_be_visible()
    save_screenshot(page, f"progress-{name}")
    assert_accessible(page)

    open_page(no_js_page, path, expected_status)
    heading = page.locator("main h1").inner_text()
    assert heading.strip()
    assert no_js_page.locator("main h1").inner_text() == heading
    # Figures, tables and messages are in the HTML, not drawn by scripts.
    assert no_js_page.locator("main table").all_inner_texts() == page.locator("main table").all_inner_texts()
    assert (
        no_js_page.locator("main [role=status]").all_inner_texts()
        == page.locator("main [role=status]").all_inner_texts()
    )
    assert no_js_page.locator("main svg").count() == page.locator("main svg").count()


@pytest.mark.parametrize(("name", "path", "expected_status"), TWO_PROGRAMME_PAGES, ids=TWO_PROGRAMME_IDS)
def test_two_programme_page_is_accessible_and_reads_the_same_without_javascript(
    demo_programmes, viewer_page, viewer_no_js_page, name, path, expected_status
):
    test_progress_page_is_accessible_and_reads_the_same_without_javascript(
        demo_programmes, viewer_page, viewer_no_js_page, name, path, expected_status
    )


def test_the_portfolio_lists_both_programmes_with_their_counts(demo_programmes, viewer_page):
    page = viewer_page
    open_page(page, "/", 200)
    expect(page.locator("main h1")).to_have_text("Programmes")
    table = page.get_by_role("table", name="Actions by status in each programme")
    for short_name, loaded in demo_programmes.items():
        row = table.locator("tbody tr").filter(has=page.locator(f'a[href="/p/{short_name}/"]'))
        expect(row).to_have_count(1)
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == str(loaded.projects), (short_name, cells)
        assert cells[-3] == str(loaded.actions), (short_name, cells)  # Actions, Overdue, Next board
    # Each programme's name leads to its overview.
    with page.expect_navigation():
        table.get_by_role("link", name="Education Delivery and Improvement Plan 2017-18").click()
    assert page.url.endswith("/p/education/")
    expect(page.locator("main h1")).to_contain_text("Education")


def test_filter_form_submits_as_a_bookmarkable_get_without_javascript(demo_programme, viewer_no_js_page):
    no_js_page = viewer_no_js_page
    no_js_page.goto("/p/children/actions")
    no_js_page.get_by_label("Workstream").select_option("B")
    no_js_page.get_by_role("group", name="Status").get_by_label("Amber").check()
    no_js_page.get_by_label("Sort by").select_option("deadline")
    with no_js_page.expect_navigation():
        no_js_page.get_by_role("button", name="Apply filters").click()

    assert "workstream=B" in no_js_page.url and "status=amber" in no_js_page.url and "sort=deadline" in no_js_page.url
    expect(no_js_page.get_by_role("status")).to_contain_text("in workstream B")
    expect(no_js_page.get_by_role("status")).to_contain_text("rated Amber")
    rows = no_js_page.locator("main table tbody tr")
    assert rows.count() > 0
    for status_cell in rows.locator("td:nth-child(4) strong.govuk-tag").all_inner_texts():
        assert status_cell.strip() == "Amber"
    # The filters survive a reload: the URL is the whole state.
    no_js_page.goto(no_js_page.url)
    expect(no_js_page.get_by_label("Workstream")).to_have_value("B")
    expect(no_js_page.get_by_role("group", name="Status").get_by_label("Amber")).to_be_checked()


def test_nonsense_filters_get_a_message_and_the_whole_list(demo_programme, viewer_page):
    page = viewer_page
    open_page(page, "/p/children/actions?workstream=Z9&due_within=soon", 200)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Some filters could not be used")
    expect(page.get_by_role("status")).to_contain_text(f"of {demo_programme.actions} actions")


def test_second_page_of_actions_continues_the_first(demo_programme, viewer_page):
    page = viewer_page
    page.goto("/p/children/actions")
    expect(page.get_by_role("status")).to_contain_text(f"Showing 1 to 50 of {demo_programme.actions} actions")
    page.get_by_role("navigation", name="Pages of actions").get_by_role("link", name="Next page").click()
    expect(page.get_by_role("status")).to_contain_text(f"Showing 51 to 100 of {demo_programme.actions} actions")
    assert "page=2" in page.url


@pytest.mark.parametrize(
    "path", ["/p/children/", "/p/children/actions", "/p/children/projects/A1", "/p/children/projects/Z99"]
)
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(demo_programme, viewer_page, path):
    page = viewer_page
    page.goto(path)
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_be_visible()  # shown when focused, hidden otherwise
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_have_id("main-content")
    # The next Tab continues inside the main content, past the header and navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_skip_link_works_without_javascript(demo_programme, viewer_no_js_page):
    no_js_page = viewer_no_js_page
    no_js_page.goto("/p/children/")
    no_js_page.keyboard.press("Tab")
    expect(no_js_page.locator(":focus")).to_have_text("Skip to main content")
    no_js_page.keyboard.press("Enter")
    no_js_page.keyboard.press("Tab")
    assert no_js_page.evaluate("document.activeElement.closest('main') !== null")


def test_signed_out_visitor_is_sent_to_an_accessible_sign_in_page_and_back(page, demo_programme, viewer_account):
    from tests.factories import DEFAULT_TEST_PASSWORD

    page.goto("/p/children/projects/A1")
    expect(page.locator("main h1")).to_have_text("Sign in")
    assert_accessible(page)
    page.locator("main form").get_by_label("Email address", exact=True).fill(viewer_account.email)
    page.locator("main form").get_by_label("Password", exact=True).fill(DEFAULT_TEST_PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/children/projects/A1$"))

"""The search pages in a real browser: accessible, usable without JavaScript, reached from the header.

The header on a programme's page searches that programme (/p/<programme>/search); the search
across all programmes is /search.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, save_screenshot

pytestmark = pytest.mark.browser

SEARCH_PAGES = [
    ("search-empty", "/search"),
    ("search-results", "/search?q=a1"),
    ("search-no-results", "/search?q=zzzzqqq"),
    ("search-too-long", "/search?q=" + "x" * 201),
    ("programme-search-empty", "/p/children/search"),
    ("programme-search-results", "/p/children/search?q=a1"),
    ("programme-search-no-results", "/p/children/search?q=zzzzqqq"),
    ("actions-text-filter", "/p/children/actions?q=staff&status=green"),
]


@pytest.mark.parametrize(("name", "path"), SEARCH_PAGES, ids=[name for name, _ in SEARCH_PAGES])
def test_search_page_is_accessible_and_reads_the_same_without_javascript(
    demo_programme, viewer_page, viewer_no_js_page, name, path
):
    response = viewer_page.goto(path)
    assert response is not None and response.status == 200
    expect(viewer_page.locator("main h1")).to_be_visible()
    save_screenshot(viewer_page, name)
    assert_accessible(viewer_page)

    viewer_no_js_page.goto(path)
    assert_accessible(viewer_no_js_page)
    assert (
        viewer_no_js_page.locator("main [role=status]").all_inner_texts()
        == viewer_page.locator("main [role=status]").all_inner_texts()
    )


def test_search_from_the_header_without_javascript(demo_programme, viewer_no_js_page):
    page = viewer_no_js_page
    page.goto("/p/children/actions")
    page.get_by_role("search").get_by_label("Search the programme").fill("A1")
    with page.expect_navigation():
        page.get_by_role("search").get_by_role("button", name="Search").click()
    assert re.search(r"/p/children/search\?q=A1$", page.url)
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"\d+ results? for ‘A1’"))
    expect(page.get_by_label("Search workstreams, projects and actions")).to_have_value("A1")
    expect(page.locator("main").get_by_role("heading", name=re.compile("^Projects"))).to_be_visible()


def test_a_programme_search_can_look_in_all_programmes_without_javascript(demo_programme, viewer_no_js_page):
    page = viewer_no_js_page
    page.goto("/p/children/search?q=A1")
    expect(page.get_by_label("This programme")).to_be_checked()
    page.get_by_label("All programmes").check()
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Search").click()
    assert re.search(r"/search\?q=A1$", page.url) and "/p/" not in page.url
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"\d+ results? for ‘A1’"))
    expect(page.locator("main .app-search-results a").first).to_have_attribute("href", re.compile(r"^/p/children/"))


def test_overlong_search_shows_the_message_by_the_field(demo_programme, viewer_page):
    page = viewer_page
    page.goto("/search?q=" + "x" * 201)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Search terms must be 200 characters or fewer")
    expect(page.locator("#q-error")).to_contain_text("Search terms must be 200 characters or fewer")
    assert page.title().startswith("Error: ")

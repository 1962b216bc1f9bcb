"""The board pack in a real browser: axe-clean as a viewer and as the programme office, frozen and live,
and printing it leaves out the header, navigation, breadcrumbs and footer; the project page's highlight
report link, at desktop and phone width, downloads a one-page PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, save_screenshot, sign_in, writing
from tests.factories import DEFAULT_TEST_PASSWORD, make_user

CHILDREN = "/p/children"
PACKS = [("frozen", f"{CHILDREN}/meetings/2026-11-20/pack"), ("live", f"{CHILDREN}/meetings/2027-01-04/pack")]


def _accounts(demo_board_cycle) -> dict:
    with writing():
        return {
            "viewer": make_user("viewer", name="Val Viewer", email="val.viewer@council.example.gov.uk"),
            "admin": make_user("admin", name="Pat Director", email="pat.director@council.example.gov.uk"),
        }


def _check(page: Page, name: str, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    expect(page.locator("main h1")).to_be_visible()
    save_screenshot(page, f"pack-{name}")
    assert_accessible(page)


@pytest.mark.parametrize("role", ["viewer", "admin"])
@pytest.mark.parametrize(("name", "path"), PACKS, ids=[name for name, _ in PACKS])
def test_the_pack_page_is_accessible(demo_board_cycle, page, role, name, path):
    accounts = _accounts(demo_board_cycle)
    sign_in(page, accounts[role].email, DEFAULT_TEST_PASSWORD)
    _check(page, f"{role}-{name}", path)


def test_printing_the_pack_leaves_out_the_service_around_it(demo_board_cycle, page):
    accounts = _accounts(demo_board_cycle)
    sign_in(page, accounts["viewer"].email, DEFAULT_TEST_PASSWORD)
    page.goto(PACKS[0][1])
    expect(page.locator(".govuk-breadcrumbs")).to_be_visible()
    page.emulate_media(media="print")
    for selector in ("header", ".govuk-breadcrumbs", ".govuk-footer", ".app-no-print"):
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    expect(page.get_by_role("heading", name="Executive summary")).to_be_visible()
    link_after = page.evaluate("() => getComputedStyle(document.querySelector('.app-pack a[href]'), '::after').content")
    assert link_after in ("none", "normal", ""), link_after


PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 900}


@pytest.mark.parametrize(("width", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_project_page_offers_the_highlight_report(demo_board_cycle, page, width, size):
    accounts = _accounts(demo_board_cycle)
    sign_in(page, accounts["viewer"].email, DEFAULT_TEST_PASSWORD)
    page.set_viewport_size(size)
    _check(page, f"project-report-link-{width}", f"{CHILDREN}/projects/A1")
    link = page.get_by_role("link", name="Download the highlight report for project A1 (PDF)")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert path is not None and download.value.suggested_filename.startswith("project-a1-highlight-report-")
    from pypdf import PdfReader

    reader = PdfReader(path)
    assert len(reader.pages) == 1 and "Project A1:" in reader.pages[0].extract_text()

"""The plan import in a real browser, as the programme office uses it: every page checked by axe at
desktop and phone width, with screenshots in $TMPDIR/tracker-screenshots/import-*.png.

Upload → preview (created, updated, unchanged) → confirm; a file with problems listed by row; the
column-mapping step; a file that cannot be read; a file over the limit (the 413 page); and the
whole journey again with JavaScript off.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.browser.conftest import assert_accessible, save_screenshot, sign_in, writing
from tests.factories import DEFAULT_TEST_PASSWORD, make_programme, make_user
from tests.imports.workbooks import plan_workbook, small_plan
from tracker.extensions import db
from tracker.programme.models import Action

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def office(app):
    with writing():
        make_programme()
        return make_user("admin", name="Pat Director", email="pat.director@council.example.gov.uk")


def _check(page: Page, name: str, status: int = 200) -> None:
    """Check the page at desktop and phone width: axe finds nothing serious, nothing scrolls sideways."""
    expect(page.locator("main h1")).to_be_visible()
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        save_screenshot(page, f"import-{name}-{width}")
        assert_accessible(page)
        sideways = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert sideways <= 0, f"{name} scrolls sideways by {sideways}px at {width} width"
    page.set_viewport_size(DESKTOP)


def _upload(page: Page, name: str, content: bytes, mime: str = XLSX) -> None:
    page.goto("/p/test/admin/import")
    page.get_by_label("Plan file").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()


def _actions() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Action))


def test_the_office_imports_a_plan_then_an_updated_one(office, page):
    sign_in(page, office.email, DEFAULT_TEST_PASSWORD)
    page.goto("/p/test/admin/structure")
    with page.expect_navigation():
        page.get_by_role("link", name="Import a plan from a spreadsheet").click()
    _check(page, "upload")

    _upload(page, "Improvement plan.xlsx", small_plan())
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.get_by_role("heading", name="To be created (13)")).to_be_visible()
    _check(page, "preview-new")
    assert _actions() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Improvement plan.xlsx imported. Created 2 workstreams")).to_be_visible()
    assert _actions() == 4

    changed = plan_workbook(
        [
            [
                "A",
                "A1",
                "Vision, values and behaviours",
                "Director of Children's Services",
                "",
                "",
                "30/04/2027",
                "",
                "Red",
            ],
            ["A", "A2", "Operating model", "dcs@council.example.gov.uk", "", "", "30/06/27", "", "A"],
            ["C", "C1", "Travel assistance", "Head of Travel", "", "", "31/07/2027", "", "Grey"],
        ],
        [["A1", "A1.1", "Consult children on the vision", "Director of Children's Services", "31/01/27", "G", ""]],
    )
    _upload(page, "Improvement plan v2.xlsx", changed)
    expect(page.get_by_role("heading", name="To be updated (1)")).to_be_visible()
    page.get_by_text("Unchanged (").click()  # open the folded list, so the screenshot shows all three
    _check(page, "preview-mixed")


def test_problems_are_listed_by_sheet_row_and_column(office, page):
    sign_in(page, office.email, DEFAULT_TEST_PASSWORD)
    bad = plan_workbook(
        [["A", "A1", "Vision", "", "", "", "soon", "", "Purple"], ["A", "A1", "Again", "", "", "", "", "", ""]],
        [["Z9", "Z9.1", "Orphan", "", "31/02/2027", "", ""]],
    )
    _upload(page, "plan with mistakes.xlsx", bad)
    expect(page.get_by_role("heading", name="Problems in the file")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("has 5 problems. Nothing was imported")
    expect(page.locator("table tbody tr")).to_have_count(5)
    _check(page, "problems")
    assert _actions() == 0


def test_a_header_that_cannot_be_matched_is_chosen_from_the_file(office, page):
    sign_in(page, office.email, DEFAULT_TEST_PASSWORD)
    _upload(page, "projects.csv", b"Workstream,Ref,Scheme,Officer\nA,A1,Vision,Sam Lead\n", "text/csv")
    expect(page.get_by_role("heading", name="Choose the columns")).to_be_visible()
    _check(page, "columns")
    with page.expect_navigation():
        page.get_by_role("button", name="Use these columns").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the column of sheet CSV that holds Project")
    _check(page, "columns-error")
    page.get_by_label("Project").select_option("Scheme")
    with page.expect_navigation():
        page.get_by_role("button", name="Use these columns").click()
    expect(page.get_by_role("heading", name="To be created (2)")).to_be_visible()


def test_files_that_cannot_be_read_or_are_too_large_say_so(office, page):
    sign_in(page, office.email, DEFAULT_TEST_PASSWORD)
    _upload(page, "plan.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 500)
    expect(page.locator(".govuk-error-summary")).to_contain_text("is named .xlsx but is not an Excel workbook")
    _check(page, "upload-error")

    _upload(page, "huge.csv", b"x" * (6 * 1024 * 1024), "text/csv")
    expect(page.get_by_role("heading", name="The file is too large")).to_be_visible()
    _check(page, "too-large")


def test_the_import_works_without_javascript(office, no_js_page):
    page = no_js_page
    sign_in(page, office.email, DEFAULT_TEST_PASSWORD)
    _upload(page, "plan.xlsx", small_plan())
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("plan.xlsx imported.")).to_be_visible()
    assert _actions() == 4

"""Update returns and downloads in a real browser: every new page checked by axe at desktop and phone width.

The children demo programme with its board cycle (an update round open for the board of 4 January
2027). The programme office lists the leads' workbooks; a lead uploads their filled-in workbook, sees
what it changes, and saves it; a return with problems and a conflict shows them all, nothing saved.
Screenshots go to $TMPDIR/tracker-screenshots/returns-*.png.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible, save_screenshot, sign_in, writing
from tests.conftest import TODAY
from tests.factories import DEFAULT_TEST_PASSWORD, make_user
from tracker.board.models import UpdateRound
from tracker.board.round_queries import round_status
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, BoardMeeting, Programme
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, update_action
from tracker.returns.queries import lead_return
from tracker.returns.workbook import return_workbook

pytestmark = pytest.mark.browser

COMING = "2027-01-04"
RETURNS = f"/p/children/meetings/{COMING}/returns"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def accounts(demo_board_cycle):
    """The office, and a lead who owes at least two action updates in the open round (with their person id)."""
    with writing():
        programme = db.session.scalars(select(Programme).where(Programme.short_name == "children")).one()
        update_round = db.session.scalars(
            select(UpdateRound)
            .join(BoardMeeting, UpdateRound.meeting_id == BoardMeeting.id)
            .where(UpdateRound.programme_id == programme.id, BoardMeeting.meets_on == date.fromisoformat(COMING))
        ).one()
        lead = next(
            lead
            for lead in round_status(update_round).leads
            if lead.lead_id is not None and len([i for i in lead.items if i.item_type == "action"]) >= 2
        )
        person = db.session.get(Person, lead.lead_id)
        admin = make_user("admin", name="Pat Director", email="pat.director@council.example.gov.uk")
        lead_user = make_user("lead", person=person, name="Lou Lead", email="lou.lead@council.example.gov.uk")
        return {"admin": admin, "lead": lead_user, "person_id": person.id, "round_id": update_round.id}


def _check(page: Page, name: str, expected_status: int = 200, path: str | None = None) -> None:
    """Check the page at desktop and phone width: axe finds nothing serious, nothing scrolls sideways."""
    if path is not None:
        response = page.goto(path)
        assert response is not None and response.status == expected_status, f"{path}: {response and response.status}"
    expect(page.locator("main h1")).to_be_visible()
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        save_screenshot(page, f"returns-{name}-{width}")
        assert_accessible(page)
        sideways = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert sideways <= 0, f"{name} scrolls sideways by {sideways}px at {width} width"
    page.set_viewport_size(DESKTOP)


def _filled_workbook(tmp_path: Path, person_id: int, round_id: int, answers) -> Path:
    """The lead's workbook as downloaded now, filled in by answers(rows) -> {row number: {heading: value}}."""
    with writing():
        content = return_workbook(lead_return(db.session.get(UpdateRound, round_id), person_id))
    book = load_workbook(io.BytesIO(content))
    sheet = book["Update return"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    rows = [row for row in sheet.iter_rows(min_row=2) if row[0].value == "Action"]
    for number, values in answers(rows).items():
        for heading, value in values.items():
            sheet.cell(row=number, column=columns[heading], value=value)
    path = tmp_path / "update-return.xlsx"
    book.save(path)
    return path


def _upload(page: Page, path: Path) -> None:
    page.get_by_label("Filled-in update return").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the return").click()


def test_the_office_lists_every_leads_workbook(accounts, page):
    sign_in(page, accounts["admin"].email, DEFAULT_TEST_PASSWORD)
    page.goto(f"/p/children/meetings/{COMING}/round")
    page.get_by_role("link", name="Download and upload update returns").click()
    expect(page.locator("main h1")).to_have_text("Update returns by spreadsheet")
    expect(page.get_by_role("link", name="Download every lead's workbook (.zip)")).to_be_visible()
    _check(page, "office-list")
    _check(page, "office-upload", path=f"{RETURNS}/{accounts['person_id']}/upload")


def test_a_lead_uploads_their_return_sees_the_changes_and_saves_them(accounts, page, tmp_path):
    sign_in(page, accounts["lead"].email, DEFAULT_TEST_PASSWORD)
    _check(page, "lead-list", path=RETURNS)
    expect(page.locator("main table tbody tr")).to_have_count(1)  # their own workbook only
    page.get_by_role("link", name="Upload").click()
    # Submitting without a file: the error summary and the message by the field.
    page.get_by_role("button", name="Check the return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the filled-in update return workbook")
    _check(page, "lead-upload-error")
    path = _filled_workbook(
        tmp_path,
        accounts["person_id"],
        accounts["round_id"],
        lambda rows: {
            rows[0][0].row: {"New status": "Red", "Reason": "The supplier pulled out", "Progress note": "Re-tendering"},
            rows[1][0].row: {"Progress note": "On track for the spring"},
        },
    )
    _upload(page, path)
    expect(page.locator("main h1")).to_contain_text("Check the update return of")
    expect(page.get_by_role("heading", name="What will change")).to_be_visible()
    _check(page, "lead-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Save 2 updates").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 items updated")
    _check(page, "lead-saved")


def test_a_return_with_problems_and_a_conflict_lists_them_all_and_saves_nothing(accounts, page, tmp_path):
    chosen: dict[str, str] = {}

    def answers(rows):
        chosen["first"], chosen["second"] = rows[0][1].value, rows[1][1].value
        return {
            rows[0][0].row: {"New status": "Green"},  # no completion date
            rows[1][0].row: {"New status": "Purple", "New deadline": "31/02/2027"},
        }

    path = _filled_workbook(tmp_path, accounts["person_id"], accounts["round_id"], answers)
    with writing():  # the office updates the first action after the workbook was downloaded
        action = db.session.scalars(select(Action).where(Action.ref == chosen["first"])).first()
        update_action(
            action,
            accounts["admin"],
            ActionUpdate(
                status=Status.RED, status_reason="Escalated", deadline=action.deadline, progress_note="By the office"
            ),
            action.version,
            TODAY,
        )
    sign_in(page, accounts["lead"].email, DEFAULT_TEST_PASSWORD)
    page.goto(f"{RETURNS}/{accounts['person_id']}/upload")
    _upload(page, path)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Nothing has been saved")
    expect(summary).to_contain_text("changed by someone else")
    expect(page.locator("#problems + table, #problems ~ table").first).to_contain_text("is not a status")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    _check(page, "lead-preview-problems")


def test_downloads_are_offered_on_the_overview_and_action_list(demo_programme, viewer_page):
    page = viewer_page
    page.goto("/p/children/actions?status=red")
    expect(page.get_by_role("link", name="Excel workbook (.xlsx)")).to_have_attribute(
        "href", "/p/children/export/actions.xlsx?status=red"
    )
    _check(page, "action-list-downloads")
    page.goto("/p/children/")
    expect(page.get_by_role("link", name="Whole programme as an Excel workbook (.xlsx)")).to_be_visible()
    _check(page, "overview-downloads")

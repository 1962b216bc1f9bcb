"""The board cycle in a real browser: meetings, update rounds, frozen boards, movement, data quality, risks.

The children demo programme is loaded with its board cycle as `flask demo load` leaves it (see the
``demo_board_cycle`` fixture): boards frozen on 9 October and 20 November 2026, an update round open
for the board of 4 January 2027 with some leads behind, and the programme's risks. Every page is
checked by axe-core, as a viewer and as the programme office where the pages differ, and forms are
shown with their errors. The walk-through runs with JavaScript off: everything works without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible, save_screenshot, sign_in, writing
from tests.factories import DEFAULT_TEST_PASSWORD, make_user
from tracker.auth.models import User
from tracker.board.models import UpdateRound
from tracker.board.round_queries import round_status
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import BoardMeeting, Programme, Project, Workstream
from tracker.risks.rules import RiskDetails
from tracker.risks.services import add_risk

pytestmark = pytest.mark.browser

CHILDREN = "/p/children"
FROZEN = "2026-11-20"  # the later of the demo's two frozen boards
EARLIER = "2026-10-09"  # the earlier one
COMING = "2027-01-04"  # the next board: its update round is open
LATER = "2027-02-12"  # the board after: no round yet, not frozen

# Pages that read the same for anyone signed in (a viewer sees them as the programme office does,
# less the buttons): checked as a viewer.
VIEWER_PAGES = [
    ("meetings", f"{CHILDREN}/meetings", 200),
    ("meeting-coming", f"{CHILDREN}/meetings/{COMING}", 200),
    ("meeting-frozen", f"{CHILDREN}/meetings/{FROZEN}", 200),
    ("round", f"{CHILDREN}/meetings/{COMING}/round", 200),
    ("round-not-opened", f"{CHILDREN}/meetings/{LATER}/round", 200),
    ("movement-frozen", f"{CHILDREN}/meetings/{FROZEN}/movement", 200),
    ("movement-earliest", f"{CHILDREN}/meetings/{EARLIER}/movement", 200),
    ("movement-live", f"{CHILDREN}/meetings/{COMING}/movement", 200),
    ("risks", f"{CHILDREN}/risks", 200),
    ("risks-all", f"{CHILDREN}/risks?state=all&level=", 200),
    ("risks-bad-filter", f"{CHILDREN}/risks?state=sideways&level=purple", 200),
    ("overview-risks", f"{CHILDREN}/", 200),
    ("workstream-A-risks", f"{CHILDREN}/workstreams/A", 200),
    ("project-A1-panels", f"{CHILDREN}/projects/A1", 200),
    ("action-A1.1-last-updated", f"{CHILDREN}/actions/A1.1", 200),
    ("quality-refused", f"{CHILDREN}/quality", 403),
    ("meeting-not-found", f"{CHILDREN}/meetings/2027-02-13", 404),
]
# The programme office's pages, and those that show it more (plan, freeze, open a round, add a risk).
ADMIN_PAGES = [
    ("meetings", f"{CHILDREN}/meetings", 200),
    ("meeting-coming", f"{CHILDREN}/meetings/{COMING}", 200),
    ("meeting-frozen", f"{CHILDREN}/meetings/{FROZEN}", 200),
    ("meeting-edit", f"{CHILDREN}/meetings/{LATER}/edit", 200),
    ("round", f"{CHILDREN}/meetings/{COMING}/round", 200),
    ("round-open-form", f"{CHILDREN}/meetings/{LATER}/round", 200),
    ("movement-frozen", f"{CHILDREN}/meetings/{FROZEN}/movement", 200),
    ("quality", f"{CHILDREN}/quality", 200),
    ("risks", f"{CHILDREN}/risks", 200),
    ("risk-new", f"{CHILDREN}/risks/new", 200),
    ("risk-new-project", f"{CHILDREN}/risks/new?project=A1", 200),
    ("project-A1-panels", f"{CHILDREN}/projects/A1", 200),
]


@dataclass
class BoardAccounts:
    admin: User
    viewer: User
    lead: User  # a lead who still owes updates in the open round
    owed_action: str  # the ref of one action that lead has not updated this round
    risk_id: int  # a project risk on A1, added through the service


def _children() -> Programme:
    return db.session.scalars(select(Programme).where(Programme.short_name == "children")).one()


def _lead_behind(programme: Programme) -> tuple[Person, str]:
    """Return a lead who still owes an action update in the open round, and the action's ref."""
    update_round = db.session.scalars(
        select(UpdateRound)
        .join(BoardMeeting, UpdateRound.meeting_id == BoardMeeting.id)
        .where(UpdateRound.programme_id == programme.id, BoardMeeting.meets_on == date.fromisoformat(COMING))
    ).one()
    for lead in round_status(update_round).leads:
        owed = [item for item in lead.not_updated if item.item_type == "action"]
        if lead.lead_id is not None and owed:
            return db.session.get(Person, lead.lead_id), owed[0].ref
    raise AssertionError("The demo's round has no lead behind on an action")


@pytest.fixture
def board_accounts(demo_board_cycle) -> BoardAccounts:
    with writing():
        programme = _children()
        person, owed_action = _lead_behind(programme)
        admin = make_user("admin", name="Pat Director", email="pat.director@council.example.gov.uk")
        a1 = db.session.scalars(select(Project).where(Project.programme_id == programme.id, Project.ref == "A1")).one()
        risk = add_risk(
            admin,
            programme,
            RiskDetails(
                "Recruitment to the early help hubs may not fill every post before the hubs open.",
                "Agency cover agreed for the first quarter; a rolling advert is out.",
                owner_id=a1.lead_id,
                likelihood=4,
                impact=3,
            ),
            project=a1,
        )
        workstream_a = db.session.scalars(
            select(Workstream).where(Workstream.programme_id == programme.id, Workstream.ref == "A")
        ).one()
        add_risk(
            admin,
            programme,
            RiskDetails(
                "Partners' data-sharing agreement is not yet signed.", "Escalated to the board.", person.id, 2, 5
            ),
            workstream=workstream_a,
        )
        return BoardAccounts(
            admin=admin,
            viewer=make_user("viewer", name="Val Viewer", email="val.viewer@council.example.gov.uk"),
            lead=make_user("lead", person=person, name="Lou Lead", email="lou.lead@council.example.gov.uk"),
            owed_action=owed_action,
            risk_id=risk.id,
        )


def _check(page: Page, name: str, path: str, expected_status: int) -> None:
    response = page.goto(path)
    assert response is not None and response.status == expected_status, (
        f"{path} answered {response and response.status}"
    )
    expect(page.locator("main h1")).to_be_visible()
    save_screenshot(page, f"board-{name}")
    assert_accessible(page)


@pytest.mark.parametrize(("name", "path", "status"), VIEWER_PAGES, ids=[name for name, *_ in VIEWER_PAGES])
def test_board_page_is_accessible_to_a_viewer(board_accounts, page, name, path, status):
    sign_in(page, board_accounts.viewer.email, DEFAULT_TEST_PASSWORD)
    _check(page, f"viewer-{name}", path, status)


@pytest.mark.parametrize(("name", "path", "status"), ADMIN_PAGES, ids=[name for name, *_ in ADMIN_PAGES])
def test_board_page_is_accessible_to_the_programme_office(board_accounts, page, name, path, status):
    sign_in(page, board_accounts.admin.email, DEFAULT_TEST_PASSWORD)
    _check(page, f"admin-{name}", path, status)


def test_risk_edit_page_and_forms_with_errors_are_accessible(board_accounts, page):
    sign_in(page, board_accounts.admin.email, DEFAULT_TEST_PASSWORD)
    _check(page, "admin-risk-edit", f"{CHILDREN}/risks/{board_accounts.risk_id}/edit", 200)
    # A risk with nothing filled in: the error summary and a message beside each field.
    page.goto(f"{CHILDREN}/risks/new?project=A1")
    page.get_by_role("button", name="Add risk").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page.locator(".govuk-error-message").first).to_be_visible()
    save_screenshot(page, "board-admin-risk-new-errors")
    assert_accessible(page)
    # A meeting whose date does not exist.
    page.goto(f"{CHILDREN}/meetings/{LATER}/edit")
    page.locator("#meets_on-day").fill("31")
    page.locator("#meets_on-month").fill("2")
    page.locator("#meets_on-year").fill("2027")
    page.get_by_role("button", name="Save meeting").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    save_screenshot(page, "board-admin-meeting-edit-errors")
    assert_accessible(page)


def test_a_lead_sees_the_updates_owed_this_round_on_my_actions(board_accounts, page):
    sign_in(page, board_accounts.lead.email, DEFAULT_TEST_PASSWORD)
    _check(page, "lead-my-actions", f"{CHILDREN}/my-actions", 200)
    expect(page.locator("#round-owed")).to_contain_text("Updates owed this round")


def test_the_board_cycle_works_without_javascript(board_accounts, no_js_page):
    """The director walks the cycle (meetings, round, freeze, movement); a lead updates an item it owes."""
    page = no_js_page
    sign_in(page, board_accounts.admin.email, DEFAULT_TEST_PASSWORD)
    page.goto(f"{CHILDREN}/")
    page.locator("header").get_by_role("link", name="Board meetings").click()
    expect(page.locator("main h1")).to_contain_text("Board meetings")
    # The next board, from the meetings page.
    page.locator("main").get_by_role("link", name="4 January 2027").first.click()
    expect(page.locator("main h1")).to_contain_text("4 January 2027")
    page.get_by_role("link", name="Who has updated their items for this board").click()
    expect(page.locator("main h1")).to_have_text("Update round")
    counted = _updated_count(page)
    # Freeze the board (it is not frozen yet), and see it frozen.
    page.go_back()
    page.get_by_role("button", name="Freeze the board of 4 January 2027").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The board of 4 January 2027 is frozen")
    expect(page.locator("main")).to_contain_text("Frozen")
    expect(page.get_by_role("button", name="Freeze the board of 4 January 2027")).to_have_count(0)
    save_screenshot(page, "board-walk-frozen")
    page.get_by_role("link", name="What moved since the last board").click()
    expect(page.locator("main h1")).to_be_visible()
    assert "/meetings/2027-01-04/movement" in page.url
    save_screenshot(page, "board-walk-movement")

    # A lead who is behind: the updates owed on My actions; one update; counted on the round page.
    page.context.clear_cookies()
    sign_in(page, board_accounts.lead.email, DEFAULT_TEST_PASSWORD)
    page.goto(f"{CHILDREN}/my-actions")
    owed = page.locator("#round-owed")
    expect(owed).to_contain_text("Updates owed this round")
    table = page.get_by_role("table", name="Updates owed this round")
    row = table.locator("tr", has=page.locator(".app-ref", has_text=board_accounts.owed_action))
    expect(row).to_contain_text("Not updated")
    row.get_by_role("link", name="Update").click()
    page.get_by_label("What has happened since the last update").fill("Checked for the January board: on course.")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    page.goto(f"{CHILDREN}/meetings/{COMING}/round")
    assert _updated_count(page) == counted + 1
    mine = page.locator("table", has=page.locator(".app-ref", has_text=board_accounts.owed_action))
    expect(mine.locator("tr", has=page.locator(".app-ref", has_text=board_accounts.owed_action))).to_contain_text(
        "Updated"
    )


def _updated_count(page: Page) -> int:
    """The "N of M items updated" figure on a round page."""
    text = page.locator("main .govuk-inset-text").inner_text()
    return int(text.split(" of ", 1)[0])

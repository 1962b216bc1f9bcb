"""Board meetings: planned from the cycle off weekends and bank holidays, changed by the office, listed for readers."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY
from tests.factories import make_programme, make_user
from tests.programme.editing import database_snapshot, make_plan
from tracker.audit.models import AuditEvent
from tracker.core.errors import InvalidChange, NotAllowed, NotFound, VersionConflict
from tracker.extensions import db
from tracker.programme import meetings, queries
from tracker.programme.meetings import MeetingChange
from tracker.programme.models import BoardMeeting, Programme

# make_programme(): a six-weekly board from Friday 13 November 2026; TODAY is Wednesday 25 November 2026.
PLANNED_YEAR = [
    date(2026, 12, 29),  # Friday 25 December, moved past Christmas and Boxing Day's substitute day
    date(2027, 2, 5),
    date(2027, 3, 19),
    date(2027, 4, 30),
    date(2027, 6, 11),
    date(2027, 7, 23),
    date(2027, 9, 3),
    date(2027, 10, 15),
]


def meeting_dates(programme) -> list[date]:
    return [meeting.meets_on for meeting in meetings.meetings_of(programme)]


def meeting_form(meets_on: date | None, deadline: date | None = None, note: str = "", version: int = 1) -> dict:
    def parts(day: date | None) -> list[str]:
        return [str(day.day), str(day.month), str(day.year)] if day else ["", "", ""]

    return {"meets_on": parts(meets_on), "update_deadline": parts(deadline), "note": note, "version": str(version)}


def field_error(page: str, field: str) -> str:
    """Return the message shown next to a field (GOV.UK error message inside the field's form group)."""
    match = re.search(rf'id="{field}-error"[^>]*>\s*<span class="govuk-visually-hidden">Error:</span>\s*([^<]*)', page)
    assert match, f"no error message next to {field}"
    return match.group(1).strip()


# --- planning -------------------------------------------------------------------------------------


def test_planning_a_year_moves_christmas_and_sets_deadlines(app):
    programme = make_programme()
    added = meetings.plan_months(programme, None, TODAY, command_line=True)
    assert [meeting.meets_on for meeting in added] == PLANNED_YEAR
    christmas = added[0]
    assert christmas.note == (
        "Moved from Friday 25 December 2026: Christmas Day; then Boxing Day (substitute day) on Monday 28 December"
    )
    # Five working days before Tuesday 29 December: Thu 24, Wed 23, Tue 22, Mon 21, Fri 18 (the holidays skipped).
    assert christmas.update_deadline == date(2026, 12, 18)
    assert added[1].update_deadline == date(2027, 1, 29) and added[1].note == ""
    assert all(meeting.update_deadline < meeting.meets_on for meeting in added)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "meetings_planned")).one()
    assert event.detail == "Planned 8 board meetings of programme test, 2026-12-29 to 2027-10-15"


def test_the_next_board_comes_from_the_calendar_once_planned(app):
    programme = make_programme()
    assert queries.next_board(programme, TODAY) == date(2026, 12, 25)  # the cycle alone lands on Christmas Day
    meetings.plan_months(programme, None, TODAY, command_line=True)
    assert queries.next_board(programme, TODAY) == date(2026, 12, 29)
    assert meetings.next_meeting(programme, TODAY).meets_on == date(2026, 12, 29)
    assert meetings.previous_meeting(programme, TODAY) is None
    assert meetings.previous_meeting(programme, date(2027, 2, 6)).meets_on == date(2027, 2, 5)


def test_planning_twice_adds_nothing_and_keeps_an_edited_date(app):
    programme = make_programme()
    admin = make_user("admin")
    meetings.plan_months(programme, admin, TODAY)
    db.session.commit()
    february = meetings.meeting_on(programme, date(2027, 2, 5))
    meetings.change_meeting(
        february, admin, MeetingChange(date(2027, 2, 9), date(2027, 2, 1), "Moved for the half-term week."), 1
    )
    db.session.commit()

    assert meetings.plan_months(programme, admin, TODAY) == []
    dates = meeting_dates(programme)
    assert dates == [PLANNED_YEAR[0], date(2027, 2, 9), *PLANNED_YEAR[2:]]
    kept = meetings.meeting_on(programme, date(2027, 2, 9))
    assert (kept.update_deadline, kept.note) == (date(2027, 2, 1), "Moved for the half-term week.")
    # Planning further ahead adds only the months not yet planned, from the same cycle.
    later = meetings.plan_months(programme, admin, TODAY, 18)
    assert [meeting.meets_on for meeting in later] == [
        date(2027, 11, 26),
        date(2028, 1, 7),
        date(2028, 2, 18),
        date(2028, 3, 31),
        date(2028, 5, 12),
    ]
    assert meetings.plan_months(programme, admin, TODAY, 18) == []
    planned_events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "meetings_planned")
    )
    assert planned_events == 2


def test_a_weekly_board_over_christmas_keeps_each_week(app):
    # Saturday 25 December 2027 moves to Wednesday 29; the next Saturday, 1 January 2028, to Tuesday 4 January.
    programme = make_programme(board_cycle_weeks=1, reference_board_date=date(2027, 12, 18))
    added = meetings.plan_meetings(programme, None, date(2027, 12, 21), date(2028, 1, 8), command_line=True)
    assert [meeting.meets_on for meeting in added] == [date(2027, 12, 29), date(2028, 1, 4)]
    assert meetings.plan_meetings(programme, None, date(2027, 12, 21), date(2028, 1, 8), command_line=True) == []
    # Planning on from there keeps one meeting a week: Saturday 8 January 2028 moves to Monday 10.
    later = meetings.plan_meetings(programme, None, date(2027, 12, 1), date(2028, 1, 15), command_line=True)
    assert [meeting.meets_on for meeting in later] == [
        date(2027, 12, 6),
        date(2027, 12, 13),
        date(2027, 12, 20),
        date(2028, 1, 10),
    ]
    assert added[1].note == (
        "Moved from Saturday 1 January 2028: New Year's Day; then New Year's Day (substitute day) on Monday 3 January"
    )


def test_planning_is_for_the_programme_office(app):
    plan = make_plan()
    with pytest.raises(NotAllowed):
        meetings.plan_months(plan.programme, plan.lead, TODAY)
    with pytest.raises(NotAllowed):
        meetings.plan_months(plan.programme, None, TODAY)  # only the command line plans without an account
    with pytest.raises(InvalidChange) as refusal:
        meetings.plan_months(plan.programme, plan.admin, TODAY, 0)
    assert "months" in refusal.value.errors
    assert db.session.scalar(select(func.count()).select_from(BoardMeeting)) == 0


def test_each_programme_has_its_own_calendar(app):
    first = make_programme()
    second = make_programme(short_name="second", reference_board_date=date(2026, 11, 20))
    meetings.plan_months(first, None, TODAY, 3, command_line=True)
    meetings.plan_months(second, None, TODAY, 3, command_line=True)
    assert meeting_dates(first) == [date(2026, 12, 29), date(2027, 2, 5)]
    assert meeting_dates(second) == [date(2027, 1, 4), date(2027, 2, 12)]  # Friday 1 January moved to Monday
    assert meetings.meeting_on(second, date(2027, 1, 4)).note == "Moved from Friday 1 January 2027: New Year's Day"
    with pytest.raises(NotFound):
        meetings.meeting_on(first, date(2027, 1, 4))


# --- changing a meeting -----------------------------------------------------------------------------


def planned(programme) -> list[BoardMeeting]:
    added = meetings.plan_months(programme, None, TODAY, command_line=True)
    db.session.commit()
    return added


def test_change_errors_name_the_field(app):
    programme = make_programme()
    _christmas, february, *_ = planned(programme)
    clash = meetings.meeting_change_errors(MeetingChange(date(2027, 3, 19)), date_taken=True, saved=february)
    assert clash == {"meets_on": "The board already meets on Friday 19 March 2027. Choose another date"}
    late = meetings.meeting_change_errors(MeetingChange(date(2027, 2, 5), date(2027, 2, 8)), False, february)
    assert late == {"update_deadline": "The update deadline must be on or before the meeting, Friday 5 February 2027"}
    holiday = meetings.meeting_change_errors(MeetingChange(date(2027, 3, 29)), False, february)
    assert holiday == {"meets_on": "Monday 29 March 2027 is a bank holiday (Easter Monday). Choose a working day"}
    weekend = meetings.meeting_change_errors(MeetingChange(date(2027, 2, 5), date(2027, 1, 30)), False, february)
    assert weekend == {"update_deadline": "Saturday 30 January 2027 is at a weekend. Choose a working day"}
    assert meetings.meeting_change_errors(MeetingChange(None, note="x" * 301), False, february) == {
        "meets_on": "Enter the date of the meeting",
        "note": "The note must be 300 characters or fewer",
    }


def test_a_deadline_left_at_its_default_follows_the_meeting(app):
    programme = make_programme()
    admin = make_user("admin")
    february = planned(programme)[1]
    changed = meetings.change_meeting(february, admin, MeetingChange(date(2027, 2, 10), date(2027, 1, 29)), 1)
    assert changed == ["meets_on", "update_deadline"]
    assert february.update_deadline == date(2027, 2, 3)
    # A deadline the office set stays where they put it.
    meetings.change_meeting(february, admin, MeetingChange(date(2027, 2, 10), date(2027, 2, 1)), 2)
    meetings.change_meeting(february, admin, MeetingChange(date(2027, 2, 11), date(2027, 2, 1)), 3)
    assert (february.meets_on, february.update_deadline) == (date(2027, 2, 11), date(2027, 2, 1))
    # No deadline: the default, 5 working days before.
    meetings.change_meeting(february, admin, MeetingChange(date(2027, 2, 11)), 4)
    assert february.update_deadline == date(2027, 2, 4)
    assert meetings.change_meeting(february, admin, MeetingChange(date(2027, 2, 11)), 5) == []
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "meeting_changed")).first()
    assert event.detail == (
        "Board meeting of programme test on 2027-02-05 (updates due 2027-01-29) "
        "now on 2027-02-10 (updates due 2027-02-03)"
    )


def test_a_change_against_an_older_version_is_refused(app):
    programme = make_programme()
    admin = make_user("admin")
    february = planned(programme)[1]
    meetings.change_meeting(february, admin, MeetingChange(date(2027, 2, 8)), 1)
    with pytest.raises(VersionConflict):
        meetings.change_meeting(february, admin, MeetingChange(date(2027, 2, 9)), 1)
    with pytest.raises(VersionConflict):
        meetings.change_meeting(february, admin, MeetingChange(date(2027, 2, 9)), None)


def test_the_edit_form_shows_a_clash_next_to_the_date_and_writes_nothing(app, client_for):
    plan = make_plan()
    planned(plan.programme)
    office = client_for(plan.admin)
    before = database_snapshot()
    response = office.post("/p/test/meetings/2027-02-05/edit", data=meeting_form(date(2027, 3, 19)))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(page, "meets_on") == "The board already meets on Friday 19 March 2027. Choose another date"
    assert "There is a problem" in page and 'href="#meets_on-day"' in page
    assert database_snapshot() == before


def test_the_edit_form_refuses_a_deadline_after_the_meeting(app, client_for):
    plan = make_plan()
    planned(plan.programme)
    before = database_snapshot()
    response = client_for(plan.admin).post(
        "/p/test/meetings/2027-02-05/edit", data=meeting_form(date(2027, 2, 5), date(2027, 2, 12))
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(page, "update_deadline") == (
        "The update deadline must be on or before the meeting, Friday 5 February 2027"
    )
    assert database_snapshot() == before


def test_the_edit_form_refuses_a_date_that_is_not_a_date(app, client_for):
    plan = make_plan()
    planned(plan.programme)
    data = meeting_form(date(2027, 2, 5)) | {"meets_on": ["31", "2", "2027"]}
    response = client_for(plan.admin).post("/p/test/meetings/2027-02-05/edit", data=data)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "meets_on") == "Date of the meeting must be a real date"


def test_the_office_changes_a_meeting(app, client_for):
    plan = make_plan()
    planned(plan.programme)
    office = client_for(plan.admin)
    form = office.get("/p/test/meetings/2027-02-05/edit").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Change the board meeting on Friday 5 February 2027</h1>' in form
    assert 'name="version" type="hidden" value="1"' in form or 'value="1"' in form
    response = office.post("/p/test/meetings/2027-02-05/edit", data=meeting_form(date(2027, 2, 9), None, "Half term."))
    assert response.status_code == 302 and response.headers["Location"].endswith("/p/test/meetings")
    db.session.expire_all()
    moved = meetings.meeting_on(plan.programme, date(2027, 2, 9))
    assert (moved.update_deadline, moved.note, moved.version) == (date(2027, 2, 2), "Half term.", 2)
    assert "Board meeting on Tuesday 9 February 2027 saved." in office.get("/p/test/meetings").get_data(as_text=True)
    # A stale form (version 1) gets the conflict page, nothing overwritten.
    stale = office.post("/p/test/meetings/2027-02-09/edit", data=meeting_form(date(2027, 2, 10)))
    assert stale.status_code == 409
    assert "Someone else changed this meeting" in stale.get_data(as_text=True)
    assert office.get("/p/test/meetings/2027-02-05/edit").status_code == 404
    assert office.get("/p/test/meetings/not-a-date/edit").status_code == 404


# --- the pages ------------------------------------------------------------------------------------


def test_readers_see_the_list_and_only_the_office_plans(app, client_for):
    plan = make_plan()
    viewer, lead, office = client_for(plan.viewer), client_for(plan.lead), client_for(plan.admin)
    empty = viewer.get("/p/test/meetings").get_data(as_text=True)
    assert "By its cycle, every 6 weeks" in empty and "25 December 2026" in empty
    assert "Plan the next 12 months" not in empty

    assert lead.post("/p/test/meetings/plan").status_code == 403
    assert viewer.post("/p/test/meetings/plan").status_code == 403
    assert lead.get("/p/test/meetings/2027-02-05/edit").status_code == 404  # nothing planned yet
    assert db.session.scalar(select(func.count()).select_from(BoardMeeting)) == 0

    assert "Plan the next 12 months" in office.get("/p/test/meetings").get_data(as_text=True)
    response = office.post("/p/test/meetings/plan")
    assert response.status_code == 302
    assert "Planned 8 board meetings, up to Friday 15 October 2027." in office.get("/p/test/meetings").get_data(
        as_text=True
    )
    office.post("/p/test/meetings/plan")
    assert "Every board meeting of the next 12 months was already planned." in office.get("/p/test/meetings").get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(BoardMeeting)) == 8

    assert lead.get("/p/test/meetings/2027-02-05/edit").status_code == 403
    assert lead.post("/p/test/meetings/2027-02-05/edit", data=meeting_form(date(2027, 2, 9))).status_code == 403
    page = lead.get("/p/test/meetings").get_data(as_text=True)
    assert "Tuesday 29 December 2026" in page and "Change<span" not in page
    assert client_for().get("/p/test/meetings").status_code == 302  # sign in first


def test_the_list_is_public_when_the_progress_pages_are(app, client_for):
    plan = make_plan()
    plan.programme.public_progress_pages = True
    planned(plan.programme)
    response = client_for().get("/p/test/meetings")
    assert response.status_code == 200
    assert "Plan the next" not in response.get_data(as_text=True)
    assert client_for().post("/p/test/meetings/plan").status_code == 302  # to sign in
    assert db.session.scalar(select(func.count()).select_from(BoardMeeting)) == 8


def test_the_meetings_page_markup(app, client_for):
    plan = make_plan()
    programme = plan.programme
    db.session.add(
        BoardMeeting(programme_id=programme.id, meets_on=date(2026, 11, 13), update_deadline=date(2026, 11, 6))
    )
    planned(programme)
    page = client_for(plan.admin).get("/p/test/meetings").get_data(as_text=True)
    assert page.count("<h1") == 1 and '<h1 class="govuk-heading-l">Board meetings</h1>' in page
    assert re.search(r'<h2 class="govuk-heading-m" id="coming-boards">Coming boards <span[^>]*>\(8\)</span></h2>', page)
    assert re.search(r'<h2 class="govuk-heading-m" id="past-boards">Past boards <span[^>]*>\(1\)</span></h2>', page)
    assert '<table class="govuk-table app-table--compact app-table--stack" aria-labelledby="coming-boards">' in page
    assert '<table class="govuk-table app-table--compact app-table--stack" aria-labelledby="past-boards">' in page
    headers = re.findall(r'<th scope="col" class="govuk-table__header">(.*?)</th>', page)
    assert headers[:3] == ["Meeting", "Updates due by", "Note"]
    assert page.count('<th scope="row"') == 9
    # The next board is marked, with its moved date and why.
    next_row = re.search(r'<tr class="govuk-table__row app-meeting--next" id="next-board">(.*?)</tr>', page, re.S)
    assert next_row, "the next board is highlighted"
    row = next_row.group(1)
    assert "Tuesday 29 December 2026" in row and "Next board" in row and "Friday 18 December 2026" in row
    assert "Moved from Friday 25 December 2026: Christmas Day" in row
    assert 'href="/p/test/meetings/2026-12-29/edit"' in row
    assert "The next Improvement Board meets on <strong>Tuesday 29 December 2026</strong>" in page
    assert '<span class="govuk-visually-hidden"> the meeting on 29 December 2026</span>' in page
    # The menu offers the page on programme pages.
    assert re.search(r'href="/p/test/meetings"[^>]*>(<strong[^>]*>)?Board meetings<', page)


def test_the_edit_page_markup(app, client_for):
    plan = make_plan()
    planned(plan.programme)
    page = client_for(plan.admin).get("/p/test/meetings/2026-12-29/edit").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "<title>Change the board meeting on Tuesday 29 December 2026" in page
    for field, label in (("meets_on", "Date of the meeting"), ("update_deadline", "Updates due by")):
        assert re.search(rf'<fieldset class="govuk-fieldset" role="group" aria-describedby="{field}-hint"', page)
        assert label in page
    assert 'name="meets_on-day"' not in page or 'id="meets_on-day"' in page
    assert re.search(r'<label class="govuk-label" for="note">\s*Note\s*</label>', page)
    assert "Moved from Friday 25 December 2026: Christmas Day" in page  # the note, to edit
    assert 'action="/p/test/meetings/2026-12-29/edit"' in page


def test_the_overview_names_the_moved_board_and_links_to_the_meetings(app, client_for):
    plan = make_plan()
    viewer = client_for(plan.viewer)
    before = viewer.get("/p/test/").get_data(as_text=True)
    assert "meets on\n  <strong>25 December 2026</strong>" in before
    planned(plan.programme)
    after = viewer.get("/p/test/").get_data(as_text=True)
    assert "meets on\n  <strong>29 December 2026</strong>" in after
    assert '<a class="govuk-link" href="/p/test/meetings">see all board meetings</a>' in after


@pytest.mark.parametrize("cycle_weeks, months", [(6, 12), (1, 48)])
def test_the_meetings_page_sends_a_fixed_number_of_statements(app, client_for, count_queries, cycle_weeks, months):
    plan = make_plan()
    plan.programme.board_cycle_weeks = cycle_weeks
    meetings.plan_months(plan.programme, None, date(2025, 1, 1), months, command_line=True)
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(BoardMeeting))
    assert count >= (8 if cycle_weeks == 6 else 200)
    office = client_for(plan.admin)
    office.get("/p/test/meetings")
    statements = count_queries(lambda: office.get("/p/test/meetings"))
    assert statements == EXPECTED_MEETINGS_PAGE_STATEMENTS


# The signed-in user, the programme, its meetings; the session and menu read nothing more.
EXPECTED_MEETINGS_PAGE_STATEMENTS = 3


def test_cli_plans_the_meetings(app, runner):
    make_programme()
    result = runner.invoke(args=["programme", "plan-meetings", "--months", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Planned 2 board meetings of programme test:",
        "  Tuesday 29 December 2026 (updates due Friday 18 December 2026). "
        "Moved from Friday 25 December 2026: Christmas Day; then Boxing Day (substitute day) on Monday 28 December",
        "  Friday 5 February 2027 (updates due Friday 29 January 2027)",
    ]
    again = runner.invoke(args=["programme", "plan-meetings", "--months", "3", "--programme", "test"])
    assert again.exit_code == 0
    assert "already planned" in again.output
    bad = runner.invoke(args=["programme", "plan-meetings", "--programme", "nope"])
    assert bad.exit_code != 0 and "nope" in bad.output
    assert runner.invoke(args=["programme", "plan-meetings", "--months", "0"]).exit_code != 0


def test_planning_the_demo_moves_its_new_years_day_board(app, runner):
    from tracker.demo.loader import load_demo_programme

    load_demo_programme(TODAY)
    db.session.commit()
    programme = db.session.scalars(select(Programme)).one()
    # The demo's cycle lands on Friday 1 January 2027; the calendar holds it on Monday 4 January.
    assert programme.next_board_date(TODAY) == date(2027, 1, 1)
    result = runner.invoke(args=["programme", "plan-meetings", "--programme", programme.short_name])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert queries.next_board(programme, TODAY) == date(2027, 1, 4)
    assert meetings.meeting_on(programme, date(2027, 1, 4)).note == "Moved from Friday 1 January 2027: New Year's Day"

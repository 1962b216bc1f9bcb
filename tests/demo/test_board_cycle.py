"""`flask demo load` leaves every board page with real content: a calendar, two frozen boards with real
changes between them, an open round with some leads behind, and the seed report's risks."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import TODAY
from tracker.board.models import BoardSnapshot, UpdateRound
from tracker.board.movement import movement_for_meeting
from tracker.board.round_queries import round_status
from tracker.extensions import db
from tracker.programme.calendar import is_working_day
from tracker.programme.meetings import meetings_of
from tracker.programme.models import BoardMeeting, Programme
from tracker.programme.queries import next_board
from tracker.risks.models import Risk


def load(runner) -> str:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def programme(short_name: str) -> Programme:
    return db.session.scalars(select(Programme).where(Programme.short_name == short_name)).one()


def test_the_calendar_is_planned_on_working_days_around_the_seeds_board(runner, app):
    load(runner)
    for short_name in ("children", "education"):
        meetings = meetings_of(programme(short_name))
        assert len([m for m in meetings if m.meets_on >= TODAY]) >= 8, short_name
        assert all(is_working_day(m.meets_on) for m in meetings), short_name
        assert is_working_day(next_board(programme(short_name), TODAY))
    # The seed's board of 17 March 2023, shifted as the plan's dates are, is one of the children's meetings.
    children = programme("children")
    assert children.reference_board_date in {m.meets_on for m in meetings_of(children)}


def test_two_boards_are_frozen_with_real_changes_between_them(runner, app):
    load(runner)
    children = programme("children")
    frozen = db.session.scalars(
        select(BoardMeeting)
        .join(BoardSnapshot, BoardSnapshot.meeting_id == BoardMeeting.id)
        .where(BoardMeeting.programme_id == children.id)
        .order_by(BoardMeeting.meets_on)
    ).all()
    assert len(frozen) == 2 and frozen[1].meets_on == children.reference_board_date
    moved = movement_for_meeting(children, frozen[1], TODAY)
    assert moved is not None
    sentences = [transition.sentence for transition in moved.transitions]
    assert "9 actions Amber → Green" in sentences and "1 action Amber → Red" in sentences
    assert len(moved.date_moves) == 2 and all("first phase needs more time" in m.reason for m in moved.date_moves)


def test_a_round_is_open_for_the_next_board_with_some_leads_behind(runner, app):
    output = load(runner)
    children = programme("children")
    update_round = db.session.scalars(select(UpdateRound).where(UpdateRound.programme_id == children.id)).one()
    assert update_round.meeting.meets_on == next_board(children, TODAY)
    status = round_status(update_round)
    assert 0 < status.updated_count < status.item_count
    assert any(lead.is_done or lead.updated for lead in status.leads) and status.leads_behind
    assert "leads behind" in output


def test_the_seed_reports_risks_are_in_the_register_and_a_rerun_adds_nothing(runner, app):
    load(runner)
    risks = db.session.scalars(select(Risk).where(Risk.programme_id == programme("children").id)).all()
    assert {risk.description.split(",")[0] for risk in risks} == {
        "Scale and pace of recruitment",
        "Access to data and information",
    }
    snapshots = db.session.scalars(select(BoardSnapshot.id)).all()
    again = load(runner)
    assert "frozen boards and rounds left as they are" in again
    assert db.session.scalars(select(BoardSnapshot.id)).all() == snapshots
    assert len(db.session.scalars(select(Risk)).all()) == len(risks)

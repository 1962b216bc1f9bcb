"""The demo programme: the real plan, loaded idempotently, with dates that mean something today."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.conftest import TODAY
from tracker.demo.loader import demo_date_shift, load_demo_programme
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.rollups import programme_rollup
from tracker.programme.status import Status


def row_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Programme, Person, Workstream, Project, Action)
    }


def test_demo_holds_the_whole_published_plan(app):
    load_demo_programme(TODAY)
    assert row_counts() == {"Programme": 1, "Person": 8, "Workstream": 7, "Project": 62, "Action": 145}
    refs = db.session.scalars(select(Workstream.ref).order_by(Workstream.ref_sort)).all()
    assert refs == ["A", "B", "C", "D", "E", "E1", "E2"]
    e1 = db.session.scalars(select(Workstream).where(Workstream.ref == "E1")).one()
    assert e1.parent.ref == "E"
    a1 = db.session.scalars(select(Project).where(Project.ref == "A1")).one()
    assert a1.lead.name == "Director of Children's Services"
    assert [a.value for a in a1.ambitions] == ["INCLUSIVE"]
    assert a1.status is Status.GREEN  # "A high-level strategic vision ... is now in place"
    assert len(a1.actions) == len(a1.deliverable_list) >= 1


def test_loading_twice_duplicates_nothing(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = row_counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert row_counts() == counts


def test_reported_separately_workstreams_follow_the_report(app):
    load_demo_programme(TODAY)
    bodies = dict(db.session.execute(select(Workstream.ref, Workstream.reported_separately_by)).all())
    assert bodies["C"] == "SEND Improvement Board"
    assert bodies["D"] == "Travel Service programme"
    assert bodies["A"] is None


def test_dates_move_by_whole_board_cycles_so_the_seed_board_is_the_latest(app):
    shift = demo_date_shift(date(2023, 3, 17), 6, TODAY)
    assert shift.days % 42 == 0
    shifted_board = date(2023, 3, 17) + shift
    assert shifted_board <= TODAY < date.fromordinal(shifted_board.toordinal() + 42)
    load_demo_programme(TODAY)
    programme = db.session.scalars(select(Programme)).one()
    assert programme.reference_board_date == shifted_board
    a1 = db.session.scalars(select(Project).where(Project.ref == "A1")).one()
    assert a1.target_date == date(2023, 3, 31) + shift


def test_the_demo_is_meaningful_today_not_simply_overdue(app):
    load_demo_programme(TODAY)
    programme = db.session.scalars(select(Programme)).one()
    rollup = programme_rollup(programme, TODAY)
    open_actions = rollup.actions.total - sum(
        count for status, count in rollup.actions.by_status.items() if status.is_complete
    )
    assert 0 < rollup.actions.overdue < open_actions / 2
    assert rollup.actions.due_before_board > 0
    assert rollup.actions.by_status[Status.RED] > 0

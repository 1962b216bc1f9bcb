"""Rules with a Python form and an SQL form agree on the same rows.

"Overdue", "due before the next board" and "Grey but started" live in ``ActionTiming``; "who may
edit" lives in ``tracker.programme.permissions``. Each has a Python form (asked of a loaded item)
and an SQL form (a WHERE clause for lists and roll-ups). These tests build rows that sit on
every edge, run both forms and compare.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import (
    make_action,
    make_person,
    make_programme,
    make_project,
    make_user,
    make_workstream,
    test_programme,
)
from tracker.auth.models import ProgrammeRole, Role, WorkstreamEditor
from tracker.extensions import db
from tracker.programme.models import Action, ActionTiming, Project
from tracker.programme.permissions import (
    can_edit_action,
    can_edit_project,
    editable_actions_clause,
    editable_projects_clause,
)
from tracker.programme.queries import ActionFilters, filtered_actions
from tracker.programme.queries_my_actions import my_items
from tracker.programme.rollups import project_action_counts
from tracker.programme.status import Status

BASE = date(2026, 11, 25)
DEADLINES = [None, *(BASE + timedelta(days=d) for d in (-30, -1, 0, 1, 29, 30, 31, 200))]
STARTS = [None, *(BASE + timedelta(days=d) for d in (-10, 0, 10))]
# Days to judge on: either side of every deadline and start date above.
DAYS = sorted(
    {BASE + timedelta(days=d + edge) for d in (-30, -10, -1, 0, 1, 10, 29, 30, 31, 200) for edge in (-1, 0, 1)}
)
BOARD_IN = (0, 1, 30)  # the next board meets today, tomorrow, or in 30 days


def _timing_rows() -> list[Action]:
    """One live action for every status, deadline and start date the database accepts."""
    make_programme()
    project = make_project(make_workstream("T"), "T1")
    actions = []
    for n, (status, deadline, start) in enumerate(itertools.product(Status, DEADLINES, STARTS)):
        if deadline is not None and start is not None and start > deadline:
            continue  # the starts_before_deadline constraint refuses these
        completed = BASE - timedelta(days=40) if status.is_complete else None
        actions.append(
            make_action(project, f"T1.{n}", status=status, deadline=deadline, start_date=start, completed_on=completed)
        )
    db.session.commit()
    return actions


def _selected(clause) -> set[int]:
    return set(db.session.scalars(select(Action.id).where(clause)))


def test_overdue_due_and_grey_agree_in_python_and_sql(app):
    actions = _timing_rows()
    assert len(actions) == 5 * 29  # every status on every accepted deadline and start date
    seen = {"overdue": 0, "due": 0, "grey": 0}
    for day in DAYS:
        overdue = {a.id for a in actions if a.is_overdue(day)}
        grey = {a.id for a in actions if a.grey_but_started(day)}
        assert _selected(ActionTiming.overdue_clause(day)) == overdue, day
        assert _selected(ActionTiming.grey_but_started_clause(day)) == grey, day
        seen["overdue"] += len(overdue)
        seen["grey"] += len(grey)
        for weeks_away in BOARD_IN:
            board = day + timedelta(days=weeks_away)
            due = {a.id for a in actions if a.is_due_before(day, board)}
            assert _selected(ActionTiming.due_before_clause(day, board)) == due, (day, board)
            seen["due"] += len(due)
    assert all(seen.values()), seen  # every rule was true of some rows, not only false of all


@pytest.mark.parametrize("day", [BASE + timedelta(days=d) for d in (-31, 0, 30, 201)])
def test_the_action_list_and_the_roll_up_count_what_the_python_form_says(app, day):
    """The action list filters and the roll-up counts are built on the SQL form: same answers."""
    actions = _timing_rows()
    board = day + timedelta(days=30)
    overdue = {a.ref for a in actions if a.is_overdue(day)}
    due = {a.ref for a in actions if a.is_due_before(day, board)}
    programme = actions[0].programme
    listed = filtered_actions(programme, ActionFilters(overdue=True), day, page=1, per_page=1000)
    assert {row.ref for row in listed.actions} == overdue
    assert all(row.is_overdue(day) for row in listed.actions)  # the light rows judge alike
    listed = filtered_actions(programme, ActionFilters(due_before=board), day, page=1, per_page=1000)
    assert {row.ref for row in listed.actions} == due
    [counts] = project_action_counts([actions[0].project_id], day, board).values()
    assert (counts.overdue, counts.due_before_board) == (len(overdue), len(due))


# --- who may edit -------------------------------------------------------------------------------


def _edit_rights_plan() -> dict:
    """Items on every path to an edit right, and one user of each kind."""
    make_programme()
    alex, olu, dee = make_person(name="Alex Lead"), make_person(name="Olu Other"), make_person(name="Dee Gone")
    top, other = make_workstream("W"), make_workstream("X")
    sub = make_workstream("W1", parent=top)
    p_alex = make_project(top, "W.1", lead=alex)
    p_sub = make_project(sub, "W1.1", lead=olu)
    p_other = make_project(other, "X.1", lead=None)
    p_dee = make_project(other, "X.2", lead=dee)
    # A second programme with the same refs: roles are held per programme.
    kim = make_person(name="Kim Both")
    second = make_programme(short_name="second")
    p_second = make_project(make_workstream("W", programme=second), "W.1", lead=kim)
    for project, leads in [
        (p_alex, [alex, olu, None]),
        (p_sub, [alex, None]),
        (p_other, [alex, olu, dee, None, kim]),
        (p_dee, [olu]),
        (p_second, [kim, None]),
    ]:
        for n, lead in enumerate(leads):
            make_action(project, f"{project.ref}.{n}", lead=lead)
    top_editor = make_user("lead", name="Top editor", email="top@council.example.gov.uk")
    sub_editor = make_user("lead", name="Sub editor", email="sub@council.example.gov.uk")
    db.session.add_all(
        [
            WorkstreamEditor(user_id=top_editor.id, workstream_id=top.id),
            WorkstreamEditor(user_id=sub_editor.id, workstream_id=sub.id),
        ]
    )
    users = {
        "admin": make_user("admin", email="admin@council.example.gov.uk"),
        "lead of actions and a project": make_user("lead", person=alex, email="alex@council.example.gov.uk"),
        "lead of a project in a sub-workstream": make_user("lead", person=olu, email="olu@council.example.gov.uk"),
        "editor of a top-level workstream": top_editor,
        "editor of a sub-workstream": sub_editor,
        "lead of nothing": make_user("lead", email="idle@council.example.gov.uk"),
        "viewer named as a lead": make_user(Role.VIEWER, person=dee, email="dee@council.example.gov.uk"),
        "deactivated lead": make_user("lead", active=False, email="gone@council.example.gov.uk"),
        "nobody signed in": None,
        "lead here, viewer in the second programme": make_user("lead", person=kim, email="kim@council.example.gov.uk"),
        "office of the second programme only": make_user("viewer", email="office2@council.example.gov.uk"),
    }
    db.session.add_all(
        [
            ProgrammeRole(
                user_id=users["lead here, viewer in the second programme"].id, programme_id=second.id, role=Role.VIEWER
            ),
            ProgrammeRole(
                user_id=users["office of the second programme only"].id, programme_id=second.id, role=Role.ADMIN
            ),
        ]
    )
    # The deactivated lead once edited the whole of W and led project X.2's work.
    db.session.add(WorkstreamEditor(user_id=users["deactivated lead"].id, workstream_id=top.id))
    db.session.commit()
    return users


def test_who_may_edit_agrees_in_python_and_sql(app):
    users = _edit_rights_plan()
    actions = db.session.scalars(select(Action)).all()
    projects = db.session.scalars(select(Project)).all()
    editable = {}
    for who, user in users.items():
        by_python = {a.id for a in actions if can_edit_action(user, a)}
        assert _selected(editable_actions_clause(user)) == by_python, who
        projects_by_python = {p.id for p in projects if can_edit_project(user, p)}
        by_sql = set(db.session.scalars(select(Project.id).where(editable_projects_clause(user))))
        assert by_sql == projects_by_python, who
        editable[who] = {(a.programme.short_name, a.ref) for a in actions if a.id in by_python}
    everything = {(a.programme.short_name, a.ref) for a in actions}
    second = {(a.programme.short_name, a.ref) for a in actions if a.programme.short_name == "second"}
    assert editable["admin"] == everything
    assert editable["office of the second programme only"] == second == {("second", "W.1.0"), ("second", "W.1.1")}
    assert editable["lead here, viewer in the second programme"] == {("test", "X.1.4")}
    editable = {who: {ref for short_name, ref in refs if short_name == "test"} for who, refs in editable.items()}
    assert editable["lead of actions and a project"] == {"W.1.0", "W.1.1", "W.1.2", "W1.1.0", "X.1.0"}
    assert editable["lead of a project in a sub-workstream"] == {"W.1.1", "W1.1.0", "W1.1.1", "X.1.1", "X.2.0"}
    assert editable["editor of a top-level workstream"] == {"W.1.0", "W.1.1", "W.1.2", "W1.1.0", "W1.1.1"}
    assert editable["editor of a sub-workstream"] == {"W1.1.0", "W1.1.1"}
    for nobody in ("lead of nothing", "viewer named as a lead", "deactivated lead", "nobody signed in"):
        assert editable[nobody] == set(), nobody


def test_my_actions_lists_what_a_lead_may_edit(app):
    users = _edit_rights_plan()
    actions = db.session.scalars(select(Action)).all()
    for who in ("lead of actions and a project", "editor of a top-level workstream", "editor of a sub-workstream"):
        user = users[who]
        mine = my_items(user, test_programme(), BASE, BASE + timedelta(days=30))
        listed = {
            a.id for group in (mine.overdue, mine.due_before_board, mine.grey_but_started, mine.the_rest) for a in group
        }
        assert listed == {a.id for a in actions if can_edit_action(user, a)}, who

"""The live position follows writes by patching what the change journal names, and is never stale or wrong.

After a lead's update the live position (which movement, the data-quality checks, the pack and the API
read) re-reads only the journalled projects and actions; anything else reads it all again. Either way
it must encode to exactly what reading it afresh gives.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.board.helpers import board_world
from tests.conftest import TODAY
from tests.factories import make_action, make_person
from tests.kpis.factories import make_value
from tracker.board.snapshots import build_position, encode, live_position
from tracker.core.errors import InvalidChange
from tracker.extensions import db
from tracker.programme.data_version import changes_since
from tracker.programme.models import Action, Programme, ProgrammeChange, Project
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, ProjectUpdate, update_action, update_project


def _fresh(programme: Programme) -> str:
    return encode(build_position(programme, TODAY))


def _live(programme: Programme) -> str:
    return encode(live_position(programme, TODAY))


def _journal(programme: Programme) -> list[tuple[int, str | None, int | None]]:
    rows = db.session.execute(
        select(ProgrammeChange.version, ProgrammeChange.item_type, ProgrammeChange.item_id)
        .where(ProgrammeChange.programme_id == programme.id)
        .order_by(ProgrammeChange.version, ProgrammeChange.item_type, ProgrammeChange.item_id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_leads_update_is_journalled_by_item_at_the_version_it_made(app, admin_user):
    world = board_world()
    programme: Programme = world["programme"]
    action = db.session.scalars(select(Action).where(Action.ref == "A1.1")).one()
    update = ActionUpdate(Status.RED, "Behind", deadline=action.deadline, status_reason="Staff off")
    update_action(action, admin_user, update, action.version, TODAY)
    db.session.commit()
    assert _journal(programme)[-1] == (programme.data_version, "action", action.id)
    project = db.session.scalars(select(Project).where(Project.ref == "A2")).one()
    project_update = ProjectUpdate(Status.AMBER, "Slower", "Recruit", status_reason="Vacancies")
    update_project(project, admin_user, project_update, project.version, TODAY)
    db.session.commit()
    assert _journal(programme)[-1] == (programme.data_version, "project", project.id)
    assert changes_since(programme, programme.data_version - 2) == {"action": {action.id}, "project": {project.id}}


def test_writes_the_journal_cannot_place_say_anything_may_have_changed(app):
    world = board_world()
    programme: Programme = world["programme"]
    before = programme.data_version
    make_value(world["kpi"], date(2026, 10, 31), 64, "October 2026")  # a KPI value: not a project or action
    db.session.commit()
    assert changes_since(programme, before) is None
    version = programme.data_version
    world["lead"].name = "Robin Renamed"  # shown by every programme
    db.session.commit()
    assert _journal(programme)[-1] == (programme.data_version, None, None) and programme.data_version > version
    version = programme.data_version
    programme.board_cycle_weeks = 4  # the programme's own row
    db.session.commit()
    assert programme.data_version == version + 1
    assert _journal(programme)[-1] == (version + 1, None, None)


def test_a_version_missing_from_the_journal_means_read_everything(app):
    programme = board_world()["programme"]
    action = db.session.scalars(select(Action).where(Action.ref == "A1.1")).one()
    action.status = Status.RED
    db.session.commit()
    assert changes_since(programme, programme.data_version - 1) == {"action": {action.id}}
    db.session.execute(ProgrammeChange.__table__.delete().where(ProgrammeChange.version == programme.data_version))
    db.session.commit()
    assert changes_since(programme, programme.data_version - 1) is None  # pruned, or written before the journal
    assert changes_since(programme, programme.data_version + 1) is None  # a version from another database


def test_after_a_leads_update_the_live_position_reads_only_what_changed(app, admin_user, count_queries):
    programme = board_world(actions_per_project=3, projects=3)["programme"]
    first = live_position(programme, TODAY)
    action = db.session.scalars(select(Action).where(Action.ref == "A2.3")).one()
    update_action(
        action,
        admin_user,
        ActionUpdate(Status.AMBER, "Started", deadline=TODAY + timedelta(days=40), deadline_reason="Supplier late"),
        action.version,
        TODAY,
    )
    db.session.commit()
    whole = count_queries(lambda: build_position(programme, TODAY))
    patched = count_queries(lambda: live_position(programme, TODAY))
    assert patched < whole  # journal, roll-up, the changed items' notes, projects and actions
    position = live_position(programme, TODAY)
    assert position is not first and first["actions"] != position["actions"]  # the earlier document is untouched
    changed = next(item for item in position["actions"] if item["ref"] == "A2.3")
    assert (changed["status"], changed["deadline_note"]) == ("amber", "Supplier late")
    assert _live(programme) == _fresh(programme)


def _refusal_allowed(save, *arguments) -> None:
    """Save, or roll back when the rules refuse the update (a lead would see the message and try again)."""
    try:
        save(*arguments)
    except InvalidChange:
        db.session.rollback()


def test_the_live_position_equals_a_fresh_read_through_random_writes(app, admin_user):
    """Property check: patched or read again, the live position is always what reading it now gives."""
    rng = random.Random(13)
    world = board_world(actions_per_project=4, projects=3)
    programme: Programme = world["programme"]
    projects = list(db.session.scalars(select(Project).where(Project.programme_id == programme.id)))
    other_lead = make_person(name="Alex Other")
    db.session.commit()
    assert _live(programme) == _fresh(programme)
    for step in range(80):
        actions = list(db.session.scalars(select(Action).where(Action.archived_at.is_(None))))
        action, project = rng.choice(actions), rng.choice(projects)
        choice = rng.randrange(10)
        if choice <= 3:  # what leads do most: an update through the service
            status = rng.choice([Status.GREY, Status.AMBER, Status.RED])
            deadline = TODAY + timedelta(days=rng.randrange(-20, 90))
            update = ActionUpdate(status, f"Note {step}", deadline=deadline, deadline_reason=f"Reason {step}")
            _refusal_allowed(update_action, action, admin_user, update, action.version, TODAY)
        elif choice == 4:
            update = ProjectUpdate(rng.choice(list(Status)), f"P{step}", "", status_reason=f"Why {step}")
            _refusal_allowed(update_project, project, admin_user, update, project.version, TODAY)
        elif choice == 5:
            action.lead = rng.choice([other_lead, world["lead"], None])
        elif choice == 6:
            action.position = rng.randrange(5)  # moves it in board order: read everything again
        elif choice == 7:
            make_action(project, status=rng.choice(list(Status)))
        elif choice == 8:
            action.archived_at = action.updated_at  # leaves the board
        else:
            action.project = project  # under another project
        db.session.commit()
        assert _live(programme) == _fresh(programme), f"step {step}, write {choice}"


def test_a_write_from_another_session_is_seen(app):
    """Another worker's write reaches this process's live position through the database, not through memory."""
    programme = board_world()["programme"]
    live_position(programme, TODAY)
    db.session.commit()  # this request ends
    with Session(bind=db.engine) as other, other.begin():  # another worker: its own connection and session
        action = other.scalars(select(Action).where(Action.ref == "A1.2")).one()
        action.status = Status.BLUE
        action.completed_on = TODAY
    status = next(item["status"] for item in live_position(programme, TODAY)["actions"] if item["ref"] == "A1.2")
    assert status == "blue"
    assert _live(programme) == _fresh(programme)

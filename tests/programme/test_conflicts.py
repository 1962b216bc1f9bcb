"""No lost updates: a save against a newer version gets 409 and both texts, nothing overwritten."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from tests.conftest import TODAY
from tests.programme.editing import action_form, database_snapshot, history_of, make_plan, project_form
from tracker.core.errors import VersionConflict
from tracker.extensions import db
from tracker.programme import updates
from tracker.programme.models import Action, Project
from tracker.programme.status import Status


def _version_field(page: str) -> str:
    tag = re.search(r'<input[^>]*name="version"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def test_the_second_save_gets_a_conflict_page_with_both_texts(app, client_for):
    plan = make_plan()
    first, second = client_for(plan.lead), client_for(plan.admin)
    first_form = first.get("/p/test/actions/A1.1/update").get_data(as_text=True)
    second_form = second.get("/p/test/actions/A1.1/update").get_data(as_text=True)
    assert _version_field(first_form) == _version_field(second_form) == "1"

    saved = first.post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Alex: coordinators hired.")
    )
    assert saved.status_code == 302
    after_first = database_snapshot()

    conflict = second.post(
        "/p/test/actions/A1.1/update",
        data=action_form(
            plan.action, version="1", status="red", status_reason="Pat: budget cut.", progress_note="Pat: on hold."
        ),
    )
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert "Someone else updated action A1.1 while you were editing it" in page
    assert "Alex Lead saved a change on" in page and "<time datetime=" in page
    theirs = re.findall(r'data-conflict="theirs">(.*?)</td>', page, re.S)
    yours = re.findall(r'data-conflict="yours">(.*?)</td>', page, re.S)
    assert any("Alex: coordinators hired." in cell for cell in theirs)
    assert any("Pat: on hold." in cell for cell in yours) and any("Pat: budget cut." in cell for cell in yours)
    assert "Nothing you typed has been saved yet" in page
    # The form is filled in with what the second person typed, carrying the newer version.
    assert ">Pat: on hold.</textarea>" in page
    assert _version_field(page) == "2"
    assert database_snapshot() == after_first  # the first save is intact, nothing half-written

    # Saving again from the conflict page applies the second person's changes on top.
    again = second.post(
        "/p/test/actions/A1.1/update",
        data=action_form(
            plan.action,
            version=_version_field(page),
            status="red",
            status_reason="Pat: budget cut.",
            progress_note="Pat: on hold.",
        ),
    )
    assert again.status_code == 302
    db.session.refresh(plan.action)
    assert (plan.action.status, plan.action.progress_note, plan.action.version) == (Status.RED, "Pat: on hold.", 3)
    notes = [r.new_value for r in history_of(plan.action) if r.field == "progress_note"]
    assert notes == ["Alex: coordinators hired.", "Pat: on hold."]  # both saves kept in history


def test_a_project_save_against_an_older_version_is_refused(app, client_for):
    plan = make_plan()
    stale = project_form(plan.project, progress="Stale narrative.")
    fresh = project_form(plan.project, progress="Fresh.")
    assert client_for(plan.lead).post("/p/test/projects/A1/update", data=fresh).status_code == 302
    response = client_for(plan.admin).post("/p/test/projects/A1/update", data=stale)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else updated project A1 while you were editing it" in page
    assert "Fresh." in page and "Stale narrative." in page
    db.session.refresh(plan.project)
    assert plan.project.progress == "Fresh."


def test_a_race_inside_one_request_is_caught_by_the_version_column(app):
    """Between reading the item and writing it, someone else commits: StaleDataError becomes a conflict."""
    plan = make_plan()
    action, admin = plan.action, plan.admin
    seen_version = action.version
    _ = action.project.workstream, admin.editable_workstreams  # loaded, as a request would have them
    db.session.close()  # detach with what was read; the next statement starts a new transaction
    with db.engine.begin() as other_request:
        other_request.execute(
            update(Action)
            .where(Action.id == action.id)
            .values(progress_note="Saved by the other request.", version=Action.version + 1)
        )
    db.session.add_all([action, admin])
    with pytest.raises(VersionConflict):
        updates.update_action(
            action,
            admin,
            updates.ActionUpdate(status=Status.AMBER, progress_note="Would overwrite.", deadline=action.deadline),
            seen_version,
            TODAY,
        )
    db.session.rollback()
    assert db.session.get(Action, action.id).progress_note == "Saved by the other request."
    assert history_of(action) == []


def test_a_race_on_a_project_is_caught_too(app):
    plan = make_plan()
    project, admin = plan.project, plan.admin
    _ = project.workstream, admin.editable_workstreams
    db.session.close()
    with db.engine.begin() as other_request:
        other_request.execute(update(Project).where(Project.id == project.id).values(version=Project.version + 1))
    db.session.add_all([project, admin])
    with pytest.raises(VersionConflict):
        updates.update_project(project, admin, updates.ProjectUpdate(status=Status.AMBER, progress="Lost?"), 1, TODAY)
    db.session.rollback()


def test_an_admin_edit_against_an_older_version_is_refused(app, client_for):
    plan = make_plan()
    admin = client_for(plan.admin)
    form = admin.get("/p/test/admin/structure/actions/A1.1/edit").get_data(as_text=True)
    assert _version_field(form) == "1"
    client_for(plan.lead).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Lead saved.")
    )
    before = database_snapshot()
    response = admin.post(
        "/p/test/admin/structure/actions/A1.1/edit",
        data={
            "ref": "A1.1",
            "title": "Renamed by admin",
            "project_id": str(plan.project.id),
            "lead_id": str(plan.lead.person_id),
            "start_date": ["1", "1", "2026"],
            "deadline": ["31", "1", "2027"],
            "version": "1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed action A1.1 after you opened this page" in page
    assert 'value="Renamed by admin"' in page and _version_field(page) == "2"
    assert database_snapshot() == before

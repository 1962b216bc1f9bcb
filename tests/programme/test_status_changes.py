"""A change of status is kept in the audit log too; the pure status rules; refusals a person understands."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from tests.programme.editing import action_form, make_plan, project_form
from tracker.audit.models import AuditEvent
from tracker.core.errors import NotAllowed, NotFound
from tracker.core.registry import registry_of
from tracker.extensions import db
from tracker.programme import queries, updates
from tracker.programme.status import Status
from tracker.programme.status_rules import (
    completed_on_errors,
    deadline_change_errors,
    kept_completed_on,
    needs_recovery_note,
)

AMBER, BLUE, GREEN, GREY, RED = Status.AMBER, Status.BLUE, Status.GREEN, Status.GREY, Status.RED


def _status_events() -> list[AuditEvent]:
    db.session.commit()
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.event == "status_changed").order_by(AuditEvent.id))
    )


# --- the audit log -------------------------------------------------------------------------------


def test_a_status_change_by_a_lead_is_in_the_audit_log(app, client_for):
    plan = make_plan()
    response = client_for(plan.lead).post(
        "/p/test/actions/A1.1/update",
        data=action_form(plan.action, status="red", status_reason="Supplier withdrew; re-tender by March."),
    )
    assert response.status_code == 302
    response = client_for(plan.lead).post("/p/test/projects/A1/update", data=project_form(plan.project, status="green"))
    assert response.status_code == 302
    [action_event, project_event] = _status_events()
    assert action_event.detail == "Action A1.1 status changed from Amber to Red: Supplier withdrew; re-tender by March."
    assert project_event.detail == "Project A1 status changed from Amber to Green"
    assert {action_event.user_id, project_event.user_id} == {plan.lead.id}


def test_the_audit_page_names_the_event(app, client_for):
    plan = make_plan()
    client_for(plan.lead).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, status="red", status_reason="Late.")
    )
    assert registry_of(app).audit_labels["status_changed"] == "Progress: status changed"
    page = client_for(plan.admin).get("/admin/audit").get_data(as_text=True)
    assert "Progress: status changed" in page and "Action A1.1 status changed from Amber to Red" in page


def test_an_update_that_keeps_the_status_writes_no_audit_event(app, client_for):
    plan = make_plan()
    response = client_for(plan.lead).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="More.")
    )
    assert response.status_code == 302
    assert _status_events() == []


def test_a_refused_status_change_writes_no_audit_event(app, client_for):
    plan = make_plan()
    response = client_for(plan.lead).post("/p/test/actions/A1.1/update", data=action_form(plan.action, status="red"))
    assert response.status_code == 200  # Red needs a reason
    assert _status_events() == []


def test_the_audit_event_is_written_in_the_same_transaction_as_the_change(app):
    plan = make_plan()
    updates.update_project(
        plan.project,
        plan.lead,
        updates.ProjectUpdate(status=Status.RED, status_reason="Why."),
        plan.project.version,
        TODAY,
    )
    assert db.session.scalars(select(AuditEvent)).all() != []  # visible inside the transaction
    db.session.rollback()
    assert _status_events() == []
    assert db.session.get(type(plan.project), plan.project.id).status is AMBER


# --- the pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needed"),
    [
        (AMBER, RED, True),
        (GREY, RED, True),
        (RED, RED, False),
        (GREEN, AMBER, True),
        (BLUE, GREEN, True),
        (GREEN, BLUE, False),
        (AMBER, GREEN, False),
        (RED, AMBER, False),
        (GREEN, GREEN, False),
    ],
)
def test_a_recovery_note_is_needed_going_to_red_or_back_from_done(old, new, needed):
    assert needs_recovery_note(old, new) is needed


def test_a_completed_date_carried_over_is_dropped_but_a_typed_one_is_kept_to_be_refused():
    done = date(2026, 10, 1)
    assert kept_completed_on(GREEN, done, done) == done
    assert kept_completed_on(AMBER, done, done) is None  # the form showed it pre-filled
    assert kept_completed_on(AMBER, date(2026, 10, 2), done) == date(2026, 10, 2)
    assert set(completed_on_errors(AMBER, date(2026, 10, 2))) == {"completed_on"}
    assert completed_on_errors(GREEN, done) == {}


def test_deadline_changes_need_a_reason_and_a_date_after_the_start():
    start, old = date(2026, 1, 1), date(2027, 1, 31)
    assert deadline_change_errors(old, old, "", start) == {}
    assert set(deadline_change_errors(old, date(2027, 3, 31), "", start)) == {"deadline_reason"}
    assert set(deadline_change_errors(old, None, "Dropped.", start)) == {"deadline"}
    assert deadline_change_errors(old, date(2025, 12, 31), "Typo.", start) == {
        "deadline": "The deadline must be on or after the start date, 1 January 2026"
    }


# --- refusals ------------------------------------------------------------------------------------


def test_a_refused_update_says_who_may_make_it(app, client_for):
    plan = make_plan()
    response = client_for(plan.other_lead).post("/p/test/actions/A1.1/update", data=action_form(plan.action))
    assert response.status_code == 403
    assert (
        "Only the lead of action A1.1, the lead of its project or the programme office can update it."
        in response.get_data(as_text=True)
    )
    with pytest.raises(NotAllowed, match="Only the lead of project A1 or the programme office"):
        updates.update_project(plan.project, plan.viewer, updates.ProjectUpdate(status=AMBER), 1, TODAY)


@pytest.mark.parametrize(
    ("load", "ref", "message"),
    [
        (queries.action_by_ref, "Z9.9", "There is no action Z9.9."),
        (queries.project_for_update, "Z9", "There is no project Z9."),
        (queries.action_for_update, "A" * 41, "There is no action with that reference."),
    ],
)
def test_queries_refuse_missing_items_with_the_words_of_the_404_page(app, load, ref, message):
    plan = make_plan()
    with pytest.raises(NotFound) as refusal:
        load(plan.programme, ref)
    assert str(refusal.value) == message

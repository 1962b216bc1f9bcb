"""Every change is kept, shown as a timeline on the item's page, and cannot be edited or deleted."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from tests.programme.editing import action_form, database_snapshot, history_of, make_plan, project_form
from tracker.extensions import db
from tracker.history.models import ChangeRecord, HistoryIsAppendOnly
from tracker.history.services import FieldChange, history_text, record_changes, timeline
from tracker.programme import updates
from tracker.programme.status import Status


def test_an_update_records_who_when_old_new_and_why_for_each_field(app, client_for):
    plan = make_plan()
    response = client_for(plan.lead).post(
        "/p/test/actions/A1.1/update",
        data=action_form(
            plan.action,
            status="red",
            status_reason="Supplier withdrew; re-tender by March.",
            deadline=date(2027, 4, 30),
            deadline_reason="Re-tender adds three months.",
            progress_note="Supplier withdrew in October.",
        ),
    )
    assert response.status_code == 302
    records = history_of(plan.action)
    by_field = {r.field: (r.old_value, r.new_value, r.note) for r in records}
    assert by_field == {
        "status": ("amber", "red", "Supplier withdrew; re-tender by March."),
        "deadline": ("2027-01-31", "2027-04-30", "Re-tender adds three months."),
        "progress_note": ("Work has started.", "Supplier withdrew in October.", ""),
    }
    assert {r.user_id for r in records} == {plan.lead.id}
    assert len({r.change_set for r in records}) == 1  # one save, one timeline entry
    assert all(r.changed_at is not None for r in records)


def test_project_updates_record_status_narrative_and_next_steps(app, client_for):
    plan = make_plan()
    client_for(plan.lead).post(
        "/p/test/projects/A1/update",
        data=project_form(
            plan.project, status="green", progress="All four hubs open.", next_steps="Evaluate in spring."
        ),
    )
    assert {r.field for r in history_of(plan.project)} == {"status", "progress", "next_steps"}


def test_a_refused_update_writes_no_history(app, client_for):
    plan = make_plan()
    client_for(plan.lead).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, status="red", progress_note="x")
    )
    assert history_of(plan.action) == []


def test_history_is_written_in_the_same_transaction_as_the_change(app):
    """Rolling back the change rolls back its history: neither survives without the other."""
    plan = make_plan()
    updates.update_action(
        plan.action,
        plan.lead,
        updates.ActionUpdate(status=Status.AMBER, progress_note="Rolled back.", deadline=plan.action.deadline),
        plan.action.version,
        TODAY,
    )
    assert db.session.scalars(select(ChangeRecord)).all() != []  # visible inside the transaction
    db.session.rollback()
    assert history_of(plan.action) == []
    db.session.refresh(plan.action)
    assert plan.action.progress_note == "Work has started."


def test_the_timeline_shows_saves_newest_first_with_who_when_and_why(app, client_for):
    plan = make_plan()
    lead = client_for(plan.lead)
    lead.post("/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="First update."))
    db.session.refresh(plan.action)
    form = action_form(plan.action, status="red", status_reason="Budget frozen until April.")
    lead.post("/p/test/actions/A1.1/update", data=form)
    page = client_for(plan.viewer).get("/p/test/actions/A1.1").get_data(as_text=True)
    timeline = page.split('id="history-heading"')[1]
    assert '<ol class="app-timeline">' in timeline
    headings = re.findall(r'<h3 class="govuk-heading-s[^"]*">([^<]+)</h3>', timeline)
    assert headings == ["Status changed", "Progress note changed"]  # newest first
    assert timeline.count("<time datetime=") == 2
    assert "By Alex Lead on" in timeline
    assert "Budget frozen until April." in timeline
    assert ">Amber</strong>" in timeline and ">Red</strong>" in timeline  # statuses keep their words
    assert "First update." in timeline and "Work has started." in timeline  # new text, and the old one kept


def test_an_item_without_changes_says_so(app, client_for):
    plan = make_plan()
    page = client_for(plan.viewer).get("/p/test/projects/A1").get_data(as_text=True)
    assert "No changes have been recorded since this project was set up." in page


def test_no_route_can_edit_or_delete_history(app):
    """No URL mentions history or change records, and nothing but GET, HEAD and OPTIONS reads it."""
    for rule in app.url_map.iter_rules():
        text = f"{rule.rule} {rule.endpoint}".lower()
        assert "history" not in text and "change_record" not in text and "changerecord" not in text, rule.rule
        assert not (rule.methods or set()) & {"PUT", "PATCH", "DELETE"}, rule.rule


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "url",
    [
        "/history/1",
        "/p/test/actions/A1.1/history",
        "/p/test/actions/A1.1/history/1",
        "/p/test/projects/A1/history/1/delete",
        "/admin/history/1",
    ],
)
def test_guessed_history_urls_change_nothing(app, client_for, method, url):
    plan = make_plan()
    client_for(plan.lead).post("/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Kept."))
    before = database_snapshot()
    response = getattr(client_for(plan.admin), method)(url, data={"note": "rewritten", "new_value": "x"})
    assert response.status_code in (404, 405)
    assert database_snapshot() == before


def test_the_orm_refuses_to_change_or_delete_a_record(app, client_for):
    plan = make_plan()
    client_for(plan.lead).post("/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Kept."))
    record = history_of(plan.action)[0]
    record.note = "rewritten"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(history_of(plan.action)[0])
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert history_of(plan.action)[0].new_value == "Kept."


def test_values_are_kept_as_text_items_by_ref_and_people_by_name(app):
    plan = make_plan()
    assert history_text(plan.project) == "A1"
    assert history_text(plan.action.lead) == plan.action.lead.name
    assert history_text(Status.RED) == "red"
    assert history_text(date(2027, 3, 31)) == "2027-03-31"
    assert history_text(None) is None and history_text(12) == "12"


def test_any_historied_model_is_recorded_under_its_history_type(app):
    plan = make_plan()
    for item in (plan.project.workstream, plan.project, plan.action):
        record_changes(item, [FieldChange("title", "Old", "New", note="  Renamed.  ")], plan.admin)
    db.session.commit()
    assert sorted(db.session.scalars(select(ChangeRecord.item_type))) == ["action", "project", "workstream"]
    [entry] = timeline(plan.project)
    assert (entry.headline, entry.records[0].note, entry.user_name) == ("Title changed", "Renamed.", plan.admin.name)

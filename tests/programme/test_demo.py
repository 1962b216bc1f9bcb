"""The demo programme `children`: the real plan, with dates that mean something today.

`demo load` only adds what is missing and never overwrites work done through the app; `demo reset`
puts the plan back after asking, recording each change in history as made by the system. The
second demo programme (`education`) and the two side by side are tested in tests/demo/.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tests.conftest import TODAY, sign_in
from tests.factories import make_user
from tests.programme.editing import database_snapshot
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role, User
from tracker.auth.passwords import verify_password
from tracker.auth.services import set_password, set_role
from tracker.demo.loader import CHILDREN, RESET_NOTE, demo_date_shift, load_demo_programme
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.history.services import timeline
from tracker.kpis.models import Kpi, KpiValue, KpiValueHistory
from tracker.kpis.values import ValueInput, save_value
from tracker.people.models import Person
from tracker.programme import structure
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.rollups import programme_rollup
from tracker.programme.status import Status
from tracker.programme.structure import ProjectDetails
from tracker.programme.updates import ActionUpdate, update_action


def row_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Programme, Person, Workstream, Project, Action)
    }


def children() -> Programme:
    return db.session.scalars(select(Programme).where(Programme.short_name == "children")).one()


def test_demo_holds_the_whole_published_plan(app):
    load_demo_programme(TODAY)
    assert row_counts() == {"Programme": 1, "Person": 8, "Workstream": 7, "Project": 62, "Action": 145}
    refs = db.session.scalars(select(Workstream.ref).order_by(Workstream.ref_sort)).all()
    assert refs == ["A", "B", "C", "D", "E", "E1", "E2"]
    e1 = demo_item(Workstream, "E1")
    assert e1.parent.ref == "E"
    assert {e1.programme_id} == set(db.session.scalars(select(Action.programme_id))) == {children().id}
    a1 = demo_item(Project, "A1")
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
    assert children().reference_board_date == shifted_board
    a1 = demo_item(Project, "A1")
    assert a1.target_date == date(2023, 3, 31) + shift


def test_the_demo_is_meaningful_today_not_simply_overdue(app):
    load_demo_programme(TODAY)
    rollup = programme_rollup(children(), TODAY)
    open_actions = rollup.actions.total - sum(
        count for status, count in rollup.actions.by_status.items() if status.is_complete
    )
    assert 0 < rollup.actions.overdue < open_actions / 2
    assert rollup.actions.due_before_board > 0
    assert rollup.actions.by_status[Status.RED] > 0


# --- loading again adds only what is missing -------------------------------------------------------


def load(runner) -> str:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def demo_item(model, ref, short_name="children"):
    """Return the children demo's item with this ref (the education demo may use the same refs)."""
    return db.session.scalars(
        select(model)
        .join(Programme, model.programme_id == Programme.id)
        .where(Programme.short_name == short_name, model.ref == ref)
    ).one()


def no_item(model, ref, short_name="children") -> bool:
    return (
        db.session.scalars(
            select(model)
            .join(Programme, model.programme_id == Programme.id)
            .where(Programme.short_name == short_name, model.ref == ref)
        ).first()
        is None
    )


def demo_admin() -> User:
    return db.session.scalars(select(User).where(User.email == "director@demo.example.gov.uk")).one()


def demo_lead() -> User:
    return db.session.scalars(select(User).where(User.email == "strategy.director@demo.example.gov.uk")).one()


def demo_lead_page(app, path: str) -> str:
    """Return a page as the demo lead sees it, signed in with the published demo password."""
    client = app.test_client()
    assert sign_in(client, demo_lead(), "demo-only lead copper meadow").status_code == 302
    return client.get(path).get_data(as_text=True)


def an_action_led_by(user: User, programme: Programme | None = None) -> Action:
    programme = programme or children()
    return db.session.scalars(
        select(Action)
        .where(Action.programme_id == programme.id, Action.lead_id == user.person_id, Action.status == Status.AMBER)
        .order_by(Action.id)
    ).first()


def lead_moves_to_red(action: Action, lead: User) -> None:
    update = ActionUpdate(
        status=Status.RED,
        progress_note="Supplier withdrew; re-tendering.",
        deadline=action.deadline + timedelta(days=28),
        deadline_reason="Re-tender adds four weeks.",
        status_reason="Supplier withdrew; re-tender by the next board.",
    )
    update_action(action, lead, update, action.version, TODAY)
    db.session.commit()


def test_load_again_keeps_a_leads_update_and_the_page_agrees_with_the_history(runner, app):
    load(runner)
    lead = demo_lead()
    action = an_action_led_by(lead)
    ref, old_deadline = action.ref, action.deadline
    lead_moves_to_red(action, lead)

    output = load(runner)

    action = demo_item(Action, ref)
    assert action.status is Status.RED
    assert action.deadline == old_deadline + timedelta(days=28)
    assert action.progress_note == "Supplier withdrew; re-tendering."
    history = db.session.scalars(select(ChangeRecord).where(ChangeRecord.item_id == action.id)).all()
    assert {r.field: r.new_value for r in history if r.item_type == "action"}["status"] == "red"
    assert "Added 0 workstreams, 0 projects, 0 actions, 0 leads" in output
    page = demo_lead_page(app, f"/p/children/actions/{ref}")
    assert "Supplier withdrew; re-tendering." in page
    assert "Re-tender adds four weeks." in page  # the history's reason, beside the page's own deadline


def test_load_twice_adds_nothing_and_says_so(runner, app):
    first = load(runner)
    assert "Added 7 workstreams, 62 projects, 145 actions, 8 leads (already there: 0 workstreams" in first
    assert "Added 15 KPIs and 30 KPI values" in first
    assert "Added 6 workstreams, 30 projects, 40 actions, 1 leads (already there: 0 workstreams" in first
    assert "Added 28 KPIs and 10 KPI values" in first
    counts = row_counts()
    history = db.session.scalar(select(func.count()).select_from(ChangeRecord))

    second = load(runner)

    assert row_counts() == counts
    # The only history is the demo's board cycle (updates reported between its two frozen boards), written once.
    assert db.session.scalar(select(func.count()).select_from(ChangeRecord)) == history > 0
    assert "frozen boards and rounds left as they are" in second
    assert (
        "Added 0 workstreams, 0 projects, 0 actions, 0 leads "
        "(already there: 7 workstreams, 62 projects, 145 actions, 8 leads)." in second
    )
    assert (
        "Added 0 workstreams, 0 projects, 0 actions, 0 leads "
        "(already there: 6 workstreams, 30 projects, 40 actions, 1 leads)." in second
    )
    assert "Added 0 KPIs and 0 KPI values (already there: 15 KPIs, 30 KPI values)." in second
    assert "Added 0 KPIs and 0 KPI values (already there: 28 KPIs, 10 KPI values)." in second
    assert "Loaded the demo programme" not in second


def test_load_keeps_changes_made_by_the_programme_office(runner, app):
    load(runner)
    admin = demo_admin()
    project = demo_item(Project, "A1")
    details = ProjectDetails("A1-R", "Renamed by the office", project.workstream, project.lead, project.target_date)
    structure.update_project_details(project, admin, details, project.version)
    archived = demo_item(Action, "B1.1")
    structure.archive_action(archived, admin)
    children().name = "Our own programme"
    kpi = db.session.scalars(select(Kpi).where(Kpi.ref == "KPI03")).one()
    value = kpi.values[0]
    save_value(kpi, admin, ValueInput(value.period_end, value.period_label, Decimal("12.5")), replacing=value)
    lead = demo_lead()
    set_role(lead, Role.VIEWER)
    set_password(lead, "a new password nobody published")
    db.session.commit()
    counts = row_counts()

    load(runner)

    assert row_counts() == counts  # the renamed A1 is not added again as a new A1
    assert demo_item(Project, "A1-R").title == "Renamed by the office"
    assert no_item(Project, "A1")
    assert demo_item(Action, "B1.1").archived_at is not None
    assert children().name == "Our own programme"
    assert db.session.scalars(select(KpiValue).where(KpiValue.id == value.id)).one().value == Decimal("12.5")
    lead = demo_lead()
    assert lead.role is Role.VIEWER
    assert verify_password(lead.password_hash, "a new password nobody published")


def test_an_item_deleted_or_archived_through_the_app_is_not_brought_back_by_load(runner, app):
    load(runner)
    admin = demo_admin()
    deleted = demo_item(Action, "B1.3")  # no history: the demo's board cycle updated A1.1
    structure.delete_item(deleted, admin)
    structure.archive_project(demo_item(Project, "A2"), admin)
    db.session.commit()
    counts = row_counts()

    output = load(runner)

    assert no_item(Action, "B1.3")
    assert row_counts() == counts
    assert demo_item(Project, "A2").archived_at is not None
    assert all(action.archived_at is not None for action in demo_item(Project, "A2").actions)
    assert "B1.3 (deleted through the app)" in output


def test_load_adds_a_missing_item_at_the_end_of_its_project(runner, app, tmp_path):
    load(runner)
    data = json.loads(CHILDREN.plan.read_text(encoding="utf-8"))
    data["projects"][0]["actions"].append({"ref": "A1.99", "title": "Added to the plan later", "status": "grey"})
    newer = tmp_path / "programme.json"
    newer.write_text(json.dumps(data), encoding="utf-8")

    result = load_demo_programme(TODAY, CHILDREN, newer)

    assert result.added["actions"] == 1 and result.already["actions"] == 145
    added = demo_item(Action, "A1.99")
    assert added.position > max(a.position for a in added.project.actions if a is not added)


# --- reset: explicit, confirmed, and recorded in history -------------------------------------------


def reset(runner, *args: str, answer: str | None = None):
    return runner.invoke(args=["demo", "reset", *args], input=answer)


def test_reset_with_yes_restores_a_changed_status_and_records_it_in_history(runner, app):
    load(runner)
    lead = demo_lead()
    action = an_action_led_by(lead)
    ref, deadline = action.ref, action.deadline
    lead_moves_to_red(action, lead)

    result = reset(runner, "--yes")

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    action = demo_item(Action, ref)
    assert action.status is Status.AMBER and action.deadline == deadline
    entries = timeline(action)
    assert entries[0].user_name == "The system"
    restored = {r.field: (r.old_value, r.new_value, r.note) for r in entries[0].records}
    assert restored["status"] == ("red", "amber", RESET_NOTE)
    assert restored["deadline"][1] == deadline.isoformat()
    assert entries[1].user_name == lead.name  # the lead's update stays in the history
    assert (
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "status_changed", AuditEvent.detail.contains(ref))
        )
        .all()[-1]
        .detail.endswith(RESET_NOTE)
    )
    page = demo_lead_page(app, f"/p/children/actions/{ref}")
    assert "By The system" in page


def test_reset_output_says_what_it_did(runner, app):
    load(runner)
    admin = demo_admin()
    structure.archive_action(demo_item(Action, "B1.1"), admin)
    structure.delete_item(demo_item(Action, "B1.3"), admin)
    set_role(demo_lead(), Role.VIEWER)
    db.session.commit()

    result = reset(runner, "--yes")

    assert result.exit_code == 0, result.output
    assert "Restored 1 item(s) (1 field(s), each recorded in the item's history" in result.output
    assert "Action B1.1 (archive_state)" in result.output
    assert "Created again: Action B1.3." in result.output
    assert "Imported 15 KPIs: 0 new, 0 updated, 15 unchanged." in result.output
    assert "no account was deleted" in result.output
    assert "strategy.director@demo.example.gov.uk" in result.output and "role put back" in result.output
    assert "password still the demo password" in result.output
    db.session.expire_all()
    assert demo_item(Action, "B1.1").archived_at is None
    assert demo_lead().role is Role.LEAD


def test_reset_right_after_load_changes_nothing(runner, app):
    load(runner)
    counts = row_counts()
    history = db.session.scalar(select(func.count()).select_from(ChangeRecord))
    result = reset(runner, "--yes")
    assert result.exit_code == 0, result.output
    assert "Restored 0 item(s) (0 field(s)" in result.output
    assert row_counts() == counts
    assert db.session.scalar(select(func.count()).select_from(ChangeRecord)) == history


def test_reset_asks_first_and_answering_no_changes_nothing(runner, app):
    load(runner)
    lead = demo_lead()
    action = an_action_led_by(lead)
    lead_moves_to_red(action, lead)
    set_role(lead, Role.VIEWER)
    db.session.commit()
    before = database_snapshot()
    history = db.session.scalar(select(func.count()).select_from(ChangeRecord))

    result = reset(runner, answer="n\n")

    assert result.exit_code != 0
    assert "Put the demo programmes" in result.output and "Aborted" in result.output
    assert database_snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(ChangeRecord)) == history
    assert demo_lead().role is Role.VIEWER


def test_reset_keeps_other_accounts_and_changed_passwords_unless_asked(runner, app):
    load(runner)
    other = make_user("admin", email="someone@council.example.gov.uk")
    lead = demo_lead()
    set_password(lead, "a new password nobody published")
    db.session.commit()

    kept = reset(runner, "--yes")

    assert kept.exit_code == 0, kept.output
    assert "password changed since the demo, left as it is" in kept.output
    db.session.expire_all()
    assert verify_password(demo_lead().password_hash, "a new password nobody published")
    assert db.session.get(User, other.id) is not None
    assert db.session.scalar(select(func.count()).select_from(User)) == 4

    restored = reset(runner, "--yes", "--demo-passwords")

    assert "password set back to the demo password" in restored.output
    db.session.expire_all()
    assert verify_password(demo_lead().password_hash, "demo-only lead copper meadow")


def test_reset_puts_back_a_changed_kpi_value_keeping_its_history(runner, app):
    load(runner)
    kpi = db.session.scalars(select(Kpi).where(Kpi.ref == "KPI03")).one()
    value = kpi.values[0]
    original = value.value
    save_value(kpi, demo_admin(), ValueInput(value.period_end, value.period_label, Decimal("12.5")), replacing=value)
    db.session.commit()

    assert reset(runner, "--yes").exit_code == 0

    db.session.expire_all()
    assert db.session.get(KpiValue, value.id).value == original
    sources = db.session.scalars(select(KpiValueHistory.source).where(KpiValueHistory.kpi_id == kpi.id)).all()
    assert "demo reset" in sources


def test_reset_on_an_empty_database_creates_the_demo(runner, app):
    result = reset(runner, "--yes")
    assert result.exit_code == 0, result.output
    assert "Demo programme children: Restored 0 item(s)" in result.output
    assert "created 214 missing item(s)" in result.output  # 7 + 62 + 145
    assert "created 76 missing item(s)" in result.output  # 6 + 30 + 40
    assert row_counts() == {"Programme": 2, "Person": 9, "Workstream": 13, "Project": 92, "Action": 185}

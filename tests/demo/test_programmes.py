"""The two demo programmes side by side: `children` (2023) and `education` (the 2017-18 plan).

Each is a programme of its own: its items are found by (programme, ref), loading again adds only
what is missing in each, a reset puts each back, and the demo lead holds a different role in each.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tests.conftest import TODAY, sign_in
from tests.factories import make_user
from tracker.auth.models import ProgrammeRole, Role, User
from tracker.auth.permissions import role_of
from tracker.demo.cli import DEMO_SHORT_NAMES
from tracker.demo.loader import (
    CHILDREN,
    DEMO_PROGRAMMES,
    EDUCATION,
    RESET_NOTE,
    DemoProgramme,
    as_reported,
    board_wording,
    demo_date_shift,
    load_demo_programme,
)
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.kpis.models import ComparatorKind, Kpi, KpiTarget, KpiValue
from tracker.people.models import Person
from tracker.programme import structure
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, update_action

EDUCATION_BOARD = date(2017, 10, 18)
CHILDREN_BOARD = date(2023, 3, 17)
LEAD_EMAIL = "strategy.director@demo.example.gov.uk"
LEAD_PASSWORD = "demo-only lead copper meadow"
EDUCATION_LEAD = "Corporate Director for Children and Young People"


def programme(short_name: str) -> Programme:
    return db.session.scalars(select(Programme).where(Programme.short_name == short_name)).one()


def count(model, short_name: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.programme_id == programme(short_name).id)
    )


def counts(short_name: str) -> dict[str, int]:
    kpi_values = db.session.scalar(
        select(func.count())
        .select_from(KpiValue)
        .join(KpiValue.kpi)
        .where(Kpi.programme_id == programme(short_name).id)
    )
    return {
        "workstreams": count(Workstream, short_name),
        "projects": count(Project, short_name),
        "actions": count(Action, short_name),
        "kpis": count(Kpi, short_name),
        "kpi_values": kpi_values,
    }


def item(model, ref: str, short_name: str):
    return db.session.scalars(
        select(model).where(model.programme_id == programme(short_name).id, model.ref == ref)
    ).one_or_none()


def load(runner) -> str:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def reset(runner, *args: str) -> str:
    result = runner.invoke(args=["demo", "reset", "--yes", *args])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def demo_lead() -> User:
    return db.session.scalars(select(User).where(User.email == LEAD_EMAIL)).one()


# --- two programmes, each with its own plan --------------------------------------------------------


def test_the_cli_names_every_demo_programme():
    assert tuple(demo.short_name for demo in DEMO_PROGRAMMES) == DEMO_SHORT_NAMES == ("children", "education")


def test_both_programmes_load_with_their_own_counts(runner, app):
    output = load(runner)

    assert counts("children") == {"workstreams": 7, "projects": 62, "actions": 145, "kpis": 15, "kpi_values": 30}
    # tracker/demo/data/education_2017/README.md: 6 workstreams, 30 projects, 40 actions, 28 KPIs, 10 values.
    assert counts("education") == {"workstreams": 6, "projects": 30, "actions": 40, "kpis": 28, "kpi_values": 10}
    # People are shared by the installation: 8 named in the children plan, 1 in the education plan.
    assert db.session.scalar(select(func.count()).select_from(Person)) == 9
    education = programme("education")
    assert education.name == "Education Delivery and Improvement Plan 2017-18"
    assert education.board_cycle_weeks == 2
    assert [
        ws.ref
        for ws in db.session.scalars(
            select(Workstream).where(Workstream.programme_id == education.id).order_by(Workstream.ref_sort)
        )
    ] == ["O1", "O2", "O3", "O4", "O5", "O6"]
    assert "Demo programme children (/p/children/)" in output and "Demo programme education (/p/education/)" in output
    # Every project, action and KPI sits in the programme of its parent or file.
    for model in (Project, Action, Kpi):
        refs = set(db.session.scalars(select(model.ref).where(model.programme_id == education.id)))
        assert refs and not refs & set(
            db.session.scalars(select(model.ref).where(model.programme_id == programme("children").id))
        )
    assert item(Action, "O1.1.1", "education").project.programme_id == education.id
    assert item(Kpi, "5", "education").workstreams[0].programme_id == education.id


def test_education_dates_move_by_whole_two_week_cycles(app):
    result = load_demo_programme(TODAY, EDUCATION)

    shift = demo_date_shift(EDUCATION_BOARD, 2, TODAY)
    assert result.shift == shift and shift.days % 14 == 0
    board = programme("education").reference_board_date
    assert board == EDUCATION_BOARD + shift
    assert board <= TODAY < board + timedelta(days=14)
    assert item(Action, "O3.1.1", "education").deadline == date(2017, 12, 31) + shift
    assert item(Action, "O4.3.1", "education").deadline == date(2018, 4, 30) + shift
    assert item(Action, "O3.2.1", "education").start_date == date(2018, 1, 1) + shift
    assert item(Action, "O3.2.1", "education").status is Status.GREY
    assert item(Project, "O1.1", "education").target_date == date(2018, 3, 31) + shift


# --- narrative that names a year says when it was reported -----------------------------------------


def test_as_reported_dates_only_shifted_text_that_names_a_year():
    shift = timedelta(days=14)
    assert board_wording(EDUCATION_BOARD) == "As reported to the board of 18 October 2017"
    assert as_reported("Launch in April 2018.", EDUCATION_BOARD, shift) == (
        "As reported to the board of 18 October 2017: Launch in April 2018."
    )
    assert as_reported("Refreshed for 2016-17.", CHILDREN_BOARD, shift).startswith(
        "As reported to the board of 17 March 2023: "
    )
    assert as_reported("No timescale given.", EDUCATION_BOARD, shift) == "No timescale given."
    assert as_reported("Launch in April 2018.", EDUCATION_BOARD, timedelta(0)) == "Launch in April 2018."
    assert as_reported("Ref 120189 and 20175 are not years.", EDUCATION_BOARD, shift).startswith("Ref")
    assert as_reported("", EDUCATION_BOARD, shift) == ""


def test_narrative_naming_a_year_carries_the_board_it_was_reported_to(runner, app, client):
    load(runner)

    o311 = item(Action, "O3.1.1", "education")
    assert o311.progress_note.startswith("As reported to the board of 18 October 2017: Timescale in the plan:")
    assert "2017" in o311.progress_note  # the plan's own words are kept after the date
    o431 = item(Action, "O4.3.1", "education")
    assert o431.progress_note.startswith("As reported to the board of 18 October 2017: ")
    assert "April 2018" in o431.progress_note
    children = programme("children")
    dated = db.session.scalars(select(Project.progress).where(Project.programme_id == children.id)).all()
    with_year = [text for text in dated if "20" in text and text.startswith("As reported")]
    assert with_year and all(t.startswith("As reported to the board of 17 March 2023: ") for t in with_year)
    notes = db.session.scalars(select(Action.progress_note).where(Action.programme_id == children.id)).all()
    assert any(n.startswith("As reported to the board of 17 March 2023: ") for n in notes)
    assert all(n.startswith("As reported") or not any(f"20{d}" in n for d in range(10, 30)) for n in notes)

    viewer = make_user("viewer")
    assert sign_in(client, viewer).status_code == 302
    page = client.get("/p/education/actions/O3.1.1").get_data(as_text=True)
    assert "As reported to the board of 18 October 2017" in page


# --- KPI targets as the plan states them -------------------------------------------------------------


def test_nat_ave_is_the_national_comparator_and_tbc_is_no_target(runner, app):
    load(runner)

    def targets(ref: str) -> list[tuple[Decimal | None, ComparatorKind | None]]:
        kpi = item(Kpi, ref, "education")
        return [
            (t.target_value, t.target_comparator)
            for t in db.session.scalars(select(KpiTarget).where(KpiTarget.kpi_id == kpi.id))
        ]

    for ref in ("5", "6", "7", "11", "13", "14", "17"):  # "NAT AVE" / "NAT AV"
        assert targets(ref) == [(None, ComparatorKind.NATIONAL)], ref
    for ref in ("A1", "A2", "A3", "A4", "1", "18", "23"):  # "TBC" and "Improving trend": no target
        assert all(value is None and comparator is None for value, comparator in targets(ref)), ref
    assert targets("1a") == [(Decimal("80"), None)]


# --- the same ref in two programmes -----------------------------------------------------------------


TWIN = DemoProgramme("twin", CHILDREN.folder)  # the children plan again: every ref is in both programmes


def test_refs_in_two_programmes_stay_separate(runner, app):
    load_demo_programme(TODAY, CHILDREN)
    load_demo_programme(TODAY, TWIN)
    first, twin = item(Action, "A1.1", "children"), item(Action, "A1.1", "twin")
    assert first.id != twin.id and first.programme_id != twin.programme_id
    assert twin.project.ref == "A1" and twin.project.programme.short_name == "twin"
    assert twin.project.workstream.programme.short_name == "twin"
    assert count(Action, "twin") == count(Action, "children") == 145

    admin = make_user("admin")
    structure.delete_item(twin, admin)
    db.session.commit()
    again = load_demo_programme(TODAY, TWIN)
    assert "A1.1 (deleted through the app)" in again.not_added
    assert again.added["actions"] == 0 and again.already["actions"] == 144
    assert item(Action, "A1.1", "twin") is None
    assert item(Action, "A1.1", "children") is not None
    assert load_demo_programme(TODAY, CHILDREN).already["actions"] == 145


# --- loading again keeps people's work in either programme -------------------------------------------


def test_rerun_adds_nothing_and_keeps_a_leads_updates_in_both_programmes(runner, app):
    load(runner)
    lead = demo_lead()
    children_action = db.session.scalars(
        select(Action)
        .where(Action.programme_id == programme("children").id, Action.lead_id == lead.person_id)
        .where(Action.status == Status.AMBER)
        .order_by(Action.id)
    ).first()
    education_lead = make_user(
        "lead", person=db.session.scalars(select(Person).where(Person.name == EDUCATION_LEAD)).one()
    )
    education_action = item(Action, "O4.3.1", "education")
    for action, user in ((children_action, lead), (education_action, education_lead)):
        update = ActionUpdate(
            status=Status.RED,
            progress_note=f"Stalled ({action.ref}).",
            deadline=action.deadline + timedelta(days=14),
            deadline_reason="Waiting for a decision.",
            status_reason="Stalled until the decision.",
        )
        update_action(action, user, update, action.version, TODAY)
    db.session.commit()
    history = db.session.scalar(select(func.count()).select_from(ChangeRecord))
    changed = {a.id: (a.status, a.deadline, a.progress_note) for a in (children_action, education_action)}
    before = {short: counts(short) for short in ("children", "education")}

    output = load(runner)

    assert {short: counts(short) for short in ("children", "education")} == before
    assert output.count("Added 0 workstreams, 0 projects, 0 actions, 0 leads") == 2
    for action_id, (status, deadline, note) in changed.items():
        action = db.session.get(Action, action_id)
        assert (action.status, action.deadline, action.progress_note) == (status, deadline, note)
        assert status is Status.RED and note.startswith("Stalled")
    # The rerun wrote no history of its own.
    assert db.session.scalar(select(func.count()).select_from(ChangeRecord)) == history


# --- the demo lead: a lead in one programme, a viewer in the other ------------------------------------


def test_the_demo_lead_is_a_lead_in_children_and_a_viewer_in_education(runner, app, client):
    output = load(runner)

    lead = demo_lead()
    assert lead.role is Role.LEAD
    assert lead.role_in(programme("children").id) is Role.LEAD
    assert lead.role_in(programme("education").id) is Role.VIEWER
    assert role_of(lead, programme("education").id) is Role.VIEWER
    assert "lead; viewer in education" in output and LEAD_EMAIL in output
    assert sign_in(client, lead, LEAD_PASSWORD).status_code == 302
    assert client.get("/p/education/actions/O1.1.1").status_code == 200
    assert client.get("/p/education/actions/O1.1.1/update").status_code in (403, 404)


def test_load_keeps_a_changed_programme_role_and_reset_puts_it_back(runner, app):
    load(runner)
    lead = demo_lead()
    held = db.session.scalars(select(ProgrammeRole).where(ProgrammeRole.user_id == lead.id)).one()
    held.role = Role.LEAD
    db.session.commit()

    load(runner)
    assert demo_lead().role_in(programme("education").id) is Role.LEAD

    output = reset(runner, "--programme", "education")

    assert demo_lead().role_in(programme("education").id) is Role.VIEWER
    assert "role put back" in output


# --- reset, all or one ---------------------------------------------------------------------------------


def test_reset_of_one_programme_leaves_the_other_alone(runner, app):
    load(runner)
    admin = make_user("admin")
    structure.archive_action(item(Action, "O1.1.1", "education"), admin)
    structure.archive_action(item(Action, "B1.1", "children"), admin)
    db.session.commit()

    output = reset(runner, "--programme", "education")

    assert "Demo programme education: Restored 1 item(s)" in output
    assert "Demo programme children" not in output
    assert item(Action, "O1.1.1", "education").archived_at is None
    assert item(Action, "B1.1", "children").archived_at is not None
    records = db.session.scalars(select(ChangeRecord).where(ChangeRecord.note == RESET_NOTE)).all()
    assert {r.item_id for r in records} == {item(Action, "O1.1.1", "education").id}

    output = reset(runner)
    assert "Demo programme children: Restored 1 item(s)" in output
    assert "Demo programme education: Restored 0 item(s)" in output
    assert item(Action, "B1.1", "children").archived_at is None


def test_reset_right_after_load_changes_nothing_in_either_programme(runner, app):
    load(runner)
    history = db.session.scalar(select(func.count()).select_from(ChangeRecord))
    output = reset(runner)
    assert output.count("Restored 0 item(s) (0 field(s)") == 2
    assert db.session.scalar(select(func.count()).select_from(ChangeRecord)) == history


def test_reset_refuses_an_unknown_programme(runner, app):
    result = runner.invoke(args=["demo", "reset", "--yes", "--programme", "nowhere"])
    assert result.exit_code != 0 and "nowhere" in result.output

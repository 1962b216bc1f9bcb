"""The plan import end to end through its service and command: exact counts, re-import, updates, people."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import make_person, make_user
from tests.imports.conftest import row_counts
from tests.imports.workbooks import (
    ACTION_HEADER,
    PROJECT_HEADER,
    SEED_ACTIONS,
    SEED_PEOPLE,
    SEED_PROJECTS,
    SEED_WORKSTREAMS,
    demo_plan,
    plan_workbook,
    seed_workbook,
    small_plan,
    xlsx,
)
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.imports.plan import CREATE, UNCHANGED, UPDATE
from tracker.imports.service import PlanRefused, import_plan, preview
from tracker.people.models import Person
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.status import Ambition, Status


def _import(data: bytes, programme: Programme, name: str = "plan.xlsx"):
    plan = import_plan(data, name, programme, None, command_line=True)
    db.session.commit()
    return plan


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _by_ref(model, programme: Programme) -> dict:
    return {item.ref: item for item in db.session.scalars(select(model).where(model.programme_id == programme.id))}


def test_the_seed_plan_imports_to_exact_counts(programme):
    plan = _import(seed_workbook(), programme, "Summary plan.xlsx")

    assert (_count(Workstream), _count(Project), _count(Action), _count(Person)) == (
        SEED_WORKSTREAMS,
        SEED_PROJECTS,
        SEED_ACTIONS,
        SEED_PEOPLE,
    )
    assert plan.summary() == "Created 7 workstreams, 62 projects, 145 actions, 8 people; updated 0; 0 unchanged."
    workstreams, projects, actions = (_by_ref(m, programme) for m in (Workstream, Project, Action))
    assert workstreams["E1"].parent is workstreams["E"]
    assert workstreams["C"].reported_separately_by == "SEND Improvement Board"
    a1 = projects["A1"]
    assert (a1.workstream.ref, a1.lead.name, a1.target_date, a1.status) == (
        "A",
        "Director of Children's Services",
        date(2023, 3, 31),
        Status.GREEN,
    )
    assert a1.ambitions == [Ambition.INCLUSIVE]
    assert a1.deliverable_list == ["High level vision and structure in place"]
    seed = {a["ref"]: a for p in demo_plan()["projects"] for a in p["actions"]}
    assert {ref: a.status.value for ref, a in actions.items()} == {ref: a["status"] for ref, a in seed.items()}
    assert {ref: a.deadline.isoformat() for ref, a in actions.items()} == {
        ref: a["deadline"] for ref, a in seed.items()
    }
    assert {ref: a.project.ref for ref, a in actions.items()} == {
        a["ref"]: p["ref"] for p in demo_plan()["projects"] for a in p["actions"]
    }


def test_each_imported_item_has_its_history_and_the_import_one_audit_event(programme):
    _import(small_plan(), programme)

    created = db.session.scalars(select(ChangeRecord).where(ChangeRecord.field == "created")).all()
    assert len(created) == 2 + 3 + 4
    assert {record.new_value for record in created} == {"Imported from plan.xlsx"}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "plan_imported")).all()
    assert [event.detail for event in events] == [
        "Plan plan.xlsx imported into test: Created 2 workstreams, 3 projects, 4 actions, 4 people; "
        "updated 0; 0 unchanged."
    ]


def test_importing_the_same_file_again_changes_nothing(programme):
    _import(seed_workbook(), programme)
    before = row_counts()
    versions = {a.ref: a.version for a in _by_ref(Action, programme).values()}

    plan = _import(seed_workbook(), programme)

    assert {change.outcome for change in plan.changes} == {UNCHANGED}
    assert plan.count("action", UNCHANGED) == SEED_ACTIONS
    assert row_counts() == before
    assert {a.ref: a.version for a in _by_ref(Action, programme).values()} == versions


def test_a_changed_file_updates_details_with_history_but_leaves_status_and_progress_to_leads(programme):
    _import(small_plan(), programme)
    changed = plan_workbook(
        [
            [
                "A",
                "A1",
                "Vision, values and behaviours",
                "Director of Children's Services",
                "Vision in place",
                "Clear direction",
                date(2027, 3, 31),
                "A BOLD INCLUSIVE BIRMINGHAM",
                "Red",
            ],
        ],
        [["A1", "A1.1", "Consult children on the vision", "Director of Children's Services", "28/02/27", "G", ""]],
    )

    plan = _import(changed, programme, "plan v2.xlsx")

    assert [(c.kind, c.ref, c.outcome, c.fields) for c in plan.changes if c.outcome != UNCHANGED] == [
        ("project", "A1", UPDATE, ("Title",)),
        ("action", "A1.1", UPDATE, ("Deadline",)),
    ]
    assert any("A1 is Green here and Red in the file" in notice for notice in plan.notices)
    projects, actions = _by_ref(Project, programme), _by_ref(Action, programme)
    assert projects["A1"].title == "Vision, values and behaviours"
    assert projects["A1"].status is Status.GREEN  # not changed by an import
    assert actions["A1.1"].deadline == date(2027, 2, 28)
    record = db.session.scalars(select(ChangeRecord).where(ChangeRecord.field == "deadline")).one()
    assert (record.old_value, record.new_value, record.note) == (
        "2027-01-31",
        "2027-02-28",
        "Imported from plan v2.xlsx",
    )
    # Items the second file leaves out are not touched: an import adds and changes, never removes.
    assert {"A2", "B1"} <= set(projects)


def test_a_project_moves_to_the_workstream_the_file_names(programme):
    _import(small_plan(), programme)
    moved = plan_workbook([["B", "A2", "Operating model", "dcs@council.example.gov.uk", "", "", "30/06/27", "", "A"]])

    plan = _import(moved, programme)

    assert [(c.ref, c.fields) for c in plan.changes if c.outcome == UPDATE] == [("A2", ("Workstream",))]
    assert _by_ref(Project, programme)["A2"].workstream.ref == "B"


def test_leads_are_matched_by_name_in_any_case_or_by_e_mail_and_new_ones_added(programme):
    known = make_person(name="director of children's services")
    by_mail = make_person(name="Tina Transformation", email="dcs@council.example.gov.uk")
    signs_in = make_user(
        "lead", person=make_person(name="Hal Head"), email="head.transformation@council.example.gov.uk"
    )
    db.session.commit()
    data = plan_workbook(
        [
            ["A", "A1", "Vision", "Director of Children's Services", "", "", "", "", ""],
            ["A", "A2", "Model", "DCS@council.example.gov.uk", "", "", "", "", ""],
            ["A", "A3", "Structure", "head.transformation@council.example.gov.uk", "", "", "", "", ""],
            ["A", "A4", "Someone new", "  New   Person ", "", "", "", "", ""],
        ],
    )

    plan = _import(data, programme)

    projects = _by_ref(Project, programme)
    assert projects["A1"].lead == known
    assert projects["A2"].lead == by_mail
    assert projects["A3"].lead == signs_in.person
    assert projects["A4"].lead.name == "New Person"
    assert plan.count("person", CREATE) == 1


def test_a_column_the_file_does_not_have_keeps_what_is_stored(programme):
    _import(small_plan(), programme)
    header = [h for h in PROJECT_HEADER if h not in ("Overall Target Date", "Project Lead")]
    data = xlsx(
        {
            "Projects": [
                header,
                [
                    "A",
                    "A1",
                    "Vision and values",
                    "Vision in place",
                    "Clear direction",
                    "A BOLD INCLUSIVE BIRMINGHAM",
                    "Green",
                ],
            ]
        }
    )

    plan = _import(data, programme)

    assert plan.count("project", UNCHANGED) == 1
    a1 = _by_ref(Project, programme)["A1"]
    assert (a1.target_date, a1.lead.name) == (date(2027, 3, 31), "Director of Children's Services")


def test_a_csv_of_actions_adds_to_the_projects_already_there(programme):
    _import(small_plan(), programme)
    data = "\n".join([",".join(ACTION_HEADER), "A2,A2.2,Agree the budget,Head of Transformation,31/05/2027,Grey,"])

    plan = _import(data.encode(), programme, "actions.csv")

    assert [(c.kind, c.ref, c.outcome) for c in plan.changes if c.outcome != UNCHANGED] == [("action", "A2.2", CREATE)]
    assert _by_ref(Action, programme)["A2.2"].project.ref == "A2"


def test_another_programmes_items_with_the_same_refs_are_never_touched(programme):
    from tests.factories import make_programme

    other = make_programme(short_name="other")
    db.session.commit()
    _import(small_plan(), other)

    plan = _import(small_plan(), programme)

    assert plan.count("project", CREATE) == 3
    assert len(_by_ref(Project, other)) == len(_by_ref(Project, programme)) == 3


def test_a_viewer_or_another_programmes_office_cannot_import(programme, viewer_user):
    from tracker.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        preview(small_plan(), "plan.xlsx", programme, viewer_user)


def test_a_file_with_problems_writes_nothing_and_reports_every_one(programme):
    before = row_counts()
    data = plan_workbook(
        [["A", "A1", "Vision", "", "", "", "soon", "", "Purple"], ["A", "A1", "Again", "", "", "", "", "", ""]],
        [["Z9", "Z9.1", "Orphan", "", "31/02/2027", "", ""]],
    )

    with pytest.raises(PlanRefused) as refused:
        import_plan(data, "plan.xlsx", programme, None, command_line=True)
    db.session.rollback()

    found = {(p.sheet, p.row, p.column) for p in refused.value.plan.problems}
    assert found == {
        ("Projects", 2, "Overall Target Date"),
        ("Projects", 2, "Status"),
        ("Projects", 3, "Ref"),
        ("Actions", 2, "Deadline"),
        ("Actions", 2, "Project Ref"),
    }
    assert row_counts() == before


# --- the command ----------------------------------------------------------------------------------


def test_the_command_creates_the_programme_and_imports_the_seed(app, runner, tmp_path):
    path = tmp_path / "Summary plan.xlsx"
    path.write_bytes(seed_workbook())

    result = runner.invoke(args=["import", "plan", str(path), "--programme", "children", "--name", "Children's plan"])

    assert result.exit_code == 0, result.output
    assert "Created 7 workstreams, 62 projects, 145 actions, 8 people" in result.output
    programme = db.session.scalars(select(Programme).where(Programme.short_name == "children")).one()
    assert programme.name == "Children's plan"
    assert len(_by_ref(Action, programme)) == SEED_ACTIONS


def test_the_command_lists_every_problem_and_leaves_no_programme_behind(app, runner, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(plan_workbook([["A", "A/1", "Vision", "", "", "", "32/01/2027", "", ""]]))

    result = runner.invoke(args=["import", "plan", str(path), "--programme", "children"])

    assert result.exit_code == 1
    assert "Sheet Projects, row 2, column Ref:" in result.output
    assert "Sheet Projects, row 2, column Overall Target Date: '32/01/2027' is not a real date" in result.output
    assert "nothing was written" in result.output
    assert _count(Programme) == 0


def test_the_command_takes_the_column_a_header_could_not_be_matched_to(app, runner, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(b"Workstream,Ref,Scheme\nA,A1,Vision\n")

    unmapped = runner.invoke(args=["import", "plan", str(path), "--programme", "children"])
    mapped = runner.invoke(
        args=["import", "plan", str(path), "--programme", "children", "--column", "CSV:title=Scheme"]
    )

    assert unmapped.exit_code == 1
    assert "Sheet CSV: no column for Project (title). Its other headers: Scheme." in unmapped.output
    assert mapped.exit_code == 0, mapped.output
    assert db.session.scalars(select(Project)).one().title == "Vision"

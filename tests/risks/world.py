"""A small programme with risks at every level, and the people who may or may not change them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tests.factories import make_person, make_programme, make_project, make_user, make_workstream
from tracker.audit.models import AuditEvent
from tracker.auth.models import ProgrammeRole, Role, User, WorkstreamEditor
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.people.models import Person
from tracker.programme.models import Programme, Project, Workstream
from tracker.risks.models import Risk


@dataclass
class RiskWorld:
    programme: Programme
    second: Programme
    workstream: Workstream
    project: Project
    other_project: Project
    owner: Person
    office: User
    lead: User
    other_lead: User
    workstream_editor: User
    viewer: User
    lead_there: User  # leads project A1 of "second" and edits its workstream; a viewer in "test"
    project_risk: Risk
    workstream_risk: Risk
    programme_risk: Risk


def make_risk(programme: Programme, owner: Person | None = None, **fields) -> Risk:
    defaults = {"description": "Recruitment may slip.", "mitigation": "", "likelihood": 3, "impact": 3}
    risk = Risk(programme=programme, owner=owner, **{**defaults, **fields})
    db.session.add(risk)
    db.session.flush()
    return risk


def make_world() -> RiskWorld:
    programme = make_programme()
    second = make_programme(short_name="second", name="Second programme")
    lead_person = make_person(name="Alex Lead")
    other_person = make_person(name="Bo Other")
    owner = make_person(name="Cam Owner")
    workstream = make_workstream("A")
    project = make_project(workstream, "A1", lead=lead_person)
    other_project = make_project(make_workstream("B"), "B1", lead=other_person)
    there_person = make_person(name="Lee There")
    second_project = make_project(make_workstream("A", programme=second), "A1", lead=there_person)
    lead_there = make_user("viewer", person=there_person, name="Lee There")
    users = {
        "office": make_user("admin", name="Pat Office"),
        "lead": make_user("lead", person=lead_person, name="Alex Lead"),
        "other_lead": make_user("lead", person=other_person, name="Bo Other"),
        "workstream_editor": make_user("lead", name="Wyn Editor"),
        "viewer": make_user("viewer", name="Val Viewer"),
    }
    db.session.add_all(
        [
            WorkstreamEditor(user_id=users["workstream_editor"].id, workstream_id=workstream.id),
            ProgrammeRole(user_id=lead_there.id, programme_id=second.id, role=Role.LEAD),
            WorkstreamEditor(user_id=lead_there.id, workstream_id=workstream.id),  # edits nothing here: a viewer
            WorkstreamEditor(user_id=lead_there.id, workstream_id=second_project.workstream_id),
        ]
    )
    db.session.flush()
    return RiskWorld(
        programme=programme,
        second=second,
        workstream=workstream,
        project=project,
        other_project=other_project,
        owner=owner,
        lead_there=lead_there,
        project_risk=make_risk(programme, owner, project=project, likelihood=4, impact=4),
        workstream_risk=make_risk(programme, owner, workstream=workstream, likelihood=2, impact=3),
        programme_risk=make_risk(programme, owner, likelihood=5, impact=5),
        **users,
    )


def risk_rows() -> list[tuple]:
    """Every risk as stored, read fresh, for before/after comparisons."""
    db.session.commit()
    db.session.expire_all()
    columns = (Risk.id, Risk.description, Risk.mitigation, Risk.owner_id, Risk.likelihood, Risk.impact)
    return sorted(
        tuple(row) for row in db.session.execute(select(*columns, Risk.is_open, Risk.review_on, Risk.version))
    )


def counts() -> tuple[int, int, int]:
    """Risks, history records and audit events: a refused save adds none."""
    db.session.commit()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (Risk, ChangeRecord, AuditEvent)
    )


def risk_form(**fields) -> dict:
    data = {"description": "A new risk.", "mitigation": "A plan.", "likelihood": "3", "impact": "4"}
    data.update(fields)
    return data


REVIEW = ["31", "3", "2027"]
REVIEW_DATE = date(2027, 3, 31)

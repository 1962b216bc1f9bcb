"""Builders shared by the editing tests: a small plan with leads, form data and database snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tracker.auth.models import User
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.people.models import Person
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.status import Status


@dataclass
class Plan:
    action: Action
    project: Project
    other_action: Action
    other_project: Project
    lead: User  # leads action A1.1 (and project A1)
    other_lead: User  # leads A2 and A2.1 only
    viewer: User
    admin: User

    @property
    def programme(self) -> Programme:
        return self.project.programme


def make_plan(**action_fields) -> Plan:
    """Two projects with an action each, each led by a different lead with an account; committed."""
    make_programme()
    alex = make_person(name="Alex Lead")
    olu = make_person(name="Olu Other")
    workstream = make_workstream("A", title="Children's services")
    project = make_project(
        workstream, "A1", lead=alex, title="Early help hubs", progress="Hubs planned.", next_steps="Open the first hub."
    )
    fields = {
        "status": Status.AMBER,
        "start_date": date(2026, 1, 1),
        "deadline": date(2027, 1, 31),
        "progress_note": "Work has started.",
    } | action_fields
    action = make_action(project, "A1.1", lead=alex, title="Recruit hub coordinators", **fields)
    other_project = make_project(workstream, "A2", lead=olu, title="Family support")
    other_action = make_action(other_project, "A2.1", lead=olu, title="Train family workers")
    plan = Plan(
        action=action,
        project=project,
        other_action=other_action,
        other_project=other_project,
        lead=make_user("lead", person=alex, name="Alex Lead", email="alex@council.example.gov.uk"),
        other_lead=make_user("lead", person=olu, name="Olu Other", email="olu@council.example.gov.uk"),
        viewer=make_user("viewer", name="Val Viewer", email="val@council.example.gov.uk"),
        admin=make_user("admin", name="Pat Director", email="pat@council.example.gov.uk"),
    )
    db.session.commit()
    return plan


def date_parts(value: date | None) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)] if value else ["", "", ""]


def action_form(action: Action, **changes) -> dict:
    """The update form as the browser would post it, unchanged except for `changes`."""
    data = {
        "status": action.status.value,
        "status_reason": "",
        "progress_note": action.progress_note,
        "deadline": date_parts(action.deadline),
        "deadline_reason": "",
        "completed_on": date_parts(action.completed_on),
        "version": str(action.version),
    }
    for name, value in changes.items():
        data[name] = date_parts(value) if isinstance(value, date) else value
    return data


def project_form(project: Project, **changes) -> dict:
    data = {
        "status": project.status.value,
        "status_reason": "",
        "progress": project.progress,
        "next_steps": project.next_steps,
        "version": str(project.version),
    }
    data.update(changes)
    return data


def database_snapshot() -> dict:
    """Everything an edit could touch, read fresh from the database, for before/after comparisons."""
    db.session.commit()
    db.session.expire_all()

    def rows(*columns):
        return sorted(tuple(row) for row in db.session.execute(select(*columns)).all())

    return {
        "actions": rows(
            Action.id,
            Action.ref,
            Action.title,
            Action.project_id,
            Action.lead_id,
            Action.status,
            Action.start_date,
            Action.deadline,
            Action.completed_on,
            Action.progress_note,
            Action.version,
            Action.position,
            Action.archived_at,
        ),
        "projects": rows(
            Project.id,
            Project.ref,
            Project.title,
            Project.workstream_id,
            Project.lead_id,
            Project.status,
            Project.progress,
            Project.next_steps,
            Project.target_date,
            Project.version,
            Project.position,
            Project.archived_at,
        ),
        "workstreams": rows(
            Workstream.id,
            Workstream.ref,
            Workstream.title,
            Workstream.parent_id,
            Workstream.position,
            Workstream.archived_at,
        ),
        "people": rows(Person.id, Person.name),
        "users": rows(User.id, User.role, User.person_id, User.active),
        "history": db.session.scalar(select(func.count(ChangeRecord.id))),
    }


def history_of(item) -> list[ChangeRecord]:
    db.session.commit()
    kind = type(item).__name__.lower()
    return db.session.scalars(
        select(ChangeRecord)
        .where(ChangeRecord.item_type == kind, ChangeRecord.item_id == item.id)
        .order_by(ChangeRecord.id)
    ).all()

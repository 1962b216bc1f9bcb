"""Reads for the programme office's structure pages: every item, archived ones last, and the form choices.

Each issues a fixed number of statements; a missing item raises ``NotFound`` with the words of its page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.queries import found, ref_condition

Item = TypeVar("Item", Workstream, Project, Action)


def _arranged(model: type[Workstream] | type[Project] | type[Action]) -> tuple[Any, ...]:
    """Order items as the programme office arranged them, archived ones last."""
    return (model.archived_at.is_not(None), model.position, model.ref_sort)


def structure_item(programme: Programme, model: type[Item], ref: str) -> Item:
    """Return the programme's workstream, project or action with this ref or slug, archived or not."""
    kind = model.__tablename__
    item = db.session.scalars(select(model).where(ref_condition(programme, model, ref, kind))).first()
    return found(item, kind, ref)


def any_structure_item(
    programme: Programme, model: type[Workstream] | type[Project] | type[Action], ref: str
) -> Workstream | Project | Action:
    """Return the item of whichever kind the page is about (a kind chosen at run time cannot be narrowed)."""
    return cast("Workstream | Project | Action", structure_item(programme, cast(Any, model), ref))


def workstream_tree(programme: Programme) -> tuple[list[Workstream], dict[int, list[Workstream]]]:
    """Return the programme's top-level workstreams and, for each, its sub-workstreams."""
    workstreams = db.session.scalars(
        select(Workstream).where(Workstream.programme_id == programme.id).order_by(*_arranged(Workstream))
    ).all()
    top_level = [ws for ws in workstreams if ws.parent_id is None]
    return top_level, {ws.id: [c for c in workstreams if c.parent_id == ws.id] for ws in top_level}


def projects_of(workstream: Workstream) -> Sequence[Project]:
    """Return every project of the workstream itself, with its lead."""
    return db.session.scalars(
        select(Project)
        .where(Project.workstream_id == workstream.id)
        .options(joinedload(Project.lead))
        .order_by(*_arranged(Project))
    ).all()


def project_with_workstream(programme: Programme, ref: str) -> Project:
    """Return the programme's project with its workstream and lead."""
    project = db.session.scalars(
        select(Project)
        .where(ref_condition(programme, Project, ref, "project"))
        .options(joinedload(Project.workstream), joinedload(Project.lead))
    ).first()
    return found(project, "project", ref)


def actions_of(project: Project) -> Sequence[Action]:
    """Return every action of the project, with its lead."""
    return db.session.scalars(
        select(Action)
        .where(Action.project_id == project.id)
        .options(joinedload(Action.lead))
        .order_by(*_arranged(Action))
    ).all()


# --- what the forms offer ------------------------------------------------------------------


def people() -> Sequence[Person]:
    """Return everyone who may be named as a lead, by name."""
    return db.session.scalars(select(Person).order_by(Person.name)).all()


def possible_parents(programme: Programme, current: Workstream | None) -> list[Workstream]:
    """Return the programme's live top-level workstreams a workstream may sit under (never itself)."""
    candidates = db.session.scalars(
        select(Workstream)
        .where(
            Workstream.programme_id == programme.id, Workstream.parent_id.is_(None), Workstream.archived_at.is_(None)
        )
        .order_by(Workstream.position, Workstream.ref_sort)
    ).all()
    return [ws for ws in candidates if current is None or ws.id != current.id]


def live_projects(programme: Programme) -> Sequence[Project]:
    """Return the programme's live projects in ref order."""
    return db.session.scalars(
        select(Project)
        .where(Project.programme_id == programme.id, Project.archived_at.is_(None))
        .order_by(Project.ref_sort)
    ).all()

"""Read queries for the update pages; each issues a fixed number of statements."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.auth.models import Role
from tracker.extensions import db
from tracker.programme.models import Action, Project, Workstream
from tracker.programme.services import MAX_REF
from tracker.programme.status import Status


def plausible_ref(ref: str, kind: str) -> str:
    """404 for refs no item can have (too long, control characters), before PostgreSQL sees a NUL byte."""
    if len(ref) > MAX_REF or any(ord(ch) < 32 for ch in ref):
        abort(404, description=f"There is no {kind} with that reference.")
    return ref


def project_for_update(ref: str) -> Project:
    """Return the project with what its update form and permission check read, in one query."""
    plausible_ref(ref, "project")
    project = db.session.scalars(
        select(Project)
        .where(Project.ref == ref)
        .options(joinedload(Project.lead), joinedload(Project.workstream).joinedload(Workstream.parent))
    ).first()
    if project is None:
        abort(404, description=f"There is no project {ref}.")
    return project


@dataclass
class MyItems:
    """What a signed-in user leads or may edit, grouped the way a lead works through it."""

    overdue: list[Action] = field(default_factory=list)
    due_before_board: list[Action] = field(default_factory=list)
    grey_but_started: list[Action] = field(default_factory=list)
    the_rest: list[Action] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    may_edit: bool = False
    # Grey actions past their start date, whichever group they fall in (an overdue one is also flagged).
    flagged_grey: int = 0

    @property
    def action_count(self) -> int:
        return len(self.overdue) + len(self.due_before_board) + len(self.grey_but_started) + len(self.the_rest)


def _scope(user) -> tuple[list, list]:
    """Return (action conditions, project conditions) selecting what the user leads or may edit."""
    action_conditions, project_conditions = [], []
    if user.person_id is not None:
        action_conditions += [Action.lead_id == user.person_id, Project.lead_id == user.person_id]
        project_conditions.append(Project.lead_id == user.person_id)
    if user.role is Role.LEAD:
        workstream_ids = [ws.id for ws in user.editable_workstreams]
        if workstream_ids:
            in_workstreams = or_(Project.workstream_id.in_(workstream_ids), Workstream.parent_id.in_(workstream_ids))
            action_conditions.append(in_workstreams)
            project_conditions.append(in_workstreams)
    return action_conditions, project_conditions


def my_items(user, today: date, next_board: date) -> MyItems:
    """Return the user's actions (grouped) and projects: three statements whatever the data size."""
    items = MyItems(may_edit=user.role in (Role.LEAD, Role.ADMIN))
    if not items.may_edit:
        return items
    action_conditions, project_conditions = _scope(user)
    if not action_conditions:
        return items
    actions = db.session.scalars(
        select(Action)
        .join(Project, Action.project_id == Project.id)
        .join(Workstream, Project.workstream_id == Workstream.id)
        .where(or_(*action_conditions), Action.archived_at.is_(None), Project.archived_at.is_(None))
        .options(contains_eager(Action.project), joinedload(Action.lead))
        .order_by(Action.deadline.is_(None), Action.deadline, Action.ref_sort)
    ).unique().all()
    items.flagged_grey = sum(1 for action in actions if action.grey_but_started(today))
    for action in actions:
        if action.is_overdue(today):
            items.overdue.append(action)
        elif action.is_due_before(today, next_board):
            items.due_before_board.append(action)
        elif action.grey_but_started(today):
            items.grey_but_started.append(action)
        else:
            items.the_rest.append(action)
    items.projects = db.session.scalars(
        select(Project)
        .join(Workstream, Project.workstream_id == Workstream.id)
        .where(or_(*project_conditions), Project.archived_at.is_(None))
        .options(contains_eager(Project.workstream), joinedload(Project.lead))
        .order_by(Project.position, Project.ref_sort)
    ).unique().all() if project_conditions else []
    return items

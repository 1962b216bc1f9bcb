"""The read behind "My actions": what a lead must look at, grouped; a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.auth.models import User
from tracker.auth.permissions import can_manage_programme, is_lead_or_admin
from tracker.extensions import db
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.permissions import editable_actions_clause, editable_projects_clause, led_by_clause


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

    def add(self, action: Action, today: date, next_board: date) -> None:
        """Put the action in the first group it belongs to: overdue, due before the board, Grey but started."""
        if action.grey_but_started(today):
            self.flagged_grey += 1
        if action.is_overdue(today):
            self.overdue.append(action)
        elif action.is_due_before(today, next_board):
            self.due_before_board.append(action)
        elif action.grey_but_started(today):
            self.grey_but_started.append(action)
        else:
            self.the_rest.append(action)


def _scope(user: User, programme: Programme) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Return (actions, projects) clauses: what the user leads and, for a lead, all else they may edit."""
    if can_manage_programme(user, programme.id):
        # The programme office may edit everything: their list keeps to what they lead themselves.
        return or_(led_by_clause(user, Action), led_by_clause(user, Project)), led_by_clause(user, Project)
    return editable_actions_clause(user), editable_projects_clause(user)


def my_items(user: User, programme: Programme, today: date, next_board: date) -> MyItems:
    """Return the user's actions (grouped) and projects in one programme: three statements whatever the data size."""
    items = MyItems(may_edit=is_lead_or_admin(user, programme.id))
    if not items.may_edit:
        return items
    actions_clause, projects_clause = _scope(user, programme)
    actions = (
        db.session.scalars(
            select(Action)
            .join(Project, Action.project_id == Project.id)
            .where(
                Action.programme_id == programme.id,
                actions_clause,
                Action.archived_at.is_(None),
                Project.archived_at.is_(None),
            )
            .options(contains_eager(Action.project), joinedload(Action.lead))
            .order_by(Action.deadline.is_(None), Action.deadline, Action.ref_sort)
        )
        .unique()
        .all()
    )
    for action in actions:
        items.add(action, today, next_board)
    items.projects = list(
        db.session.scalars(
            select(Project)
            .join(Workstream, Project.workstream_id == Workstream.id)
            .where(Project.programme_id == programme.id, projects_clause, Project.archived_at.is_(None))
            .options(contains_eager(Project.workstream), joinedload(Project.lead))
            .order_by(Project.position, Project.ref_sort)
        )
        .unique()
        .all()
    )
    return items

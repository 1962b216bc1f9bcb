"""Reads of the programmes themselves: the portfolio, and the choice of programme for commands.

Commands name a programme with ``--programme SHORT``, which may be left out while there is only one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.programme.models import Action, ActionTiming, Programme, Project, Workstream
from tracker.programme.queries import next_boards
from tracker.programme.status import Status


def all_programmes() -> list[Programme]:
    """Return every programme, oldest first."""
    return list(db.session.scalars(select(Programme).order_by(Programme.id)))


def programme_by_short_name(short_name: str) -> Programme:
    """Return the programme with this short name; NotFound naming the ones there are otherwise."""
    programme = db.session.scalars(select(Programme).where(Programme.short_name == short_name.strip())).first()
    if programme is None:
        names = ", ".join(p.short_name for p in all_programmes()) or "none has been set up yet"
        raise NotFound(f"There is no programme with the short name {short_name} (programmes: {names}).")
    return programme


def chosen_programme(short_name: str | None) -> Programme | None:
    """Return the programme named, or the only one when none is named; None on an empty installation."""
    if short_name:
        return programme_by_short_name(short_name)
    programmes = all_programmes()
    if len(programmes) > 1:
        names = ", ".join(p.short_name for p in programmes)
        raise NotFound(f"There is more than one programme: name one with --programme ({names}).")
    return programmes[0] if programmes else None


@dataclass
class PortfolioRow:
    """One programme on the portfolio page: its live items by status, what is overdue, when its board meets."""

    programme: Programme
    next_board: date
    projects: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    actions: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    overdue_actions: int = 0

    @property
    def project_total(self) -> int:
        return sum(self.projects.values())

    @property
    def action_total(self) -> int:
        return sum(self.actions.values())


def portfolio(today: date) -> list[PortfolioRow]:
    """Return every programme with its headline counts: four statements whatever the number of programmes."""
    programmes = all_programmes()
    boards = next_boards(programmes, today)
    rows = {p.id: PortfolioRow(p, boards[p.id]) for p in programmes}
    live = (Workstream.archived_at.is_(None), Project.archived_at.is_(None))
    project_counts = db.session.execute(
        select(Project.programme_id, Project.status, func.count())
        .join(Workstream, Project.workstream_id == Workstream.id)
        .where(*live)
        .group_by(Project.programme_id, Project.status)
    )
    for programme_id, status, count in project_counts:
        rows[programme_id].projects[status] += count
    overdue = func.sum(case((ActionTiming.overdue_clause(today), 1), else_=0))
    action_counts = db.session.execute(
        select(Action.programme_id, Action.status, func.count(), overdue)
        .join(Project, Action.project_id == Project.id)
        .join(Workstream, Project.workstream_id == Workstream.id)
        .where(Action.archived_at.is_(None), *live)
        .group_by(Action.programme_id, Action.status)
    )
    for programme_id, status, count, late in action_counts:
        rows[programme_id].actions[status] += count
        rows[programme_id].overdue_actions += late or 0
    return list(rows.values())

"""Reads for the exports: the whole programme level by level, and every action the list's filters match.

Each read sends a fixed number of SQL statements whatever the programme's size: one per level (and one
for the projects' ambitions), the same query the action list pages through for the filtered list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.programme import queries
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.queries import ActionFilters, ActionRow


@dataclass(frozen=True)
class ProgrammeData:
    """The live items of a programme, each level in the order its pages list them."""

    workstreams: list[Workstream]
    projects: list[Project]
    actions: list[Action]


def programme_data(programme: Programme) -> ProgrammeData:
    """Return the programme's live workstreams, projects and actions: four statements whatever the size."""
    workstreams = list(
        db.session.scalars(
            select(Workstream)
            .where(Workstream.programme_id == programme.id, Workstream.archived_at.is_(None))
            .options(joinedload(Workstream.parent))
            .order_by(Workstream.ref_sort)  # as the pages list them (queries.live_workstreams)
        ).unique()
    )
    projects = list(
        db.session.scalars(
            select(Project)
            .join(Workstream, Project.workstream_id == Workstream.id)
            .where(
                Project.programme_id == programme.id, Project.archived_at.is_(None), Workstream.archived_at.is_(None)
            )
            .options(joinedload(Project.workstream), joinedload(Project.lead), selectinload(Project.ambition_links))
            .order_by(Workstream.ref_sort, Project.position, Project.ref_sort)
        ).unique()
    )
    actions = list(
        db.session.scalars(
            select(Action)
            .join(Project, Action.project_id == Project.id)
            .join(Workstream, Project.workstream_id == Workstream.id)
            .where(
                Action.programme_id == programme.id,
                Action.archived_at.is_(None),
                Project.archived_at.is_(None),
                Workstream.archived_at.is_(None),
            )
            .options(joinedload(Action.project), joinedload(Action.lead))
            .order_by(Workstream.ref_sort, Project.position, Project.ref_sort, Action.position, Action.ref_sort)
        ).unique()
    )
    return ProgrammeData(workstreams, projects, actions)


# The list pages through at most this many; a download is every match, so one page as large as any programme.
EVERY_ACTION = 1_000_000


def every_filtered_action(programme: Programme, filters: ActionFilters, today: date) -> list[ActionRow]:
    """Return every action the list's filters match, in the list's order: the list's own two statements."""
    return queries.filtered_actions(programme, filters, today, 1, EVERY_ACTION).actions

"""Read queries for the progress, update and structure pages; each issues a fixed number of statements.

An item that is not there raises ``NotFound`` with the words its 404 page shows (the app's error
handler draws the page), so the CLI and tests can use these too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.core.errors import NotFound
from tracker.core.refs import MAX_REF, ref_slug
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, ActionTiming, BoardMeeting, Programme, Project, Workstream
from tracker.programme.status import Status

T = TypeVar("T")


def next_boards(programmes: list[Programme], today: date) -> dict[int, date]:
    """Return each programme's next board meeting on or after today, in one statement.

    The meetings calendar (BoardMeeting) decides where it has a meeting to come; a programme whose
    calendar has none falls back to its cycle (``Programme.next_board_date``).
    """
    ids = [programme.id for programme in programmes]
    planned: dict[int, date] = {}
    if ids:
        rows = db.session.execute(
            select(BoardMeeting.programme_id, func.min(BoardMeeting.meets_on).label("meets_on"))
            .where(BoardMeeting.programme_id.in_(ids), BoardMeeting.meets_on >= today)
            .group_by(BoardMeeting.programme_id)
        )
        planned = {row.programme_id: row.meets_on for row in rows}
    return {p.id: planned.get(p.id) or p.next_board_date(today) for p in programmes}


def next_board(programme: Programme, today: date) -> date:
    """Return the programme's next board meeting on or after today (one statement)."""
    return next_boards([programme], today)[programme.id]


def live_workstreams(programme: Programme) -> list[Workstream]:
    """Return the programme's live workstreams in ref order."""
    return list(
        db.session.scalars(
            select(Workstream)
            .where(Workstream.programme_id == programme.id, Workstream.archived_at.is_(None))
            .order_by(Workstream.ref_sort)
        )
    )


def plausible_ref(ref: str, kind: str) -> str:
    """Refuse refs no item can have (too long, control characters) before PostgreSQL sees a NUL byte."""
    if len(ref) > MAX_REF or any(ord(ch) < 32 or ord(ch) == 127 for ch in ref):
        raise NotFound(f"There is no {kind} with that reference.")
    return ref


def ref_condition(
    programme: Programme, model: type[Workstream] | type[Project] | type[Action], ref: str, kind: str
) -> ColumnElement[bool]:
    """Select the programme's item a web address names, by its slug ('bcp-4a') or by the ref itself ('BCP 4a').

    A ref's slug is the slug of its every spelling, and slugs are unique within a programme, so one
    indexed test finds it.
    """
    return and_(model.programme_id == programme.id, model.slug == ref_slug(plausible_ref(ref, kind)))


def found(item: T | None, kind: str, ref: str) -> T:
    """Return the item, or refuse with the words of the 404 page when there is none."""
    if item is None:
        raise NotFound(f"There is no {kind} {ref}.")
    return item


def _live(item: Project | Action, kind: str) -> None:
    if item.archived_at is not None:
        raise NotFound(f"{kind} {item.ref} has been archived, so it can no longer be updated.")


def workstream_by_ref(programme: Programme, ref: str) -> Workstream:
    """Return the workstream with its sub-workstreams."""
    workstream = db.session.scalars(
        select(Workstream)
        .where(ref_condition(programme, Workstream, ref, "workstream"))
        .options(selectinload(Workstream.children))
    ).first()
    return found(workstream, "workstream", ref)


def projects_in(workstream: Workstream) -> list[Project]:
    """Return the live projects of a workstream and of its sub-workstreams, in ref order."""
    member_ids = [workstream.id] + [child.id for child in workstream.children]
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.workstream_id.in_(member_ids), Project.archived_at.is_(None))
            .options(joinedload(Project.lead), joinedload(Project.workstream))
            .order_by(Project.position, Project.ref_sort)
        )
    )


def project_by_ref(programme: Programme, ref: str) -> Project:
    """Return the project with its workstream (and that one's parent) and lead."""
    project = db.session.scalars(
        select(Project)
        .where(ref_condition(programme, Project, ref, "project"))
        .options(joinedload(Project.workstream).joinedload(Workstream.parent), joinedload(Project.lead))
    ).first()
    return found(project, "project", ref)


def live_actions_of(project: Project) -> list[Action]:
    """Return the project's live actions in board order, with their leads (one statement)."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.project_id == project.id, Action.archived_at.is_(None))
            .options(joinedload(Action.lead))
            .order_by(Action.position, Action.ref_sort)
        )
    )


def action_by_ref(programme: Programme, ref: str) -> Action:
    """Return the action with its lead, project and workstream."""
    action = db.session.scalars(
        select(Action)
        .where(ref_condition(programme, Action, ref, "action"))
        .options(
            joinedload(Action.lead),
            joinedload(Action.project).joinedload(Project.workstream).joinedload(Workstream.parent),
        )
    ).first()
    return found(action, "action", ref)


def action_for_update(programme: Programme, ref: str) -> Action:
    """Return a live action with what its update form and permission check read; NotFound otherwise."""
    action = action_by_ref(programme, ref)
    _live(action, "Action")
    return action


def project_for_update(programme: Programme, ref: str) -> Project:
    """Return a live project with what its update form and permission check read, in one query."""
    project = found(
        db.session.scalars(
            select(Project)
            .where(ref_condition(programme, Project, ref, "project"))
            .options(joinedload(Project.lead), joinedload(Project.workstream).joinedload(Workstream.parent))
        ).first(),
        "project",
        ref,
    )
    _live(project, "Project")
    return project


def leads_in_use(programme: Programme) -> list[Person]:
    """Return people who lead at least one live action of the programme, for the lead filter."""
    has_action = (
        select(Action.id)
        .where(Action.programme_id == programme.id, Action.lead_id == Person.id, Action.archived_at.is_(None))
        .exists()
    )
    return list(db.session.scalars(select(Person).where(has_action).order_by(Person.name)))


@dataclass(frozen=True)
class WorkstreamChoice:
    """A workstream offered as a filter."""

    id: int
    ref: str
    title: str
    parent_id: int | None


@dataclass(frozen=True)
class LeadChoice:
    """A lead offered as a filter."""

    id: int
    name: str


def filter_choices(programme: Programme) -> tuple[list[WorkstreamChoice], list[LeadChoice]]:
    """Return the workstreams and leads offered as filters, cached until programme data changes."""
    from tracker.core.cache import cached

    def load():
        workstreams = [WorkstreamChoice(ws.id, ws.ref, ws.title, ws.parent_id) for ws in live_workstreams(programme)]
        leads = [LeadChoice(p.id, p.name) for p in leads_in_use(programme)]
        return workstreams, leads

    return cached(f"filter-choices:{programme.id}:{programme.data_version}", load)


@dataclass
class ActionFilters:
    """What the action list is narrowed to, read from the query string."""

    workstream: WorkstreamChoice | None = None
    workstream_ids: tuple[int, ...] = ()
    lead_id: int | None = None
    statuses: tuple[Status, ...] = ()
    overdue: bool = False
    due_before: date | None = None  # the next board's date, when only items due before it are wanted
    due_within_weeks: int | None = None
    text: str = ""  # words that must each appear in the ref, title, lead's name or progress note
    sort: str = "ref"


@dataclass(frozen=True, slots=True)
class ActionRow(ActionTiming):
    """One line of the action list: plain columns, no ORM object to build or track."""

    ref: str
    title: str
    project_ref: str
    lead_name: str | None
    start_date: date | None
    deadline: date | None
    status: Status
    slug: str  # the action's web address, and its project's
    project_slug: str


@dataclass
class ActionPage:
    """One page of the action list and how many actions match in all."""

    actions: list[ActionRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


_SORTS = {
    "ref": (Action.ref_sort,),
    "deadline": (Action.deadline.is_(None), Action.deadline, Action.ref_sort),
    "-deadline": (Action.deadline.is_(None), Action.deadline.desc(), Action.ref_sort),
    "status": (Action.status, Action.ref_sort),
    "lead": (Person.name, Action.ref_sort),
}


MAX_SEARCH_WORDS = 12


def search_words(text: str) -> list[str]:
    """Return the distinct lowercased words of a text search (at most MAX_SEARCH_WORDS)."""
    return list(dict.fromkeys(text.lower().split()))[:MAX_SEARCH_WORDS]


def contains_words(words: list[str], *columns: Any) -> ColumnElement[bool]:
    """Select rows where every word appears, in any case, in at least one of the columns.

    Portable LIKE on SQLite and PostgreSQL: `%` and `_` typed by a person are escaped, never wildcards.
    """
    return and_(*(or_(*(func.lower(column).contains(word, autoescape=True) for column in columns)) for word in words))


def action_text_clause(text: str) -> ColumnElement[bool]:
    """Select actions whose ref, title, lead's name or progress note contain every word of text."""
    # Correlated on the action only: the list's own query may join Person for its lead column.
    lead_name = select(Person.name).where(Person.id == Action.lead_id).correlate_except(Person).scalar_subquery()
    return contains_words(search_words(text), Action.ref, Action.title, lead_name, Action.progress_note)


def _filter_conditions(filters: ActionFilters, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.text.strip():
        conditions.append(action_text_clause(filters.text))
    if filters.workstream_ids:
        conditions.append(Project.workstream_id.in_(filters.workstream_ids))
    if filters.lead_id is not None:
        conditions.append(Action.lead_id == filters.lead_id)
    if filters.statuses:
        conditions.append(Action.status.in_(filters.statuses))
    if filters.overdue:
        conditions.append(ActionTiming.overdue_clause(today))
    if filters.due_before:
        conditions.append(ActionTiming.due_before_clause(today, filters.due_before))
    if filters.due_within_weeks:
        # "Due within n weeks" is "due before" a day n weeks away.
        conditions.append(ActionTiming.due_before_clause(today, today + timedelta(weeks=filters.due_within_weeks)))
    return conditions


def filtered_actions(programme: Programme, filters: ActionFilters, today: date, page: int, per_page: int) -> ActionPage:
    """Return one page of the programme's live actions matching the filters, and how many match in all."""
    conditions = [
        Action.programme_id == programme.id,
        Action.archived_at.is_(None),
        Project.archived_at.is_(None),
        *_filter_conditions(filters, today),
    ]
    total = (
        db.session.scalar(
            select(func.count(Action.id)).join(Project, Action.project_id == Project.id).where(*conditions)
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows_query = (
        select(
            Action.ref,
            Action.title,
            Project.ref,
            Person.name,
            Action.start_date,
            Action.deadline,
            Action.status,
            Action.slug,
            Project.slug,
        )
        .join(Project, Action.project_id == Project.id)
        .outerjoin(Person, Action.lead_id == Person.id)
        .where(*conditions)
        .order_by(*_SORTS.get(filters.sort, _SORTS["ref"]))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [ActionRow(*row) for row in db.session.execute(rows_query)]
    return ActionPage(rows, total, page, per_page)

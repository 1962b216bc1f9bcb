"""Read queries for the progress pages; each issues a fixed number of statements."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, g
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, ActionTiming, Programme, Project, Workstream
from tracker.programme.status import COMPLETE_STATUSES, Status


def current_programme() -> Programme:
    """Return the programme, loaded once per request; 404 if none has been set up."""
    if "programme" not in g:
        g.programme = db.session.scalars(select(Programme).order_by(Programme.id).limit(1)).first()
    if g.programme is None:
        abort(404, description="No programme has been set up yet. Load one with 'flask --app tracker demo load'.")
    return g.programme


def live_workstreams() -> list[Workstream]:
    return db.session.scalars(
        select(Workstream).where(Workstream.archived_at.is_(None)).order_by(Workstream.ref_sort)
    ).all()


def workstream_by_ref(ref: str) -> Workstream:
    workstream = db.session.scalars(
        select(Workstream).where(Workstream.ref == ref).options(selectinload(Workstream.children))
    ).first()
    if workstream is None:
        abort(404, description=f"There is no workstream {ref}.")
    return workstream


def projects_in(workstream: Workstream) -> list[Project]:
    """Return the live projects of a workstream and of its sub-workstreams, in ref order."""
    member_ids = [workstream.id] + [child.id for child in workstream.children]
    return db.session.scalars(
        select(Project)
        .where(Project.workstream_id.in_(member_ids), Project.archived_at.is_(None))
        .options(joinedload(Project.lead), joinedload(Project.workstream))
        .order_by(Project.position, Project.ref_sort)
    ).all()


def project_by_ref(ref: str) -> Project:
    project = db.session.scalars(
        select(Project)
        .where(Project.ref == ref)
        .options(
            joinedload(Project.workstream).joinedload(Workstream.parent),
            joinedload(Project.lead),
            selectinload(Project.ambition_links),
            selectinload(Project.actions).joinedload(Action.lead),
        )
    ).first()
    if project is None:
        abort(404, description=f"There is no project {ref}.")
    return project


def action_by_ref(ref: str) -> Action:
    action = db.session.scalars(
        select(Action)
        .where(Action.ref == ref)
        .options(joinedload(Action.lead), joinedload(Action.project).joinedload(Project.workstream).joinedload(Workstream.parent))
    ).first()
    if action is None:
        abort(404, description=f"There is no action {ref}.")
    return action


def leads_in_use() -> list[Person]:
    """Return people who lead at least one live action, for the lead filter."""
    has_action = select(Action.id).where(Action.lead_id == Person.id, Action.archived_at.is_(None)).exists()
    return db.session.scalars(select(Person).where(has_action).order_by(Person.name)).all()


@dataclass(frozen=True)
class WorkstreamChoice:
    id: int
    ref: str
    title: str
    parent_id: int | None


@dataclass(frozen=True)
class LeadChoice:
    id: int
    name: str


def filter_choices(programme: Programme) -> tuple[list[WorkstreamChoice], list[LeadChoice]]:
    """Return the workstreams and leads offered as filters, cached until programme data changes."""
    from tracker.core.cache import cached

    def load():
        workstreams = [WorkstreamChoice(ws.id, ws.ref, ws.title, ws.parent_id) for ws in live_workstreams()]
        leads = [LeadChoice(p.id, p.name) for p in leads_in_use()]
        return workstreams, leads

    return cached(f"filter-choices:{programme.data_version}", load)


@dataclass
class ActionFilters:
    workstream: WorkstreamChoice | None = None
    workstream_ids: tuple[int, ...] = ()
    lead_id: int | None = None
    statuses: tuple[Status, ...] = ()
    overdue: bool = False
    due_before: date | None = None  # the next board's date, when only items due before it are wanted
    due_within_weeks: int | None = None
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


@dataclass
class ActionPage:
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


def filtered_actions(filters: ActionFilters, today: date, page: int, per_page: int) -> ActionPage:
    """Return one page of live actions matching the filters, and how many match in all."""
    conditions = [Action.archived_at.is_(None), Project.archived_at.is_(None)]
    if filters.workstream_ids:
        conditions.append(Project.workstream_id.in_(filters.workstream_ids))
    if filters.lead_id is not None:
        conditions.append(Action.lead_id == filters.lead_id)
    if filters.statuses:
        conditions.append(Action.status.in_(filters.statuses))
    if filters.overdue:
        conditions += [Action.deadline < today, Action.status.not_in(COMPLETE_STATUSES)]
    if filters.due_before:
        conditions += [Action.deadline >= today, Action.deadline <= filters.due_before, Action.status.not_in(COMPLETE_STATUSES)]
    if filters.due_within_weeks:
        conditions += [
            Action.deadline >= today,
            Action.deadline <= today + timedelta(weeks=filters.due_within_weeks),
            Action.status.not_in(COMPLETE_STATUSES),
        ]
    total = db.session.scalar(
        select(func.count(Action.id)).join(Project, Action.project_id == Project.id).where(*conditions)
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows_query = (
        select(Action.ref, Action.title, Project.ref, Person.name, Action.start_date, Action.deadline, Action.status)
        .join(Project, Action.project_id == Project.id)
        .outerjoin(Person, Action.lead_id == Person.id)
        .where(*conditions)
        .order_by(*_SORTS.get(filters.sort, _SORTS["ref"]))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [ActionRow(*row) for row in db.session.execute(rows_query)]
    return ActionPage(rows, total, page, per_page)

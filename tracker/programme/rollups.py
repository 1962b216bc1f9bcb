"""Status roll-ups computed in SQL (GROUP BY), and the board-style summary sentences.

A roll-up is a handful of grouped queries whatever the size of the programme; the result is
cached against Programme.data_version (see tracker.programme.data_version), so a busy overview page
reads one integer from the database and reuses the counts until something is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from tracker.core.refs import ref_slug
from tracker.extensions import db
from tracker.programme.models import Action, ActionTiming, Programme, Project, ProjectAmbition, Workstream
from tracker.programme.queries import next_board as next_board_of
from tracker.programme.status import Ambition, Status


@dataclass
class StatusCounts:
    """How many items stand at each status, with what is overdue and what is due soon."""

    by_status: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    # body name -> count of items that body reports on instead of this board
    reported_separately: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    due_before_board: int = 0

    @property
    def reported_here(self) -> int:
        return sum(self.by_status.values())

    @property
    def total(self) -> int:
        return self.reported_here + sum(self.reported_separately.values())

    def add(self, other: StatusCounts) -> None:
        for status, count in other.by_status.items():
            self.by_status[status] += count
        for body, count in other.reported_separately.items():
            self.reported_separately[body] = self.reported_separately.get(body, 0) + count
        self.overdue += other.overdue
        self.due_before_board += other.due_before_board

    def to_json(self) -> dict:
        return {
            "total": self.total,
            "by_status": {status.value: count for status, count in self.by_status.items()},
            "reported_separately": [{"by": body, "count": count} for body, count in self.separate_lines()],
            "overdue": self.overdue,
            "due_before_next_board": self.due_before_board,
        }

    def separate_lines(self) -> list[tuple[str, int]]:
        """Return (body, count) pairs, largest first, as a board report lists them."""
        return sorted(self.reported_separately.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class WorkstreamRollup:
    id: int
    ref: str
    title: str
    reported_separately_by: str | None
    projects: StatusCounts
    actions: StatusCounts

    @property
    def slug(self) -> str:
        """The workstream's web address, as its page links it."""
        return ref_slug(self.ref)


@dataclass
class ProgrammeRollup:
    today: date
    next_board: date
    projects: StatusCounts
    actions: StatusCounts
    workstreams: list[WorkstreamRollup]
    ambitions: dict[Ambition, dict[Status, int]]

    def to_json(self) -> dict:
        return {
            "as_at": self.today.isoformat(),
            "next_board": self.next_board.isoformat(),
            "projects": self.projects.to_json(),
            "actions": self.actions.to_json(),
            "workstreams": [
                {
                    "ref": ws.ref,
                    "title": ws.title,
                    "reported_separately_by": ws.reported_separately_by,
                    "projects": ws.projects.to_json(),
                    "actions": ws.actions.to_json(),
                }
                for ws in self.workstreams
            ],
            "projects_by_ambition": {
                ambition.value: {s.value: n for s, n in counts.items()} for ambition, counts in self.ambitions.items()
            },
        }


def _live(*models) -> list:
    return [model.archived_at.is_(None) for model in models]


def _counts_query(model, group_column, today: date, next_board: date):
    """Select (group, status, count, overdue, due_before_board) for projects or actions."""
    # Projects are judged on their target date by the same rules as actions on their deadline.
    due = Action.deadline if model is Action else Project.target_date
    overdue = func.sum(case((ActionTiming.overdue_clause(today, due, model.status), 1), else_=0))
    due_soon = func.sum(case((ActionTiming.due_before_clause(today, next_board, due, model.status), 1), else_=0))
    query = select(group_column, model.status, func.count(), overdue, due_soon)
    if model is Action:
        query = query.join(Project, Action.project_id == Project.id)
    query = query.join(Workstream, Project.workstream_id == Workstream.id)
    live = _live(Project, Workstream) + (_live(Action) if model is Action else [])
    return query.where(*live).group_by(group_column, model.status)


def _fold(rows, body_of) -> dict[int, StatusCounts]:
    """Fold grouped rows into StatusCounts per group, moving separately-reported items aside."""
    counts: dict[int, StatusCounts] = defaultdict(StatusCounts)
    for group_id, status, count, overdue, due_soon in rows:
        bucket = counts[group_id]
        body = body_of(group_id)
        if body:
            bucket.reported_separately[body] = bucket.reported_separately.get(body, 0) + count
        else:
            bucket.by_status[status] += count
        bucket.overdue += overdue or 0
        bucket.due_before_board += due_soon or 0
    return counts


def programme_rollup(programme: Programme, today: date) -> ProgrammeRollup:
    """Return the programme's counts by status, per top-level workstream and in total."""
    next_board = next_board_of(programme, today)
    workstreams = db.session.scalars(
        select(Workstream)
        .where(Workstream.programme_id == programme.id, Workstream.archived_at.is_(None))
        .order_by(Workstream.position, Workstream.ref_sort)
    ).all()
    by_id = {ws.id: ws for ws in workstreams}
    top_level = [ws for ws in workstreams if ws.parent_id is None or ws.parent_id not in by_id]

    def body_of(root_id: int) -> str | None:
        ws = by_id.get(root_id)
        return ws.reported_separately_by if ws else None

    root = func.coalesce(Workstream.parent_id, Workstream.id)
    in_programme = Workstream.programme_id == programme.id
    project_counts = _fold(
        db.session.execute(_counts_query(Project, root, today, next_board).where(in_programme)), body_of
    )
    action_counts = _fold(
        db.session.execute(_counts_query(Action, root, today, next_board).where(in_programme)), body_of
    )

    rows = []
    programme_projects, programme_actions = StatusCounts(), StatusCounts()
    for ws in top_level:
        projects, actions = project_counts.get(ws.id, StatusCounts()), action_counts.get(ws.id, StatusCounts())
        programme_projects.add(projects)
        programme_actions.add(actions)
        rows.append(WorkstreamRollup(ws.id, ws.ref, ws.title, ws.reported_separately_by, projects, actions))

    ambitions: dict[Ambition, dict[Status, int]] = {a: dict.fromkeys(Status, 0) for a in Ambition}
    ambition_rows = db.session.execute(
        select(ProjectAmbition.ambition, Project.status, func.count())
        .join(Project, ProjectAmbition.project_id == Project.id)
        .join(Workstream, Project.workstream_id == Workstream.id)
        .where(Project.programme_id == programme.id, *_live(Project, Workstream))
        .group_by(ProjectAmbition.ambition, Project.status)
    )
    for ambition, status, count in ambition_rows:
        ambitions[ambition][status] += count

    return ProgrammeRollup(today, next_board, programme_projects, programme_actions, rows, ambitions)


def project_action_counts(project_ids: list[int], today: date, next_board: date) -> dict[int, StatusCounts]:
    """Return action counts per project for the given projects, in one grouped query."""
    if not project_ids:
        return {}
    query = _counts_query(Action, Action.project_id, today, next_board).where(Action.project_id.in_(project_ids))
    return _fold(db.session.execute(query), lambda _project_id: None)


def summary_sentences(counts: StatusCounts, item: str, plural: str) -> list[str]:
    """Return the board-report sentences for one kind of item.

    e.g. "Of the 34 projects: 20 are rated Amber (project started and progress is being made), …;
    7 projects are led by the Travel Service programme and 5 by the SEND Improvement Board and
    are reported separately."
    """
    parts = []
    for status in Status:
        count = counts.by_status[status]
        if count:
            verb = "is" if count == 1 else "are"
            parts.append(f"{count} {verb} rated {status.label} ({status.describe(item)})")
    if not parts:
        parts.append("none is rated yet")
    sentences = [f"Of the {counts.total} {plural if counts.total != 1 else item}: " + ", ".join(parts) + "."]
    separate = counts.separate_lines()
    if separate:
        first_body, first_count = separate[0]
        noun = item if first_count == 1 else plural
        verb = "is" if first_count == 1 and len(separate) == 1 else "are"
        led = [f"{first_count} {noun} {verb} led by the {first_body}"]
        led += [f"{count} by the {body}" for body, count in separate[1:]]
        joined = led[0] if len(led) == 1 else ", ".join(led[:-1]) + " and " + led[-1]
        verb = "is" if sum(count for _, count in separate) == 1 else "are"
        sentences.append(f"{joined[0].upper()}{joined[1:]} and {verb} reported separately.")
    return sentences

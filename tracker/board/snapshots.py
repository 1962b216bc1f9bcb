"""Frozen boards: the programme's position as a JSON document, stored once per meeting and never changed.

``build_position(programme, today)`` reads the live position in a FIXED number of SQL statements
(bulk selects of plain columns, never a lazy load per item), whatever the size of the programme.
``freeze_board`` stores it for a meeting with its SHA-256; ``load_snapshot`` reads it back and
checks the checksum. The same document, built live, is what movement and the data-quality checks
read before a board is frozen, so every reader sees one shape. ``live_position`` and
``frozen_document`` keep a few whole documents per process for readers that only read them
(movement, data quality, the pack, the API).

The shape (``"schema": 1``), every date ISO text, every number exact text (``"63.5"``)::

    schema            1
    programme         {name, short_name, board_name, cycle_weeks}
    meeting           {date, update_deadline} of the frozen meeting, or null for the live position
    position_as_at    the day the position was taken (the rules judged overdue on it)
    next_board        the next board on or after position_as_at
    frozen            {by, at} when frozen, else null
    rollup            tracker.programme.rollups.ProgrammeRollup.to_json()
    summary           {projects: [sentences], actions: [sentences]} as on the overview
    workstreams       [{id, ref, slug, title, description, parent_ref, reported_separately_by, counts}]
    projects          [{id, ref, slug, title, workstream_ref, root_workstream_ref, lead, deliverables, impact,
                        target_date, target_date_note, status, progress, next_steps, updated_at, overdue,
                        reported_separately_by}]
    actions           [{id, ref, slug, title, project_ref, workstream_ref, lead, start_date, deadline,
                        deadline_note, status, completed_on, progress_note, updated_at, overdue,
                        reported_separately_by}]
    kpis              [{id, ref, slug, label, title, unit, polarity, frequency, places, owner, workstream_refs,
                        project_refs, target, target_text, tolerance_text, latest, status, direction,
                        exceeds_tolerance, recent}]
    risks             [{id, ref, level, workstream_ref, project_ref, description, mitigation, owner, likelihood,
                        impact, rating, rag, is_open, review_on}]

Lists are in board order (workstream, project and action position, then ref). ``counts`` is the
top-level workstream's ``{projects, actions}`` roll-up (null for a sub-workstream);
``reported_separately_by`` is the body that reports the item instead of this board (inherited from
the workstream). ``deadline_note`` / ``target_date_note`` is the reason given with the latest change
of that date in the item's history ("" if none). A KPI's ``latest`` is ``{period_end, period_label,
value, value_shown, commentary}`` or null; ``recent`` its last ``RECENT_VALUES`` values, oldest
first, as ``{period_end, period_label, value}``; ``status`` green/amber/red or null; ``direction``
improving/worsening/no change or null. A risk's ``level`` is programme, workstream or project;
``rag`` is its RiskLevel value (low/medium/high).
"""

from __future__ import annotations

import gc
import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, func, or_, select, type_coerce
from sqlalchemy.orm import aliased, defer, joinedload

from tracker.audit.services import record_audit_event
from tracker.auth.permissions import can_manage_programme
from tracker.board.models import BoardSnapshot
from tracker.core.cache import LocalCache, cached
from tracker.core.clock import as_utc, utcnow
from tracker.core.clock import today as clock_today
from tracker.core.errors import InvalidChange, NotAllowed
from tracker.core.templating import govuk_date
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.kpis.models import Kpi, KpiTarget, KpiValue, kpi_project, kpi_workstream
from tracker.kpis.queries import KpiRow, assess_value
from tracker.kpis.rules import target_in_force
from tracker.people.models import Person
from tracker.programme.data_version import changes_since
from tracker.programme.models import Action, ActionTiming, BoardMeeting, Programme, Project, Workstream
from tracker.programme.rollups import programme_rollup, summary_sentences
from tracker.programme.status import Status
from tracker.risks.models import Risk, RiskLevel

SCHEMA = 1
RECENT_VALUES = 8
COMMAND_LINE_NAME = "the command line"
BOARD_FROZEN = "board_frozen"


@dataclass
class Timing(ActionTiming):
    """An item's dates and status, asked the programme's one set of deadline rules (``ActionTiming``)."""

    deadline: date | None
    start_date: date | None
    status: Status


def timing_of(item: dict[str, Any]) -> Timing:
    """Return the deadline rules' view of a document's action or project (a project's deadline is its target)."""
    deadline = item.get("deadline", item.get("target_date"))
    start = item.get("start_date")
    return Timing(
        date.fromisoformat(deadline) if deadline else None,
        date.fromisoformat(start) if start else None,
        Status(item["status"]),
    )


# --- reading the live position ------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value.isoformat()


def _utc_text(moment: datetime) -> str:
    """Return ``as_utc(moment).isoformat()`` without building an aware copy of a naive (SQLite) timestamp.

    Naive means UTC (``as_utc``'s rule), so the offset is written on: at 15,000 actions the copy cost
    two thirds of the time spent formatting their ``updated_at``.
    """
    return moment.isoformat() + "+00:00" if moment.tzinfo is None else moment.isoformat()


def _number(value: Decimal | None) -> str | None:
    """Return a number as exact text: '63.5', never a float's approximation."""
    return None if value is None else format(value.normalize(), "f")


def _workstreams(programme: Programme) -> list[dict[str, Any]]:
    parent = aliased(Workstream)
    rows = db.session.execute(
        select(
            Workstream.id,
            Workstream.ref,
            Workstream.slug,
            Workstream.title,
            Workstream.description,
            Workstream.parent_id,
            parent.ref,
            Workstream.reported_separately_by,
            parent.reported_separately_by,
        )
        .outerjoin(parent, Workstream.parent_id == parent.id)
        .where(Workstream.programme_id == programme.id, Workstream.archived_at.is_(None))
        .where(or_(parent.id.is_(None), parent.archived_at.is_(None)))
        .order_by(func.coalesce(parent.position, Workstream.position), Workstream.parent_id.is_not(None))
        .order_by(func.coalesce(parent.ref_sort, Workstream.ref_sort), Workstream.position, Workstream.ref_sort)
    ).all()
    return [
        {
            "id": ws_id,
            "ref": ref,
            "slug": slug,
            "title": title,
            "description": description,
            "parent_id": parent_id,
            "parent_ref": parent_ref,
            "reported_separately_by": own_body or parent_body,
            "counts": None,
        }
        for ws_id, ref, slug, title, description, parent_id, parent_ref, own_body, parent_body in rows
    ]


def _date_notes(programme: Programme, only: dict[str, set[int]] | None = None) -> dict[tuple[str, int], str]:
    """Return the reason given with the latest change of each item's deadline or target date (one statement):
    of every item in the programme, or of the projects and actions named in ``only``."""
    newest_first = (
        func.row_number()
        .over(
            partition_by=(ChangeRecord.item_type, ChangeRecord.item_id),
            order_by=(ChangeRecord.changed_at.desc(), ChangeRecord.id.desc()),
        )
        .label("newest")
    )
    actions: Any = select(Action.id).where(Action.programme_id == programme.id)
    projects: Any = select(Project.id).where(Project.programme_id == programme.id)
    if only is not None:
        actions, projects = sorted(only.get("action", ())), sorted(only.get("project", ()))
    in_programme = or_(
        and_(ChangeRecord.item_type == "action", ChangeRecord.field == "deadline", ChangeRecord.item_id.in_(actions)),
        and_(
            ChangeRecord.item_type == "project",
            ChangeRecord.field == "target_date",
            ChangeRecord.item_id.in_(projects),
        ),
    )
    ranked = select(ChangeRecord.item_type, ChangeRecord.item_id, ChangeRecord.note, newest_first).where(in_programme)
    ranked_sub = ranked.subquery()
    rows = db.session.execute(
        select(ranked_sub.c.item_type, ranked_sub.c.item_id, ranked_sub.c.note).where(ranked_sub.c.newest == 1)
    )
    return {(kind, item_id): note or "" for kind, item_id, note in rows}


def _rows(statement: Any) -> Any:
    """Return a statement's rows as plain tuples, on the session's connection.

    Core, not ``session.execute``: the ORM's result machinery costs more than SQLite itself on 15,000
    rows. No autoflush is lost: the roll-up's ORM queries, run first, have flushed the session.
    """
    return db.session.connection().execute(statement).all()


# Where an item sits in the document and what placed it there, by (journal kind, id): its index in its
# list, and the values its place (and, for a project, its actions' copies of its refs) are drawn from.
Places = dict[tuple[str, int], tuple[int, tuple[Any, ...]]]


def _projects(
    programme: Programme,
    day: date,
    workstreams: dict[int, dict[str, Any]],
    notes: dict,
    places: Places,
    only: set[int] | None = None,
) -> list[dict]:
    """The programme's projects on the board (or those of ``only``), recording each one's place in ``places``."""
    statement = (
        select(
            Project.id,
            Project.ref,
            Project.slug,
            Project.title,
            Project.workstream_id,
            Person.name,
            Project.deliverables,
            Project.impact,
            Project.target_date,
            Project.status,
            Project.progress,
            Project.next_steps,
            Project.updated_at,
            # The deadline rules' SQL form, so no Timing is built per row (a project's deadline is its target).
            Timing.overdue_clause(day, Project.target_date, Project.status),
            Project.position,
            Project.ref_sort,
        )
        .outerjoin(Person, Project.lead_id == Person.id)
        .where(Project.programme_id == programme.id, Project.archived_at.is_(None))
        .order_by(Project.position, Project.ref_sort, Project.id)
    )
    rows = _rows(statement if only is None else statement.where(Project.id.in_(sorted(only))))
    projects: list[dict] = []
    for row in rows:
        pid, ref, slug, title, ws_id, lead, deliverables, impact, target, status, progress, steps, at, late = row[:14]
        ws = workstreams.get(ws_id)
        if ws is None:  # in an archived workstream: not on the board
            continue
        places["project", pid] = (len(projects), (row.position, row.ref_sort, ref, ws_id))
        projects.append(
            {
                "id": pid,
                "ref": ref,
                "slug": slug,
                "title": title,
                "workstream_id": ws_id,
                "workstream_ref": ws["ref"],
                "root_workstream_ref": ws["parent_ref"] or ws["ref"],
                "lead": lead,
                "deliverables": deliverables,
                "impact": impact,
                "target_date": target and target.isoformat(),
                "target_date_note": notes.get(("project", pid), ""),
                "status": status.value,
                "progress": progress,
                "next_steps": steps,
                "updated_at": _utc_text(at),
                "overdue": bool(late),
                "reported_separately_by": ws["reported_separately_by"],
            }
        )
    return projects


def _actions(
    programme: Programme,
    day: date,
    projects: dict[int, dict[str, Any]],
    notes: dict,
    places: Places,
    only: set[int] | None = None,
) -> list[dict]:
    """Every action on the board (or those of ``only``), recording each one's place in ``places``; the loop is
    the cost at 15,000 actions, so it does no more than build each dict."""
    statement = (
        select(
            Action.id,
            Action.ref,
            Action.slug,
            Action.title,
            Action.project_id,
            Person.name,
            Action.start_date,
            Action.deadline,
            type_coerce(Action.status, String),  # the stored word is the document's: no Status made and unmade
            Action.completed_on,
            Action.progress_note,
            Action.updated_at,
            Timing.overdue_clause(day),  # the deadline rules' SQL form (ActionTiming.is_overdue's twin)
            Action.position,
            Action.ref_sort,
        )
        .outerjoin(Person, Action.lead_id == Person.id)
        .where(Action.programme_id == programme.id, Action.archived_at.is_(None))
        .order_by(Action.position, Action.ref_sort, Action.id)
    )
    rows = _rows(statement if only is None else statement.where(Action.id.in_(sorted(only))))
    note_of = notes.get
    actions: list[dict] = []
    for aid, ref, slug, title, project_id, lead, start, deadline, status, completed, note, at, late, *order in rows:
        project = projects.get(project_id)
        if project is None:  # under an archived project or workstream: not on the board
            continue
        places["action", aid] = (len(actions), (*order, project_id))
        actions.append(
            {
                "id": aid,
                "ref": ref,
                "slug": slug,
                "title": title,
                "project_id": project_id,
                "project_ref": project["ref"],
                "workstream_ref": project["root_workstream_ref"],
                "lead": lead,
                "start_date": start and start.isoformat(),
                "deadline": deadline and deadline.isoformat(),
                "deadline_note": note_of(("action", aid), ""),
                "status": status,
                "completed_on": completed and completed.isoformat(),
                "progress_note": note,
                "updated_at": _utc_text(at),
                "overdue": bool(late),
                "reported_separately_by": project["reported_separately_by"],
            }
        )
    return actions


def _kpi_rows(programme: Programme) -> tuple[list[KpiRow], dict[int, list[dict[str, Any]]]]:
    """Return the programme's KPIs judged as ``kpi_rows`` judges them, and each one's last values (three statements).

    ``kpi_rows`` ranks every value of every programme and looks up a target per value row; with the
    trend's own read, the KPIs took a third of the live position's time at 250 KPIs × 60 values.
    Here one ranked read of this programme's last RECENT_VALUES values per KPI, as plain rows, gives
    the trend and the latest two; the target in force is chosen by the rules' own
    ``target_in_force`` and the latest value judged by ``assess_value``, given the two values it
    reads as (unsaved) ``KpiValue``s.
    """
    in_programme = Kpi.programme_id == programme.id
    kpis = db.session.scalars(
        select(Kpi).options(joinedload(Kpi.owner)).where(in_programme).order_by(Kpi.ref_sort, Kpi.id)
    ).all()
    targets: dict[int, list[KpiTarget]] = {}
    for target in db.session.scalars(select(KpiTarget).join(Kpi, KpiTarget.kpi_id == Kpi.id).where(in_programme)):
        targets.setdefault(target.kpi_id, []).append(target)
    newest_first = (
        func.row_number().over(partition_by=KpiValue.kpi_id, order_by=KpiValue.period_end.desc()).label("newest")
    )
    columns = ("period_end", "period_label", "value", "commentary", "national", "statistical_neighbours")
    ranked = (
        select(KpiValue.kpi_id, *(getattr(KpiValue, name) for name in columns), newest_first)
        .where(KpiValue.kpi_id.in_(select(Kpi.id).where(in_programme)))
        .subquery()
    )
    recent: dict[int, list[dict[str, Any]]] = {}
    for kpi_id, *values in _rows(
        select(ranked.c.kpi_id, *(ranked.c[name] for name in columns))
        .where(ranked.c.newest <= RECENT_VALUES)
        .order_by(ranked.c.kpi_id, ranked.c.period_end)
    ):
        recent.setdefault(kpi_id, []).append(dict(zip(columns, values, strict=True)))
    rows = []
    for kpi in kpis:
        last = recent.get(kpi.id, [])
        latest = KpiValue(**last[-1]) if last else None
        previous = KpiValue(**last[-2]) if len(last) > 1 else None
        # A KPI without values is shown against its newest target, as kpi_rows does.
        in_force = target_in_force(targets.get(kpi.id, []), latest.period_end if latest else date.max)
        rows.append(KpiRow(kpi, latest, previous, in_force, assess_value(kpi, in_force, latest, previous)))
    return rows, recent


def _kpis(programme: Programme) -> list[dict[str, Any]]:
    """Every KPI with its latest value judged, and its last values for a trend (five statements)."""
    rows, recent_values = _kpi_rows(programme)
    recent = {
        kpi_id: [
            {"period_end": _iso(v["period_end"]), "period_label": v["period_label"], "value": _number(v["value"])}
            for v in values
        ]
        for kpi_id, values in recent_values.items()
    }
    workstream_refs: dict[int, list[str]] = {}
    for kpi_id, ref in db.session.execute(
        select(kpi_workstream.c.kpi_id, Workstream.ref)
        .join(Workstream, Workstream.id == kpi_workstream.c.workstream_id)
        .where(Workstream.programme_id == programme.id)
        .order_by(Workstream.ref_sort)
    ):
        workstream_refs.setdefault(kpi_id, []).append(ref)
    project_refs: dict[int, list[str]] = {}
    for kpi_id, ref in db.session.execute(
        select(kpi_project.c.kpi_id, Project.ref)
        .join(Project, Project.id == kpi_project.c.project_id)
        .where(Project.programme_id == programme.id)
        .order_by(Project.ref_sort)
    ):
        project_refs.setdefault(kpi_id, []).append(ref)
    kpis = []
    for row in rows:
        kpi, latest, assessment = row.kpi, row.latest, row.assessment
        kpis.append(
            {
                "id": kpi.id,
                "ref": kpi.ref,
                "slug": kpi.slug,
                "label": kpi.label,
                "title": kpi.title,
                "unit": kpi.unit.value,
                "polarity": kpi.polarity.value,
                "frequency": kpi.frequency.value,
                "places": kpi.places,
                "owner": kpi.owner.name if kpi.owner else None,
                "workstream_refs": workstream_refs.get(kpi.id, []),
                "project_refs": project_refs.get(kpi.id, []),
                "target": _number(assessment.target),
                "target_text": row.target_text,
                "tolerance_text": row.tolerance_text,
                "latest": None
                if latest is None
                else {
                    "period_end": _iso(latest.period_end),
                    "period_label": latest.period_label,
                    "value": _number(latest.value),
                    "value_shown": _number(assessment.value_shown),
                    "commentary": latest.commentary,
                },
                "status": assessment.status.value if assessment.status else None,
                "direction": assessment.direction.value if assessment.direction else None,
                "exceeds_tolerance": assessment.exceeds_tolerance,
                "recent": recent.get(kpi.id, []),
            }
        )
    return kpis


def _risks(programme: Programme) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            Risk.id,
            Risk.workstream_id,
            Workstream.ref,
            Risk.project_id,
            Project.ref,
            Risk.description,
            Risk.mitigation,
            Person.name,
            Risk.likelihood,
            Risk.impact,
            Risk.is_open,
            Risk.review_on,
        )
        .outerjoin(Workstream, Risk.workstream_id == Workstream.id)
        .outerjoin(Project, Risk.project_id == Project.id)
        .outerjoin(Person, Risk.owner_id == Person.id)
        .where(Risk.programme_id == programme.id)
        .order_by(Risk.is_open.desc(), (Risk.likelihood * Risk.impact).desc(), Risk.id)
    ).all()
    return [
        {
            "id": risk_id,
            "ref": f"R{risk_id}",
            "level": "project" if project_id else "workstream" if ws_id else "programme",
            "workstream_ref": ws_ref,
            "project_ref": project_ref,
            "description": description,
            "mitigation": mitigation,
            "owner": owner,
            "likelihood": likelihood,
            "impact": impact,
            "rating": likelihood * impact,
            "rag": RiskLevel.for_rating(likelihood * impact).value,
            "is_open": bool(is_open),
            "review_on": _iso(review_on),
        }
        for (
            risk_id,
            ws_id,
            ws_ref,
            project_id,
            project_ref,
            description,
            mitigation,
            owner,
            likelihood,
            impact,
            is_open,
            review_on,
        ) in rows
    ]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cycle collector while a whole document is built or parsed.

    Making 300,000 dicts and lists sets off collections that each walk every object the process
    holds: about 80 ms of the live movement page's first request at 15,000 actions.
    A document holds no reference cycles, so the pause leaves nothing behind for the collector; what
    else is made meanwhile is collected once it resumes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class LiveDocument:
    """A live position, the programme data version it shows, and where each project and action sits in it."""

    version: int
    position: dict[str, Any]
    places: Places


def _rolled_up(rollup: Any, workstream_list: list[dict[str, Any]]) -> dict[str, Any]:
    """The document's parts drawn from the roll-up: its own entry, the summary, the next board, and the
    workstreams with their counts (a top-level workstream's copy carries them; a sub-workstream's are null)."""
    counts = {ws.ref: {"projects": ws.projects.to_json(), "actions": ws.actions.to_json()} for ws in rollup.workstreams}
    return {
        "next_board": rollup.next_board.isoformat(),
        "rollup": rollup.to_json(),
        "summary": {
            "projects": summary_sentences(rollup.projects, "project", "projects"),
            "actions": summary_sentences(rollup.actions, "action", "actions"),
        },
        "workstreams": [
            {**ws, "counts": counts.get(ws["ref"])} if ws["parent_id"] is None else ws for ws in workstream_list
        ],
    }


def _build_live(programme: Programme, today: date) -> LiveDocument:
    """Read the whole live position: a fixed number of statements, whatever the size."""
    version = programme.data_version
    rollup = programme_rollup(programme, today)  # first: its ORM queries flush the session for the Core reads
    workstream_list = _workstreams(programme)
    workstreams = {ws["id"]: ws for ws in workstream_list}
    notes = _date_notes(programme)
    places: Places = {}
    project_list = _projects(programme, today, workstreams, notes, places)
    actions = _actions(programme, today, {p["id"]: p for p in project_list}, notes, places)
    position = {
        "schema": SCHEMA,
        "programme": {
            "name": programme.name,
            "short_name": programme.short_name,
            "board_name": programme.board_name,
            "cycle_weeks": programme.board_cycle_weeks,
        },
        "meeting": None,
        "position_as_at": today.isoformat(),
        "frozen": None,
        **_rolled_up(rollup, workstream_list),
        "projects": project_list,
        "actions": actions,
        "kpis": _kpis(programme),
        "risks": _risks(programme),
    }
    return LiveDocument(version, position, places)


def build_position(programme: Programme, today: date) -> dict[str, Any]:
    """Return the programme's live position as the snapshot document (``meeting`` and ``frozen`` null).

    A fixed number of statements: the roll-up's four, workstreams, date notes, projects, actions, the
    KPIs' five and the risks', whatever the size.
    """
    return _build_live(programme, today).position


# A write touching more items than this is cheaper to follow by reading everything again.
PATCH_LIMIT = 500


def _replaced(
    items: list[dict[str, Any]], kind: str, fresh: list[dict[str, Any]], places: Places, earlier: Places
) -> list[dict[str, Any]] | None:
    """A copy of a document's list with the fresh copies of some items in their places, or None when an item
    is new, left the board or moved (its place, or what its children copy from it, changed)."""
    replaced = list(items)
    for item in fresh:
        key = (kind, item["id"])
        if key not in earlier or places[key][1] != earlier[key][1]:
            return None
        replaced[earlier[key][0]] = item
    return replaced


def _patched(programme: Programme, today: date, earlier: LiveDocument) -> LiveDocument | None:
    """The earlier live position with the projects and actions journalled since re-read (the roll-up read
    again), or None when the journal names anything else, or too much, or an item changed its place.

    What leads write in a board week (an action's or a project's update) costs a few statements on a
    handful of rows instead of reading 15,000 actions; everything else reads the whole position again.
    Callers see a new document: the earlier one, which other readers may hold, is never changed.
    """
    changed = changes_since(programme, earlier.version)
    if changed is None or not changed.keys() <= {"project", "action"} or sum(map(len, changed.values())) > PATCH_LIMIT:
        return None
    version = programme.data_version
    rollup = programme_rollup(programme, today)
    before = earlier.position
    notes = _date_notes(programme, changed)
    places: Places = {}
    workstreams = {ws["id"]: ws for ws in before["workstreams"]}
    fresh_projects = _projects(programme, today, workstreams, notes, places, changed.get("project", set()))
    projects = _replaced(before["projects"], "project", fresh_projects, places, earlier.places)
    project_of = {p["id"]: p for p in projects or ()}
    fresh_actions = _actions(programme, today, project_of, notes, places, changed.get("action", set()))
    actions = _replaced(before["actions"], "action", fresh_actions, places, earlier.places)
    if projects is None or actions is None or len(places) != sum(map(len, changed.values())):
        return None  # an item left the board (archived, or under something archived) or moved
    position = {**before, **_rolled_up(rollup, before["workstreams"]), "projects": projects, "actions": actions}
    return LiveDocument(version, position, earlier.places)


# How many whole documents each process keeps (about 17 MB each at 15,000 actions): the live position
# of the programme in use and one more (another programme, or another day); the frozen boards a
# movement page compares (two) and one more.
DOCUMENTS_KEPT = {"live": 2, "frozen": 3}


def _documents(kind: str) -> LocalCache:
    """Return this app's small cache of whole position documents of a kind ("live" or "frozen"), in this process.

    Not in the shared cache: a document is about 17 MB of Python objects at 15,000 actions, so
    only a few are kept (a live one of an older data version is never read again and must not wait
    among 512 other entries to be dropped), and pickling one to Redis costs about what rebuilding it
    does. Emptied whenever the shared cache is (tests and the bench clear it to start afresh): a
    token kept there names the current set.
    """
    token = cached("board-documents", lambda: uuid.uuid4().hex)
    caches: dict[str, Any] = current_app.extensions.setdefault("board_documents", {})
    if caches.get("token") != token:
        caches.clear()
        caches["token"] = token
    if kind not in caches:
        caches[kind] = LocalCache(max_entries=DOCUMENTS_KEPT[kind])
    kept: LocalCache = caches[kind]
    return kept


def live_position(programme: Programme, today: date) -> dict[str, Any]:
    """Return the live position to READ (callers must not change it), brought up to date only when the
    programme's data or the day has changed. Movement, the data-quality checks, the pack and the API share it.

    Every write to programme data (KPI values and risks too) bumps the programme's data version and
    journals what it touched: the position this process holds for the day is patched with the items
    journalled since its version when they are only projects and actions, else read again whole.
    """
    kept = _documents("live")
    key = f"board-position:{programme.id}:{today.isoformat()}"
    document: LiveDocument | None = kept.get(key)
    if document is None or document.version != programme.data_version:
        with _collector_paused():
            patched = None if document is None else _patched(programme, today, document)
            document = patched or _build_live(programme, today)
        kept.set(key, document)
    return document.position


# --- freezing and reading back ------------------------------------------------------------------


def encode(content: dict[str, Any]) -> str:
    """Return the stored text of a document: sorted keys, no spaces, so the same position gives the same bytes."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_of(meeting: BoardMeeting) -> BoardSnapshot | None:
    """Return the meeting's frozen board, or None (one statement; its document is read when first used)."""
    return db.session.scalars(
        select(BoardSnapshot).where(BoardSnapshot.meeting_id == meeting.id).options(defer(BoardSnapshot.content))
    ).first()


class SnapshotDamaged(RuntimeError):
    """The stored document no longer matches its checksum."""


def load_snapshot(snapshot: BoardSnapshot) -> dict[str, Any]:
    """Return the frozen document, after checking it is byte for byte what was frozen."""
    if checksum(snapshot.content) != snapshot.content_sha256:
        raise SnapshotDamaged(
            f"The frozen board of {govuk_date(snapshot.position_as_at)} does not match its checksum; "
            "it has been altered outside the tracker."
        )
    content: dict[str, Any] = json.loads(snapshot.content)
    return content


def frozen_document(snapshot: BoardSnapshot) -> dict[str, Any]:
    """Return a frozen board's document to READ (callers must not change it), parsed once per process.

    The checksum names the bytes, and the database refuses to change them, so the parsed document is
    kept by checksum: the first request reads, checks and parses the text (about 70 ms at 15,000
    actions); later ones, in this process, reuse it without reading the text again.
    """
    document: dict[str, Any] | None = _documents("frozen").get(snapshot.content_sha256)
    if document is None:
        with _collector_paused():
            document = load_snapshot(snapshot)
        _documents("frozen").set(snapshot.content_sha256, document)
    return document


def _frozen_by_name(user: Any, command_line: bool) -> str:
    name = getattr(user, "name", None) or getattr(user, "email", None)
    if command_line:
        return f"{name} (command line)" if name else COMMAND_LINE_NAME
    return str(name)


def freeze_board(
    programme: Programme, meeting: BoardMeeting, user: Any, *, command_line: bool = False, as_at: date | None = None
) -> BoardSnapshot:
    """Freeze the programme's position for the meeting; the programme office or the command line only.

    The position is judged as at today (what is overdue, due before the board) unless ``as_at`` names
    another day: the demo freezes its past boards as at their own dates. Refuses a meeting of another
    programme, and one already frozen. The caller commits.
    """
    if not command_line and not can_manage_programme(user, programme.id):
        raise NotAllowed("Only the programme office can freeze a board.")
    if meeting.programme_id != programme.id:
        raise InvalidChange({"meeting": "That meeting is another programme's board."})
    existing = snapshot_of(meeting)
    if existing is not None:
        raise InvalidChange(
            {
                "meeting": f"The board of {govuk_date(meeting.meets_on)} was already frozen on "
                f"{govuk_date(as_utc(existing.frozen_at))} by {existing.frozen_by_name}; "
                "a frozen board cannot be frozen again."
            }
        )
    day = as_at or clock_today()
    now = utcnow()
    by = _frozen_by_name(user, command_line)
    content = build_position(programme, day)
    content["meeting"] = {"date": meeting.meets_on.isoformat(), "update_deadline": meeting.update_deadline.isoformat()}
    content["frozen"] = {"by": by, "at": now.isoformat()}
    text = encode(content)
    snapshot = BoardSnapshot(
        meeting_id=meeting.id,
        programme_id=programme.id,
        position_as_at=day,
        frozen_at=now,
        frozen_by_id=getattr(user, "id", None),
        frozen_by_name=by,
        content=text,
        content_sha256=checksum(text),
    )
    db.session.add(snapshot)
    record_audit_event(
        BOARD_FROZEN,
        f"{programme.short_name}: board of {govuk_date(meeting.meets_on)} frozen "
        f"({len(content['projects'])} projects, {len(content['actions'])} actions, {len(content['kpis'])} KPIs, "
        f"{len(content['risks'])} risks)",
        user=user if getattr(user, "id", None) is not None else None,
    )
    db.session.flush()
    return snapshot


def meeting_to_freeze(programme: Programme, today: date) -> tuple[BoardMeeting | None, str]:
    """Return the meeting a freeze without --meeting means, and why: the next on or after today, else the
    latest past one not yet frozen (two statements at most)."""
    upcoming = db.session.scalars(
        select(BoardMeeting)
        .where(BoardMeeting.programme_id == programme.id, BoardMeeting.meets_on >= today)
        .order_by(BoardMeeting.meets_on)
        .limit(1)
    ).first()
    if upcoming is not None:
        return upcoming, "the next meeting on or after today"
    frozen = select(BoardSnapshot.meeting_id)
    past = db.session.scalars(
        select(BoardMeeting)
        .where(BoardMeeting.programme_id == programme.id, BoardMeeting.id.not_in(frozen))
        .order_by(BoardMeeting.meets_on.desc())
        .limit(1)
    ).first()
    return past, "the latest past meeting not yet frozen"

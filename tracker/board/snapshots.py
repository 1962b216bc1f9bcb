"""Frozen boards: the programme's position as a JSON document, stored once per meeting and never changed.

``build_position(programme, today)`` reads the live position in a FIXED number of SQL statements
(bulk selects of plain columns, never a lazy load per item), whatever the size of the programme.
``freeze_board`` stores it for a meeting with its SHA-256; ``load_snapshot`` reads it back and
checks the checksum. The same document, built live, is what movement and the data-quality checks
read before a board is frozen, so every reader sees one shape.

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

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, defer

from tracker.audit.services import record_audit_event
from tracker.auth.permissions import can_manage_programme
from tracker.board.models import BoardSnapshot
from tracker.core.cache import cached
from tracker.core.clock import as_utc, utcnow
from tracker.core.clock import today as clock_today
from tracker.core.errors import InvalidChange, NotAllowed
from tracker.core.templating import govuk_date
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.kpis.models import Kpi, KpiValue, kpi_project, kpi_workstream
from tracker.kpis.queries import kpi_rows
from tracker.people.models import Person
from tracker.programme.data_version import version_key
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


def _date_notes(programme: Programme) -> dict[tuple[str, int], str]:
    """Return the reason given with the latest change of each item's deadline or target date (one statement)."""
    newest_first = (
        func.row_number()
        .over(
            partition_by=(ChangeRecord.item_type, ChangeRecord.item_id),
            order_by=(ChangeRecord.changed_at.desc(), ChangeRecord.id.desc()),
        )
        .label("newest")
    )
    in_programme = or_(
        and_(
            ChangeRecord.item_type == "action",
            ChangeRecord.field == "deadline",
            ChangeRecord.item_id.in_(select(Action.id).where(Action.programme_id == programme.id)),
        ),
        and_(
            ChangeRecord.item_type == "project",
            ChangeRecord.field == "target_date",
            ChangeRecord.item_id.in_(select(Project.id).where(Project.programme_id == programme.id)),
        ),
    )
    ranked = select(ChangeRecord.item_type, ChangeRecord.item_id, ChangeRecord.note, newest_first).where(in_programme)
    ranked_sub = ranked.subquery()
    rows = db.session.execute(
        select(ranked_sub.c.item_type, ranked_sub.c.item_id, ranked_sub.c.note).where(ranked_sub.c.newest == 1)
    )
    return {(kind, item_id): note or "" for kind, item_id, note in rows}


def _projects(programme: Programme, day: date, workstreams: dict[int, dict[str, Any]], notes: dict) -> list[dict]:
    rows = db.session.execute(
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
        )
        .outerjoin(Person, Project.lead_id == Person.id)
        .where(Project.programme_id == programme.id, Project.archived_at.is_(None))
        .order_by(Project.position, Project.ref_sort, Project.id)
    ).all()
    projects = []
    for pid, ref, slug, title, ws_id, lead, deliverables, impact, target, status, progress, next_steps, at in rows:
        ws = workstreams.get(ws_id)
        if ws is None:  # in an archived workstream: not on the board
            continue
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
                "target_date": _iso(target),
                "target_date_note": notes.get(("project", pid), ""),
                "status": status.value,
                "progress": progress,
                "next_steps": next_steps,
                "updated_at": _iso(at),
                "overdue": Timing(target, None, status).is_overdue(day),
                "reported_separately_by": ws["reported_separately_by"],
            }
        )
    return projects


def _actions(programme: Programme, day: date, projects: dict[int, dict[str, Any]], notes: dict) -> list[dict]:
    rows = db.session.execute(
        select(
            Action.id,
            Action.ref,
            Action.slug,
            Action.title,
            Action.project_id,
            Person.name,
            Action.start_date,
            Action.deadline,
            Action.status,
            Action.completed_on,
            Action.progress_note,
            Action.updated_at,
        )
        .outerjoin(Person, Action.lead_id == Person.id)
        .where(Action.programme_id == programme.id, Action.archived_at.is_(None))
        .order_by(Action.position, Action.ref_sort, Action.id)
    ).all()
    actions = []
    for aid, ref, slug, title, project_id, lead, start, deadline, status, completed, note, at in rows:
        project = projects.get(project_id)
        if project is None:  # under an archived project or workstream: not on the board
            continue
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
                "start_date": _iso(start),
                "deadline": _iso(deadline),
                "deadline_note": notes.get(("action", aid), ""),
                "status": status.value,
                "completed_on": _iso(completed),
                "progress_note": note,
                "updated_at": _iso(at),
                "overdue": Timing(deadline, start, status).is_overdue(day),
                "reported_separately_by": project["reported_separately_by"],
            }
        )
    return actions


def _kpis(programme: Programme) -> list[dict[str, Any]]:
    """Every KPI with its latest value judged, and its last values for a trend (four statements)."""
    rows = kpi_rows(programme)
    newest_first = (
        func.row_number().over(partition_by=KpiValue.kpi_id, order_by=KpiValue.period_end.desc()).label("newest")
    )
    ranked = (
        select(KpiValue.kpi_id, KpiValue.period_end, KpiValue.period_label, KpiValue.value, newest_first)
        .where(KpiValue.kpi_id.in_(select(Kpi.id).where(Kpi.programme_id == programme.id)))
        .subquery()
    )
    recent: dict[int, list[dict[str, Any]]] = {}
    for kpi_id, period_end, label, value in db.session.execute(
        select(ranked.c.kpi_id, ranked.c.period_end, ranked.c.period_label, ranked.c.value)
        .where(ranked.c.newest <= RECENT_VALUES)
        .order_by(ranked.c.kpi_id, ranked.c.period_end)
    ):
        recent.setdefault(kpi_id, []).append(
            {"period_end": _iso(period_end), "period_label": label, "value": _number(value)}
        )
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


def build_position(programme: Programme, today: date) -> dict[str, Any]:
    """Return the programme's live position as the snapshot document (``meeting`` and ``frozen`` null).

    A fixed number of statements: workstreams, date notes, projects, actions, the roll-up's four,
    the KPIs' four and the risks', whatever the size.
    """
    rollup = programme_rollup(programme, today)
    workstream_list = _workstreams(programme)
    workstreams = {ws["id"]: ws for ws in workstream_list}
    counts = {ws.ref: {"projects": ws.projects.to_json(), "actions": ws.actions.to_json()} for ws in rollup.workstreams}
    for ws in workstream_list:
        if ws["parent_id"] is None:
            ws["counts"] = counts.get(ws["ref"])
    notes = _date_notes(programme)
    project_list = _projects(programme, today, workstreams, notes)
    actions = _actions(programme, today, {p["id"]: p for p in project_list}, notes)
    return {
        "schema": SCHEMA,
        "programme": {
            "name": programme.name,
            "short_name": programme.short_name,
            "board_name": programme.board_name,
            "cycle_weeks": programme.board_cycle_weeks,
        },
        "meeting": None,
        "position_as_at": today.isoformat(),
        "next_board": rollup.next_board.isoformat(),
        "frozen": None,
        "rollup": rollup.to_json(),
        "summary": {
            "projects": summary_sentences(rollup.projects, "project", "projects"),
            "actions": summary_sentences(rollup.actions, "action", "actions"),
        },
        "workstreams": workstream_list,
        "projects": project_list,
        "actions": actions,
        "kpis": _kpis(programme),
        "risks": _risks(programme),
    }


def live_position(programme: Programme, today: date) -> dict[str, Any]:
    """Return the live position, rebuilt only when the programme's data or the day has changed.

    Every write to programme data (KPI values and risks too) bumps the programme's data version.
    """
    return cached(version_key("board-position", programme, today.isoformat()), lambda: build_position(programme, today))


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

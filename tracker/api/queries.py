"""Reads for the API, each a fixed number of statements; they reuse the pages' queries and roll-ups.

Nothing here decides a rule: the filters are the action list page's (``programme.queries``), the
timings ``ActionTiming``'s, the KPI fields ``kpis.export``'s, and workstreams and projects come from
the live board document (``board.snapshots.live_position``, cached until the data changes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.api.access import may_read
from tracker.auth.models import User
from tracker.board.models import BoardSnapshot
from tracker.board.snapshots import load_snapshot, snapshot_of
from tracker.core.clock import as_utc
from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.programme import queries
from tracker.programme.meetings import meeting_in_address, meetings_of
from tracker.programme.models import BoardMeeting, Programme
from tracker.programme.queries_programmes import all_programmes
from tracker.programme.status import Status

# No person or workstream has id 0: a filter naming someone who leads nothing matches nothing.
MATCHES_NOTHING = 0


def readable_programmes(user: User, today: date) -> list[tuple[Programme, date]]:
    """Return the programmes the user may read, each with its next board (two statements)."""
    programmes = [programme for programme in all_programmes() if may_read(user, programme)]
    boards = queries.next_boards(programmes, today)
    return [(programme, boards[programme.id]) for programme in programmes]


def action_filters(programme: Programme, asked: dict[str, Any], next_board: date) -> queries.ActionFilters:
    """Turn the API's query parameters into the action list page's filters."""
    workstreams, leads = queries.filter_choices(programme)
    filters = queries.ActionFilters(
        statuses=tuple(Status(value) for value in asked.get("status", [])), overdue=asked["overdue"]
    )
    if asked["due_before_board"]:
        filters.due_before = next_board
    if "lead" in asked:
        wanted = asked["lead"].strip().casefold()
        filters.lead_id = next((lead.id for lead in leads if lead.name.casefold() == wanted), MATCHES_NOTHING)
    if "workstream" in asked:
        wanted = asked["workstream"].strip().casefold()
        chosen = next((ws for ws in workstreams if ws.ref.casefold() == wanted), None)
        filters.workstream_ids = (
            (chosen.id, *(ws.id for ws in workstreams if ws.parent_id == chosen.id)) if chosen else (MATCHES_NOTHING,)
        )
    return filters


def action_page(programme: Programme, asked: dict[str, Any], today: date) -> tuple[queries.ActionPage, date]:
    """Return one page of the filtered actions and the next board (the list page's statements, plus one)."""
    next_board = queries.next_board(programme, today)
    filters = action_filters(programme, asked, next_board)
    return queries.filtered_actions(programme, filters, today, asked["page"], asked["per_page"]), next_board


def meetings_with_frozen(programme: Programme) -> list[tuple[BoardMeeting, bool]]:
    """Return the programme's meetings, earliest first, each with whether its board was frozen (two statements)."""
    frozen = set(db.session.scalars(select(BoardSnapshot.meeting_id).where(BoardSnapshot.programme_id == programme.id)))
    return [(meeting, meeting.id in frozen) for meeting in meetings_of(programme)]


def frozen_board(programme: Programme, meets_on: str) -> tuple[BoardMeeting, BoardSnapshot]:
    """Return the meeting on that date and its frozen board (document not yet read); NotFound otherwise."""
    meeting = meeting_in_address(programme, meets_on)
    snapshot = snapshot_of(meeting)
    if snapshot is None:
        raise NotFound(f"The board of {meeting.meets_on.isoformat()} has not been frozen.")
    return meeting, snapshot


def snapshot_record(meeting: BoardMeeting, snapshot: BoardSnapshot) -> dict[str, Any]:
    """Return the frozen board for the API, its document checked against its checksum."""
    return {
        "meets_on": meeting.meets_on,
        "position_as_at": snapshot.position_as_at,
        "frozen_at": as_utc(snapshot.frozen_at),  # SQLite hands back naive UTC: say it is UTC
        "frozen_by": snapshot.frozen_by_name,
        "content_sha256": snapshot.content_sha256,
        "document": load_snapshot(snapshot),
    }

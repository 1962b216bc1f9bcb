"""Which position a board pack shows, read in a fixed number of SQL statements.

A frozen meeting: its frozen board, the movement from the board before it, and the data-quality
checks run on the frozen document. A meeting not yet frozen: the live position, the movement from
the latest frozen board, and the checks on the live position (with the current round).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.board.models import BoardSnapshot
from tracker.board.movement import movement_for_meeting
from tracker.board.quality import findings_json, quality_for_programme, run_checks
from tracker.board.snapshots import live_position, load_snapshot, snapshot_of
from tracker.core.errors import NotFound
from tracker.core.refs import ref_slug
from tracker.extensions import db
from tracker.pack.content import Pack, ProjectReport, pack_content, project_report
from tracker.programme.models import BoardMeeting, Programme
from tracker.programme.queries import plausible_ref


def pack_for_meeting(programme: Programme, meeting: BoardMeeting, today: date, *, no_appendix: bool = False) -> Pack:
    """Return the pack of the meeting: its frozen board if it has one, else the live position."""
    snapshot = snapshot_of(meeting)
    moved = movement_for_meeting(programme, meeting, today)
    if snapshot is None:
        # The live position, for this meeting (a copy: the cached document is shared).
        meeting_dates = {"date": meeting.meets_on.isoformat(), "update_deadline": meeting.update_deadline.isoformat()}
        position = {**live_position(programme, today), "meeting": meeting_dates}
        results = quality_for_programme(programme, today)
    else:
        position = load_snapshot(snapshot)
        results = run_checks(position)
    movement = None if moved is None else moved.to_json()
    return pack_content(position, movement, findings_json(results), no_appendix=no_appendix)


def latest_frozen_meeting(programme: Programme) -> BoardMeeting | None:
    """Return the programme's latest meeting with a frozen board (one statement), or None."""
    return db.session.scalars(
        select(BoardMeeting)
        .join(BoardSnapshot, BoardSnapshot.meeting_id == BoardMeeting.id)
        .where(BoardMeeting.programme_id == programme.id)
        .order_by(BoardMeeting.meets_on.desc())
        .limit(1)
    ).first()


def live_pack(programme: Programme, today: date, *, no_appendix: bool = False) -> Pack:
    """Return the pack of the live position when no board has been frozen (no meeting named)."""
    results = quality_for_programme(programme, today)
    return pack_content(live_position(programme, today), None, findings_json(results), no_appendix=no_appendix)


def meeting_for_latest_pack(programme: Programme, today: date) -> BoardMeeting:
    """Return the meeting whose pack "the latest board pack" means: the latest frozen board, else the next
    meeting on or after today (two statements at most); NotFound when the programme has neither."""
    meeting = latest_frozen_meeting(programme)
    if meeting is None:
        meeting = db.session.scalars(
            select(BoardMeeting)
            .where(BoardMeeting.programme_id == programme.id, BoardMeeting.meets_on >= today)
            .order_by(BoardMeeting.meets_on)
            .limit(1)
        ).first()
    if meeting is None:
        raise NotFound(f"{programme.name} has no frozen board and no board meeting planned, so there is no pack yet.")
    return meeting


def project_report_for(programme: Programme, ref: str, today: date) -> ProjectReport:
    """Return the highlight report of a project, from the live position (cached: a fixed number of
    statements whatever the size); NotFound when the board does not hold it (no such project, or archived)."""
    report = project_report(live_position(programme, today), ref_slug(plausible_ref(ref, "project")))
    if report is None:
        raise NotFound(
            f"There is no project {ref} on the {programme.board_name}'s position (it may have been archived)."
        )
    return report

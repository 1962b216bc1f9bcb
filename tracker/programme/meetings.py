"""A programme's board meetings: planning them from the cycle, changing one, and reading them.

Planning walks the programme's cycle (every ``board_cycle_weeks`` from ``reference_board_date``),
moves each date off weekends and bank holidays (``programme.calendar``) and adds the meetings that
are missing, each with an update deadline 5 working days before. It only ever adds: a meeting
already in the calendar, moved or changed by the programme office, stays as it is, and planning
the same months again adds nothing (each meeting answers for the cycle date nearest to it).

Changing a meeting checks permission, the version the office saw and the rules below, and writes
an audit event in the caller's transaction; the caller commits, or rolls back on a refusal
(``NotAllowed``, ``InvalidChange``, ``VersionConflict``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.auth.permissions import can_manage_programme
from tracker.core.database import flush_or_conflict
from tracker.core.errors import InvalidChange, NotAllowed, NotFound, check_seen_version
from tracker.extensions import db
from tracker.programme.calendar import (
    PlannedDate,
    bank_holiday,
    cycle_dates,
    is_working_day,
    long_date,
    months_after,
    planned_date,
    update_deadline_for,
)
from tracker.programme.models import BoardMeeting, Programme

MEETINGS_PLANNED = "meetings_planned"
MEETING_CHANGED = "meeting_changed"
DEFAULT_PLAN_MONTHS = 12
MAX_PLAN_MONTHS = 60
MAX_MEETING_NOTE = 300


# --- who may plan -------------------------------------------------------------------------------


def may_plan_meetings(user: object, programme: Programme) -> bool:
    """The programme's office plans and changes its board meetings."""
    return can_manage_programme(user, programme.id)


def require_meetings_office(user: object, programme: Programme, command_line: bool = False) -> None:
    """Refuse anyone but the programme office (or the command line, which has no account)."""
    if command_line and user is None:
        return
    if not may_plan_meetings(user, programme):
        raise NotAllowed("Only the programme office can plan and change board meetings.")


# --- planning -----------------------------------------------------------------------------------


def _cycle_slots(programme: Programme, start: date, end: date) -> list[PlannedDate]:
    return [
        planned_date(day)
        for day in cycle_dates(programme.reference_board_date, programme.board_cycle_weeks, start, end)
    ]


def _unclaimed(slots: list[PlannedDate], existing: set[date]) -> list[PlannedDate]:
    """Return the slots no meeting answers for: each meeting claims the slot whose planned date is nearest."""
    claimed = {
        min(slots, key=lambda slot: (abs((slot.meets_on - held).days), slot.meets_on)).cycle_date for held in existing
    }
    return [slot for slot in slots if slot.cycle_date not in claimed and slot.meets_on not in existing]


def missing_meetings(programme: Programme, start: date, end: date) -> list[PlannedDate]:
    """Return the cycle's meetings from `start` up to (not including) `end` that the calendar lacks (one statement)."""
    margin = timedelta(weeks=2 * programme.board_cycle_weeks)
    existing = set(
        db.session.scalars(
            select(BoardMeeting.meets_on).where(
                BoardMeeting.programme_id == programme.id,
                BoardMeeting.meets_on >= start - margin,
                BoardMeeting.meets_on < end + margin,
            )
        )
    )
    slots = _cycle_slots(programme, start - margin, end + margin)
    return [slot for slot in _unclaimed(slots, existing) if start <= slot.meets_on < end]


def plan_meetings(
    programme: Programme, user: User | None, start: date, end: date, *, command_line: bool = False
) -> list[BoardMeeting]:
    """Add the cycle's missing meetings from `start` up to (not including) `end`; return those added.

    Meetings already in the calendar are never changed. Each new one meets on a working day (its
    note says why it moved) with updates due 5 working days before.
    """
    require_meetings_office(user, programme, command_line)
    added = [
        BoardMeeting(
            programme_id=programme.id,
            meets_on=slot.meets_on,
            update_deadline=update_deadline_for(slot.meets_on),
            note=slot.note,
        )
        for slot in missing_meetings(programme, start, end)
    ]
    if not added:
        return []
    db.session.add_all(added)
    try:
        db.session.flush()
    except IntegrityError as error:  # another planner got there first; nothing of ours is kept
        raise InvalidChange({"plan": "Someone else planned these meetings at the same time. Try again."}) from error
    words = "board meeting" if len(added) == 1 else "board meetings"
    record_audit_event(
        MEETINGS_PLANNED,
        f"Planned {len(added)} {words} of programme {programme.short_name}, "
        f"{added[0].meets_on.isoformat()} to {added[-1].meets_on.isoformat()}",
        user=user,
    )
    return added


def plan_months(
    programme: Programme,
    user: User | None,
    today: date,
    months: int = DEFAULT_PLAN_MONTHS,
    *,
    command_line: bool = False,
) -> list[BoardMeeting]:
    """Plan the meetings of the next `months` months from today (the button and the command plan 12)."""
    if not 1 <= months <= MAX_PLAN_MONTHS:
        raise InvalidChange({"months": f"Plan between 1 and {MAX_PLAN_MONTHS} months ahead"})
    return plan_meetings(programme, user, today, months_after(today, months), command_line=command_line)


# --- changing one meeting -------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingChange:
    """What the programme office sends to change a meeting; no deadline means the default."""

    meets_on: date | None
    update_deadline: date | None = None
    note: str = ""


def _not_working_day_message(day: date, saved: date | None) -> str | None:
    """Refuse a day off, unless it is the day already saved (a new bank holiday must not block other edits)."""
    if day == saved or is_working_day(day):
        return None
    name = bank_holiday(day)
    why = f"a bank holiday ({name})" if name else "at a weekend"
    return f"{long_date(day)} is {why}. Choose a working day"


def meeting_change_errors(change: MeetingChange, date_taken: bool, saved: BoardMeeting | None = None) -> dict[str, str]:
    """Return every rule the change breaks, keyed by form field; empty when it may be saved.

    A date must be a working day when it changes; one left as saved is not judged again.
    """
    errors: dict[str, str] = {}
    if change.meets_on is None:
        errors["meets_on"] = "Enter the date of the meeting"
    elif date_taken:
        errors["meets_on"] = f"The board already meets on {long_date(change.meets_on)}. Choose another date"
    elif message := _not_working_day_message(change.meets_on, saved.meets_on if saved else None):
        errors["meets_on"] = message
    deadline = change.update_deadline
    if deadline is not None:
        if change.meets_on is not None and deadline > change.meets_on:
            errors["update_deadline"] = (
                f"The update deadline must be on or before the meeting, {long_date(change.meets_on)}"
            )
        elif message := _not_working_day_message(deadline, saved.update_deadline if saved else None):
            errors["update_deadline"] = message
    if len(change.note.strip()) > MAX_MEETING_NOTE:
        errors["note"] = f"The note must be {MAX_MEETING_NOTE} characters or fewer"
    return errors


def _deadline_to_save(meeting: BoardMeeting, change: MeetingChange, meets_on: date) -> date:
    """An empty deadline is the default; a deadline left at its default follows the meeting to a new date."""
    if change.update_deadline is None:
        return update_deadline_for(meets_on)
    at_default = change.update_deadline == meeting.update_deadline == update_deadline_for(meeting.meets_on)
    if at_default and meets_on != meeting.meets_on:
        return update_deadline_for(meets_on)
    return change.update_deadline


def _date_taken(meeting: BoardMeeting, day: date | None) -> bool:
    if day is None or day == meeting.meets_on:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    BoardMeeting.programme_id == meeting.programme_id,
                    BoardMeeting.meets_on == day,
                    BoardMeeting.id != meeting.id,
                )
            )
        )
    )


def change_meeting(
    meeting: BoardMeeting,
    user: User | None,
    change: MeetingChange,
    expected_version: int | None,
    *,
    command_line: bool = False,
) -> list[str]:
    """Change a meeting's date, update deadline and note; return the names of the fields changed."""
    require_meetings_office(user, meeting.programme, command_line)
    if not command_line:
        check_seen_version(meeting, expected_version)
    if errors := meeting_change_errors(change, _date_taken(meeting, change.meets_on), meeting):
        raise InvalidChange(errors)
    assert change.meets_on is not None  # refused above
    was = (meeting.meets_on, meeting.update_deadline)
    new_values = {
        "meets_on": change.meets_on,
        "update_deadline": _deadline_to_save(meeting, change, change.meets_on),
        "note": change.note.strip(),
    }
    changed = [name for name, value in new_values.items() if getattr(meeting, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(meeting, name, new_values[name])
    flush_or_conflict(meeting, expected_version)
    record_audit_event(
        MEETING_CHANGED,
        f"Board meeting of programme {meeting.programme.short_name} on {was[0].isoformat()} "
        f"(updates due {was[1].isoformat()}) now on {meeting.meets_on.isoformat()} "
        f"(updates due {meeting.update_deadline.isoformat()})",
        user=user,
    )
    return changed


# --- reading --------------------------------------------------------------------------------------


def meetings_of(programme: Programme) -> list[BoardMeeting]:
    """Return the programme's board meetings, earliest first (one statement)."""
    return list(
        db.session.scalars(
            select(BoardMeeting).where(BoardMeeting.programme_id == programme.id).order_by(BoardMeeting.meets_on)
        )
    )


def meeting_on(programme: Programme, day: date) -> BoardMeeting:
    """Return the programme's meeting on that day; NotFound if the board does not meet then (one statement)."""
    meeting = db.session.scalars(
        select(BoardMeeting).where(BoardMeeting.programme_id == programme.id, BoardMeeting.meets_on == day)
    ).first()
    if meeting is None:
        raise NotFound(f"The {programme.board_name} has no meeting on {long_date(day)}.")
    return meeting


def meeting_in_address(programme: Programme, text: str) -> BoardMeeting:
    """Return the meeting a web address names by its date (YYYY-MM-DD); NotFound for anything else."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise NotFound("There is no board meeting at this address: meetings are named by their date, like 2027-03-19.")
    return meeting_on(programme, day)


def previous_meeting(programme: Programme, today: date) -> BoardMeeting | None:
    """Return the programme's last meeting before today, or None (one statement)."""
    return db.session.scalars(
        select(BoardMeeting)
        .where(BoardMeeting.programme_id == programme.id, BoardMeeting.meets_on < today)
        .order_by(BoardMeeting.meets_on.desc())
        .limit(1)
    ).first()


def next_meeting(programme: Programme, today: date) -> BoardMeeting | None:
    """Return the programme's first meeting on or after today, or None (one statement)."""
    return db.session.scalars(
        select(BoardMeeting)
        .where(BoardMeeting.programme_id == programme.id, BoardMeeting.meets_on >= today)
        .order_by(BoardMeeting.meets_on)
        .limit(1)
    ).first()


@dataclass(frozen=True)
class MeetingsPage:
    """The meetings page: boards to come (the next one first) and past boards (the latest first)."""

    coming: list[BoardMeeting]
    past: list[BoardMeeting]
    # By the cycle, when the calendar has nothing to come.
    cycle_next: date

    @property
    def next(self) -> BoardMeeting | None:
        return self.coming[0] if self.coming else None


def meetings_page(programme: Programme, today: date) -> MeetingsPage:
    """Return the programme's meetings split about today (one statement)."""
    every = meetings_of(programme)
    return MeetingsPage(
        coming=[meeting for meeting in every if meeting.meets_on >= today],
        past=[meeting for meeting in reversed(every) if meeting.meets_on < today],
        cycle_next=programme.next_board_date(today),
    )

"""The rules of a status change, a completed date and a change of deadline: values in, refusals out.

Pure functions (no database, no Flask), called by ``tracker.programme.updates``. Those returning
``dict[str, str]`` give the rules broken, keyed by the form field that shows the message; an
empty dict means the change is allowed.
"""

from __future__ import annotations

from datetime import date

from tracker.programme.status import Status


def needs_recovery_note(old: Status, new: Status) -> bool:
    """Moving back from Green or Blue, or to Red, must say why and what will recover it."""
    moving_back = old.is_complete and new != old and (not new.is_complete or (old is Status.BLUE))
    return moving_back or (new is Status.RED and old is not Status.RED)


def status_change_errors(
    kind: str,
    old: Status,
    new: Status,
    reason: str,
    today: date,
    completed_on: date | None = None,
    tracks_completion: bool = True,
) -> dict[str, str]:
    """Return the broken status rules for a change from old to new, keyed by form field."""
    errors: dict[str, str] = {}
    if new is Status.BLUE and old not in (Status.GREEN, Status.BLUE):
        article = "an" if kind[0] in "aeiou" else "a"
        errors["status"] = (
            f"Choose Green first: {article} {kind} can only be Blue (embedded and sustained) after it has been Green"
        )
    if tracks_completion and new.is_complete:
        if completed_on is None:
            errors["completed_on"] = f"Enter the date the {kind} was completed, for Green or Blue"
        elif completed_on > today:
            errors["completed_on"] = "The completed date must be today or in the past"
    if needs_recovery_note(old, new) and not reason.strip():
        if new is Status.RED:
            errors["status_reason"] = "Say why this is now Red and what will bring it back on track"
        else:
            errors["status_reason"] = (
                f"Say why this has moved back from {old.label} and what will bring it back on track"
            )
    return errors


def kept_completed_on(new_status: Status, typed: date | None, stored: date | None) -> date | None:
    """Return the completed date to keep with the new status.

    A date carried over unchanged from a completed item is cleared when it moves back to an
    open status (the form showed it pre-filled); a date the user typed for an open status is
    kept so that ``completed_on_errors`` can refuse it.
    """
    if new_status.is_complete:
        return typed
    if typed is not None and typed == stored:
        return None
    return typed


def completed_on_errors(new_status: Status, completed_on: date | None) -> dict[str, str]:
    """Only completed (Green or Blue) actions have a completed date."""
    if completed_on is not None and not new_status.is_complete:
        return {"completed_on": "Remove the completed date, or choose Green or Blue: only completed actions have one"}
    return {}


def deadline_change_errors(old: date | None, new: date | None, reason: str, start_date: date | None) -> dict[str, str]:
    """A changed deadline needs a reason, cannot be removed, and cannot fall before the start date."""
    if new == old:
        return {}
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["deadline_reason"] = "Enter the reason for the change of deadline"
    if new is None:
        errors["deadline"] = "Enter a deadline"
    elif start_date and new < start_date:
        errors["deadline"] = f"The deadline must be on or after the start date, {start_date.day} {start_date:%B %Y}"
    return errors

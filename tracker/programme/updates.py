"""Progress updates by leads: an action's or a project's status, dates and narrative.

Each update checks permission and the version the lead saw, applies the rules of
``tracker.programme.status_rules``, changes the item, and writes its history (and, for a change
of status, an audit event) in the same transaction. The caller commits, or rolls back on any
refusal: ``NotAllowed``, ``InvalidChange`` or ``VersionConflict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.core.database import flush_or_conflict
from tracker.core.errors import InvalidChange, check_seen_version
from tracker.history.models import ChangeRecord
from tracker.history.services import FieldChange, record_changes
from tracker.programme.limits import MAX_LONG_TEXT, MAX_NOTE, MAX_REASON, length_errors
from tracker.programme.models import Action, Project
from tracker.programme.permissions import require_action_editor, require_project_editor
from tracker.programme.status import Status
from tracker.programme.status_rules import (
    completed_on_errors,
    deadline_change_errors,
    kept_completed_on,
    status_change_errors,
)

STATUS_CHANGED = "status_changed"


@dataclass
class ActionUpdate:
    """What a lead sends to update an action."""

    status: Status
    progress_note: str = ""
    deadline: date | None = None
    deadline_reason: str = ""
    completed_on: date | None = None
    status_reason: str = ""


@dataclass
class ProjectUpdate:
    """What a lead sends to update a project."""

    status: Status
    progress: str = ""
    next_steps: str = ""
    status_reason: str = ""


def action_update_errors(action: Action, update: ActionUpdate, today: date) -> dict[str, str]:
    """Return every rule the update breaks, keyed by form field; empty when it may be saved."""
    lengths = length_errors(
        {
            "progress_note": (update.progress_note, MAX_NOTE, "the progress note"),
            "deadline_reason": (update.deadline_reason, MAX_REASON, "the reason for the change"),
            "status_reason": (update.status_reason, MAX_REASON, "the reason"),
        }
    )
    completed_on = kept_completed_on(update.status, update.completed_on, action.completed_on)
    errors = {
        **status_change_errors("action", action.status, update.status, update.status_reason, today, completed_on),
        **lengths,
    }
    # Later rules speak only for fields nothing above has refused yet: one message a field.
    later = {
        **completed_on_errors(update.status, completed_on),
        **deadline_change_errors(action.deadline, update.deadline, update.deadline_reason, action.start_date),
    }
    for name, message in later.items():
        errors.setdefault(name, message)
    return errors


def project_update_errors(project: Project, update: ProjectUpdate, today: date) -> dict[str, str]:
    """Return every rule the update breaks, keyed by form field; empty when it may be saved."""
    lengths = length_errors(
        {
            "progress": (update.progress, MAX_LONG_TEXT, "the progress narrative"),
            "next_steps": (update.next_steps, MAX_NOTE, "the next steps"),
            "status_reason": (update.status_reason, MAX_REASON, "the reason"),
        }
    )
    return {
        **status_change_errors(
            "project", project.status, update.status, update.status_reason, today, tracks_completion=False
        ),
        **lengths,
    }


def _changed(item: Action | Project, name: str, new: object, note: str = "") -> list[FieldChange]:
    """Set the attribute if the value differs; return the change to record (or nothing)."""
    old = getattr(item, name)
    if new == old:
        return []
    setattr(item, name, new)
    return [FieldChange(name, old, new, note)]


def _changed_text(item: Action | Project, name: str, new: str) -> list[FieldChange]:
    """Like _changed, for text compared without surrounding spaces: re-saving an unchanged form changes nothing."""
    if new.strip() == getattr(item, name).strip():
        return []
    return _changed(item, name, new.strip())


def _save(
    item: Action | Project, user: User | None, expected_version: int | None, changes: list[FieldChange]
) -> list[ChangeRecord]:
    """Write the changes with their history, and a change of status to the audit log too."""
    if not changes:
        return []
    flush_or_conflict(item, expected_version)
    records = record_changes(item, changes, user)
    for change in changes:
        if change.field == "status":
            _audit_status_change(item, change, user)
    flush_or_conflict(item, expected_version)
    return records


def _label(status: object) -> str:
    return status.label if isinstance(status, Status) else str(status)


def _audit_status_change(item: Action | Project, change: FieldChange, user: User | None) -> None:
    # Boards ask who moved an item to Red and when: the audit log answers beside sign-ins and structure edits.
    detail = f"{type(item).__name__} {item.ref} status changed from {_label(change.old)} to {_label(change.new)}"
    note = change.note.strip()
    record_audit_event(STATUS_CHANGED, f"{detail}: {note}" if note else detail, user=user)


def update_action(
    action: Action, user: User | None, update: ActionUpdate, expected_version: int | None, today: date
) -> list[ChangeRecord]:
    """Save a lead's progress update on an action; return the history records written."""
    require_action_editor(user, action)
    check_seen_version(action, expected_version)
    InvalidChange.refuse_any(action_update_errors(action, update, today))
    completed_on = kept_completed_on(update.status, update.completed_on, action.completed_on)
    return _save(
        action,
        user,
        expected_version,
        [
            *_changed(action, "status", update.status, update.status_reason),
            *_changed(action, "deadline", update.deadline, update.deadline_reason),
            *_changed(action, "completed_on", completed_on),
            *_changed_text(action, "progress_note", update.progress_note),
        ],
    )


def update_project(
    project: Project, user: User | None, update: ProjectUpdate, expected_version: int | None, today: date
) -> list[ChangeRecord]:
    """Save a lead's progress update on a project; return the history records written."""
    require_project_editor(user, project)
    check_seen_version(project, expected_version)
    InvalidChange.refuse_any(project_update_errors(project, update, today))
    return _save(
        project,
        user,
        expected_version,
        [
            *_changed(project, "status", update.status, update.status_reason),
            *_changed_text(project, "progress", update.progress),
            *_changed_text(project, "next_steps", update.next_steps),
        ],
    )

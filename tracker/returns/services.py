"""Applying an update return: every row checked first, then all of it saved through the update service, or none.

``plan_return`` says what a return would do without changing anything: the changes row by row, the
items someone changed after the workbook was made (conflicts: never overwritten), and every problem,
by row and column. The rules are the update form's own (``programme.updates``: a Red needs a reason,
Green needs a completion date, a new deadline needs a reason, ...), asked of the same functions.
``apply_return`` plans again and, only when nothing is wrong, saves each row with ``update_action`` /
``update_project`` — the same history, audit and version checks as the form — in the caller's
transaction. The caller commits, or rolls back on any refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.core.errors import InvalidChange
from tracker.core.templating import govuk_date
from tracker.programme.models import Action, Project
from tracker.programme.permissions import can_edit_action, can_edit_project
from tracker.programme.status import Status
from tracker.programme.updates import (
    ActionUpdate,
    ProjectUpdate,
    action_update_errors,
    project_update_errors,
    update_action,
    update_project,
)
from tracker.returns import workbook
from tracker.returns.permissions import require_return_handler
from tracker.returns.queries import LeadReturn
from tracker.returns.workbook import ReturnRow
from tracker.spreadsheets.reading import Problem

RETURN_APPLIED = "update_return_applied"
AUDIT_LABELS = {RETURN_APPLIED: "Board: update return uploaded"}

# The update service names form fields; a return names its columns.
_COLUMN_OF = {
    "status": workbook.NEW_STATUS,
    "status_reason": workbook.REASON,
    "completed_on": workbook.COMPLETED,
    "deadline": workbook.NEW_DEADLINE,
    "deadline_reason": workbook.REASON,
    "progress_note": workbook.NOTE,
    "progress": workbook.NOTE,
    "next_steps": workbook.NOTE,
}


@dataclass(frozen=True)
class Change:
    """One field a row changes, as the preview words it."""

    what: str
    old: str
    new: str


@dataclass
class PlannedUpdate:
    row: ReturnRow
    item: Project | Action
    update: ActionUpdate | ProjectUpdate
    changes: list[Change]


@dataclass(frozen=True)
class Conflict:
    """An item changed after the workbook was made: listed, not overwritten."""

    row: ReturnRow
    item: Project | Action


@dataclass
class ReturnPlan:
    """What a return would do: the updates, the conflicts, the problems, and the rows that change nothing."""

    updates: list[PlannedUpdate] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unchanged: int = 0

    @property
    def ready(self) -> bool:
        """True when the return may be applied: something to change, and nothing wrong anywhere."""
        return bool(self.updates) and not self.conflicts and not self.problems


def _kind_label(kind: str) -> str:
    return kind.capitalize()


def _when(day: date | None) -> str:
    return govuk_date(day) if day else "none"


def _status_change(item: Project | Action, new: Status, reason: str) -> list[Change]:
    if new == item.status:
        return []
    return [Change("Status", item.status.label, new.label + (f" (reason: {reason})" if reason else ""))]


def _action_update(action: Action, row: ReturnRow) -> tuple[ActionUpdate, list[Change]]:
    status = row.status or action.status
    deadline = row.deadline or action.deadline
    reason = row.reason or ""
    update = ActionUpdate(
        status=status,
        progress_note=row.note if row.note is not None else action.progress_note,
        deadline=deadline,
        deadline_reason=reason if deadline != action.deadline else "",
        completed_on=row.completed_on if row.completed_on is not None else action.completed_on,
        status_reason=reason if status != action.status else "",
    )
    changes = _status_change(action, status, update.status_reason)
    if deadline != action.deadline:
        changes.append(Change("Deadline", _when(action.deadline), _when(deadline) + f" (reason: {reason})"))
    if row.completed_on is not None and row.completed_on != action.completed_on:
        changes.append(Change("Completed on", _when(action.completed_on), _when(row.completed_on)))
    if row.note is not None and row.note.strip() != action.progress_note.strip():
        changes.append(Change("Progress note", action.progress_note or "none", row.note))
    return update, changes


def _project_update(project: Project, row: ReturnRow) -> tuple[ProjectUpdate, list[Change], list[str]]:
    status = row.status or project.status
    update = ProjectUpdate(
        status=status,
        progress=row.note if row.note is not None else project.progress,
        next_steps=project.next_steps,
        status_reason=(row.reason or "") if status != project.status else "",
    )
    changes = _status_change(project, status, update.status_reason)
    if row.note is not None and row.note.strip() != project.progress.strip():
        changes.append(Change("Progress", project.progress or "none", row.note))
    # A project's target date is changed on its page, with the structure, not by its lead's update.
    refused = [name for name in ("completed_on", "deadline") if getattr(row, name) is not None]
    return update, changes, refused


def _plan_row(user: User, lead_return: LeadReturn, row: ReturnRow, today: date, plan: ReturnPlan) -> None:
    def problem(column: str, reason: str) -> None:
        plan.problems.append(Problem(workbook.SHEET_TITLE, row.row, column, reason))

    item = lead_return.find(row.kind, row.ref)
    if item is None:
        problem(
            workbook.REF,
            f"{_kind_label(row.kind)} {row.ref} is not one of {lead_return.lead.name}'s items in this round",
        )
        return
    allowed = can_edit_action(user, item) if isinstance(item, Action) else can_edit_project(user, item)
    if not allowed:
        problem(workbook.REF, f"You may not update {_kind_label(row.kind).lower()} {item.ref}")
        return
    if item.version != row.version:
        plan.conflicts.append(Conflict(row, item))
        return
    update: ActionUpdate | ProjectUpdate
    if isinstance(item, Action):
        update, changes = _action_update(item, row)
        errors = action_update_errors(item, update, today)
    else:
        project_update, changes, refused = _project_update(item, row)
        update, errors = project_update, project_update_errors(item, project_update, today)
        for name in refused:
            problem(_COLUMN_OF[name], "Leave this blank for a project: only actions take it in an update return")
    for name, message in errors.items():
        problem(_COLUMN_OF.get(name, workbook.NEW_STATUS), message)
    if changes:
        plan.updates.append(PlannedUpdate(row, item, update, changes))
    else:
        plan.unchanged += 1


def plan_return(user: User, lead_return: LeadReturn, rows: list[ReturnRow], today: date) -> ReturnPlan:
    """Return what the rows would change, their conflicts and problems; nothing is changed."""
    require_return_handler(user, lead_return.update_round.programme_id, lead_return.lead.id)
    plan = ReturnPlan()
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.kind, row.ref.casefold())
        if key in seen:
            reason = f"{_kind_label(row.kind)} {row.ref} is updated on row {seen[key]} too: keep one row for it"
            plan.problems.append(Problem(workbook.SHEET_TITLE, row.row, workbook.REF, reason))
            continue
        seen[key] = row.row
        _plan_row(user, lead_return, row, today, plan)
    plan.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return plan


class ReturnRefused(InvalidChange):
    """The return has conflicts or problems (or changes nothing), so none of it was applied."""

    def __init__(self, plan: ReturnPlan) -> None:
        super().__init__({"file": "Nothing was saved: the return has conflicts or problems, listed below."})
        self.plan = plan


def apply_return(user: User, lead_return: LeadReturn, rows: list[ReturnRow], today: date) -> ReturnPlan:
    """Save every row's update in the caller's transaction, or refuse the whole return (ReturnRefused)."""
    plan = plan_return(user, lead_return, rows, today)
    if not plan.ready:
        raise ReturnRefused(plan)
    for planned in plan.updates:
        if isinstance(planned.item, Action) and isinstance(planned.update, ActionUpdate):
            update_action(planned.item, user, planned.update, planned.row.version, today)
        elif isinstance(planned.item, Project) and isinstance(planned.update, ProjectUpdate):
            update_project(planned.item, user, planned.update, planned.row.version, today)
    meeting = lead_return.update_round.meeting
    record_audit_event(
        RETURN_APPLIED,
        f"Update return of {lead_return.lead.name} for the board on {meeting.meets_on.isoformat()}: "
        f"{len(plan.updates)} items updated",
        user=user,
    )
    return plan

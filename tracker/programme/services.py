"""Operations that change the programme: progress updates by leads and structure edits by admins.

Every rule about statuses, dates and versions lives here once; the web forms, the CLI and the
tests all call these functions. Each operation checks permission, checks the version the
user saw, validates, applies the change and writes its history in the same transaction.
The caller commits (or rolls back on any exception).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.services import record_audit_event
from tracker.auth.permissions import can_manage_programme
from tracker.programme.permissions import can_edit_action, can_edit_project
from tracker.programme.data_version import bump_data_version
from tracker.core.errors import InvalidChange, NotAllowed, VersionConflict
from tracker.extensions import db
from tracker.history.services import FieldChange, has_history, record_changes
from tracker.core.clock import utcnow
from tracker.people.models import Person
from tracker.programme.models import Action, Project, Workstream
from tracker.programme.status import Status

# Sensible limits, shared by forms and services so a tampered POST meets the same wall.
MAX_REF = 20
MAX_TITLE = 300
MAX_NAME = 200
MAX_NOTE = 5000
MAX_REASON = 2000
MAX_LONG_TEXT = 10000
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")


# --- status rules -------------------------------------------------------------------------

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
        errors["status"] = (
            f"Choose Green first: an {kind} can only be Blue (embedded and sustained) after it has been Green"
            if kind[0] in "aeiou" else
            f"Choose Green first: a {kind} can only be Blue (embedded and sustained) after it has been Green"
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
            errors["status_reason"] = f"Say why this has moved back from {old.label} and what will bring it back on track"
    return errors


def _length_errors(limits: dict[str, tuple[str, int, str]]) -> dict[str, str]:
    """limits: field -> (value, max length, what it is)."""
    return {
        name: f"{label.capitalize()} must be {limit:,} characters or fewer"
        for name, (value, limit, label) in limits.items()
        if value is not None and len(value) > limit
    }


# --- progress updates by leads -----------------------------------------------------------

@dataclass
class ActionUpdate:
    status: Status
    progress_note: str = ""
    deadline: date | None = None
    deadline_reason: str = ""
    completed_on: date | None = None
    status_reason: str = ""


@dataclass
class ProjectUpdate:
    status: Status
    progress: str = ""
    next_steps: str = ""
    status_reason: str = ""


def action_update_errors(action: Action, update: ActionUpdate, today: date) -> dict[str, str]:
    """Return every rule the update breaks, keyed by form field; empty when it may be saved."""
    errors = _length_errors({
        "progress_note": (update.progress_note, MAX_NOTE, "the progress note"),
        "deadline_reason": (update.deadline_reason, MAX_REASON, "the reason for the change"),
        "status_reason": (update.status_reason, MAX_REASON, "the reason"),
    })
    completed_on = effective_completed_on(action, update)
    errors = {**status_change_errors("action", action.status, update.status, update.status_reason, today,
                                     completed_on), **errors}
    if completed_on is not None and not update.status.is_complete:
        errors.setdefault("completed_on", "Remove the completed date, or choose Green or Blue: only completed "
                                          "actions have one")
    if update.deadline != action.deadline:
        if not update.deadline_reason.strip():
            errors.setdefault("deadline_reason", "Enter the reason for the change of deadline")
        if update.deadline is None:
            errors.setdefault("deadline", "Enter a deadline")
        elif action.start_date and update.deadline < action.start_date:
            errors.setdefault("deadline", f"The deadline must be on or after the start date, "
                                          f"{action.start_date.day} {action.start_date:%B %Y}")
    return errors


def effective_completed_on(action: Action, update: ActionUpdate) -> date | None:
    """Return the completed date to keep.

    A date carried over unchanged from a completed item is cleared when it moves back to an
    open status (the form showed it pre-filled); a date the user typed for an open status is
    kept so that the rules can refuse it.
    """
    if update.status.is_complete:
        return update.completed_on
    if update.completed_on is not None and update.completed_on == action.completed_on:
        return None
    return update.completed_on


def _check_version(item: Project | Action, expected_version: int | None) -> None:
    if expected_version is None or expected_version != item.version:
        raise VersionConflict(item, expected_version)


def _flush_or_conflict(item, expected_version) -> None:
    """Flush; a concurrent save that slipped in between read and write is a conflict too."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise VersionConflict(item, expected_version) from error


def update_action(action: Action, user, update: ActionUpdate, expected_version: int | None,
                  today: date) -> list:
    """Save a lead's progress update on an action; return the history records written."""
    if not can_edit_action(user, action):
        raise NotAllowed(f"You cannot update action {action.ref}")
    _check_version(action, expected_version)
    errors = action_update_errors(action, update, today)
    if errors:
        raise InvalidChange(errors)
    changes: list[FieldChange] = []
    completed_on = effective_completed_on(action, update)
    if update.status != action.status:
        changes.append(FieldChange("status", action.status, update.status, update.status_reason))
        action.status = update.status
    if update.deadline != action.deadline:
        changes.append(FieldChange("deadline", action.deadline, update.deadline, update.deadline_reason))
        action.deadline = update.deadline
    if completed_on != action.completed_on:
        changes.append(FieldChange("completed_on", action.completed_on, completed_on))
        action.completed_on = completed_on
    if update.progress_note.strip() != action.progress_note.strip():
        changes.append(FieldChange("progress_note", action.progress_note, update.progress_note.strip()))
        action.progress_note = update.progress_note.strip()
    if not changes:
        return []
    _flush_or_conflict(action, expected_version)
    records = record_changes(action, changes, user)
    db.session.flush()
    return records


def project_update_errors(project: Project, update: ProjectUpdate, today: date) -> dict[str, str]:
    errors = _length_errors({
        "progress": (update.progress, MAX_LONG_TEXT, "the progress narrative"),
        "next_steps": (update.next_steps, MAX_NOTE, "the next steps"),
        "status_reason": (update.status_reason, MAX_REASON, "the reason"),
    })
    return {**status_change_errors("project", project.status, update.status, update.status_reason, today,
                                   tracks_completion=False), **errors}


def update_project(project: Project, user, update: ProjectUpdate, expected_version: int | None,
                   today: date) -> list:
    """Save a lead's progress update on a project; return the history records written."""
    if not can_edit_project(user, project):
        raise NotAllowed(f"You cannot update project {project.ref}")
    _check_version(project, expected_version)
    errors = project_update_errors(project, update, today)
    if errors:
        raise InvalidChange(errors)
    changes: list[FieldChange] = []
    if update.status != project.status:
        changes.append(FieldChange("status", project.status, update.status, update.status_reason))
        project.status = update.status
    for name in ("progress", "next_steps"):
        new = getattr(update, name).strip()
        if new != getattr(project, name).strip():
            changes.append(FieldChange(name, getattr(project, name), new))
            setattr(project, name, new)
    if not changes:
        return []
    _flush_or_conflict(project, expected_version)
    records = record_changes(project, changes, user)
    db.session.flush()
    return records


# --- structure edits by the programme office ---------------------------------------------

def _audit(event: str, detail: str, user) -> None:
    """Record a structure change in the audit log, in the same transaction as the change."""
    record_audit_event(event, detail, user=user)


def _require_admin(user) -> None:
    if not can_manage_programme(user):
        raise NotAllowed("Only the programme office can change the programme's structure")


def find_or_create_person(name: str) -> Person:
    """Return the person with this name (any case), creating them if they are new."""
    name = " ".join(name.split())
    person = db.session.scalars(select(Person).where(func.lower(Person.name) == name.lower())).first()
    if person is None:
        person = Person(name=name, job_title="")
        db.session.add(person)
        db.session.flush()
    return person


def _ref_errors(model, ref: str, current=None) -> dict[str, str]:
    kind = model.__tablename__
    if not ref:
        return {"ref": f"Enter a reference for the {kind}"}
    if len(ref) > MAX_REF:
        return {"ref": f"The reference must be {MAX_REF} characters or fewer"}
    if not REF_PATTERN.match(ref):
        return {"ref": "The reference can only contain letters, numbers, full stops and hyphens, like A1 or E2.14"}
    clash = db.session.scalars(select(model).where(func.lower(model.ref) == ref.lower())).first()
    if clash is not None and clash is not current:
        return {"ref": f"There is already a {kind} {clash.ref}: choose a different reference"}
    return {}


def _title_errors(title: str) -> dict[str, str]:
    if not title.strip():
        return {"title": "Enter a title"}
    return _length_errors({"title": (title, MAX_TITLE, "the title")})


@dataclass
class WorkstreamDetails:
    ref: str
    title: str
    description: str = ""
    parent: Workstream | None = None
    reported_separately_by: str = ""


@dataclass
class ProjectDetails:
    ref: str
    title: str
    workstream: Workstream | None
    lead: Person | None = None
    target_date: date | None = None
    deliverables: str = ""
    impact: str = ""


@dataclass
class ActionDetails:
    ref: str
    title: str
    project: Project | None
    lead: Person | None = None
    start_date: date | None = None
    deadline: date | None = None


def workstream_errors(details: WorkstreamDetails, current: Workstream | None = None) -> dict[str, str]:
    errors = {**_ref_errors(Workstream, details.ref, current), **_title_errors(details.title)}
    errors.update(_length_errors({
        "description": (details.description, MAX_LONG_TEXT, "the description"),
        "reported_separately_by": (details.reported_separately_by, MAX_NAME, "the reporting body"),
    }))
    parent = details.parent
    if parent is not None:
        if parent.parent_id is not None:
            errors["parent_id"] = (f"{parent.ref} is itself part of {parent.parent.ref}: choose a top-level "
                                   "workstream (workstreams go one level deep)")
        elif current is not None and parent.id == current.id:
            errors["parent_id"] = "A workstream cannot be part of itself"
        elif current is not None and any(child.archived_at is None for child in current.children):
            errors["parent_id"] = (f"{current.ref} has sub-workstreams of its own, so it cannot be part of another "
                                   "workstream (workstreams go one level deep)")
        elif parent.archived_at is not None:
            errors["parent_id"] = f"{parent.ref} is archived: choose a live workstream"
    return errors


def project_errors(details: ProjectDetails, current: Project | None = None) -> dict[str, str]:
    errors = {**_ref_errors(Project, details.ref, current), **_title_errors(details.title)}
    errors.update(_length_errors({
        "deliverables": (details.deliverables, MAX_LONG_TEXT, "the deliverables"),
        "impact": (details.impact, MAX_LONG_TEXT, "the impact and benefits"),
    }))
    if details.workstream is None:
        errors["workstream_id"] = "Choose the workstream the project belongs to"
    elif details.workstream.archived_at is not None:
        errors["workstream_id"] = f"Workstream {details.workstream.ref} is archived: choose a live workstream"
    return errors


def action_errors(details: ActionDetails, current: Action | None = None) -> dict[str, str]:
    errors = {**_ref_errors(Action, details.ref, current), **_title_errors(details.title)}
    if details.project is None:
        errors["project_id"] = "Choose the project the action belongs to"
    elif details.project.archived_at is not None:
        errors["project_id"] = f"Project {details.project.ref} is archived: choose a live project"
    if details.start_date and details.deadline and details.start_date > details.deadline:
        errors["deadline"] = "The deadline must be the same as or after the start date"
    return errors


def create_workstream(user, details: WorkstreamDetails) -> Workstream:
    _require_admin(user)
    if errors := workstream_errors(details):
        raise InvalidChange(errors)
    siblings = _siblings_query(Workstream, Workstream.parent_id == (details.parent.id if details.parent else None))
    workstream = Workstream(ref=details.ref, title=details.title.strip(), description=details.description.strip(),
                            parent=details.parent, reported_separately_by=details.reported_separately_by.strip() or None,
                            position=_next_position(siblings))
    db.session.add(workstream)
    db.session.flush()
    _audit("structure_created", f"Workstream {workstream.ref} created: {workstream.title}", user)
    return workstream


def create_project(user, details: ProjectDetails) -> Project:
    _require_admin(user)
    if errors := project_errors(details):
        raise InvalidChange(errors)
    project = Project(ref=details.ref, title=details.title.strip(), workstream=details.workstream, lead=details.lead,
                      target_date=details.target_date, deliverables=details.deliverables.strip(),
                      impact=details.impact.strip(), status=Status.GREY, progress="", next_steps="",
                      position=_next_position(_siblings_query(Project, Project.workstream_id == details.workstream.id)))
    db.session.add(project)
    db.session.flush()
    _audit("structure_created", f"Project {project.ref} created in workstream {details.workstream.ref}", user)
    return project


def create_action(user, details: ActionDetails) -> Action:
    _require_admin(user)
    if errors := action_errors(details):
        raise InvalidChange(errors)
    action = Action(ref=details.ref, title=details.title.strip(), project=details.project, lead=details.lead,
                    start_date=details.start_date, deadline=details.deadline, status=Status.GREY, progress_note="",
                    position=_next_position(_siblings_query(Action, Action.project_id == details.project.id)))
    db.session.add(action)
    db.session.flush()
    _audit("structure_created", f"Action {action.ref} created in project {details.project.ref}", user)
    return action


def _apply(item, values: dict, user, note: str = "") -> list:
    """Set changed attributes, record each in history and the audit log; return the records."""
    changes = []
    for name, (history_field, new) in values.items():
        old = getattr(item, name)
        if old != new:
            changes.append(FieldChange(history_field, old, new, note))
            setattr(item, name, new)
    if not changes:
        return []
    db.session.flush()
    records = record_changes(item, changes, user)
    kind = type(item).__name__
    _audit("structure_updated", f"{kind} {item.ref} changed: " + ", ".join(c.field for c in changes), user)
    return records


def update_workstream(workstream: Workstream, user, details: WorkstreamDetails) -> list:
    _require_admin(user)
    if errors := workstream_errors(details, workstream):
        raise InvalidChange(errors)
    return _apply(workstream, {
        "ref": ("ref", details.ref),
        "title": ("title", details.title.strip()),
        "description": ("description", details.description.strip()),
        "parent": ("parent", details.parent),
        "reported_separately_by": ("reported_separately_by", details.reported_separately_by.strip() or None),
    }, user)


def update_project_details(project: Project, user, details: ProjectDetails, expected_version: int | None) -> list:
    _require_admin(user)
    _check_version(project, expected_version)
    if errors := project_errors(details, project):
        raise InvalidChange(errors)
    try:
        return _apply(project, {
            "ref": ("ref", details.ref),
            "title": ("title", details.title.strip()),
            "workstream": ("workstream", details.workstream),
            "lead": ("lead", details.lead),
            "target_date": ("target_date", details.target_date),
            "deliverables": ("deliverables", details.deliverables.strip()),
            "impact": ("impact", details.impact.strip()),
        }, user)
    except StaleDataError as error:
        raise VersionConflict(project, expected_version) from error


def update_action_details(action: Action, user, details: ActionDetails, expected_version: int | None) -> list:
    _require_admin(user)
    _check_version(action, expected_version)
    if errors := action_errors(details, action):
        raise InvalidChange(errors)
    try:
        return _apply(action, {
            "ref": ("ref", details.ref),
            "title": ("title", details.title.strip()),
            "project": ("project", details.project),
            "lead": ("lead", details.lead),
            "start_date": ("start_date", details.start_date),
            "deadline": ("deadline", details.deadline),
        }, user)
    except StaleDataError as error:
        raise VersionConflict(action, expected_version) from error


def archive_workstream(workstream: Workstream, user) -> None:
    """Archive a workstream; its live projects and sub-workstreams must be moved or archived first."""
    _require_admin(user)
    live_children = [child.ref for child in workstream.children if child.archived_at is None]
    live_projects = [p.ref for p in workstream.projects if p.archived_at is None]
    if live_children or live_projects:
        refs = ", ".join(live_children + live_projects)
        raise InvalidChange({"archive": f"Archive or move {refs} first: workstream {workstream.ref} still has live items"})
    _archive(workstream, user)


def archive_project(project: Project, user) -> None:
    """Archive a project and its live actions, each with a history record."""
    _require_admin(user)
    for action in project.actions:
        if action.archived_at is None:
            _archive(action, user)
    _archive(project, user)


def archive_action(action: Action, user) -> None:
    _require_admin(user)
    _archive(action, user)


def _archive(item, user) -> None:
    if item.archived_at is not None:
        return
    item.archived_at = utcnow()
    db.session.flush()
    record_changes(item, [FieldChange("archived", None, "archived")], user)
    _audit("structure_archived", f"{type(item).__name__} {item.ref} archived: {item.title}", user)


def delete_item(item: Workstream | Project | Action, user) -> None:
    """Delete an item created by mistake; once it has history it can only be archived."""
    _require_admin(user)
    kind = type(item).__name__.lower()
    if has_history(item):
        raise InvalidChange({"delete": f"This {kind} has history, so it can be archived but not deleted"})
    if isinstance(item, Workstream) and (item.children or item.projects):
        raise InvalidChange({"delete": f"Workstream {item.ref} still has projects or sub-workstreams: delete or "
                                       "move them first"})
    if isinstance(item, Project) and item.actions:
        raise InvalidChange({"delete": f"Project {item.ref} still has actions: delete or move them first"})
    ref, title = item.ref, item.title
    if isinstance(item, Project):
        item.ambitions = []
    db.session.delete(item)
    db.session.flush()
    _audit("structure_deleted", f"{type(item).__name__} {ref} deleted: {title}", user)


def _siblings_query(model, condition):
    return (select(model).where(condition, model.archived_at.is_(None))
            .order_by(model.position, model.ref_sort))


def _next_position(siblings_query) -> int:
    rows = db.session.scalars(siblings_query).all()
    return max((row.position for row in rows), default=-1) + 1


def sibling_condition(item):
    if isinstance(item, Workstream):
        return Workstream.parent_id.is_(None) if item.parent_id is None else Workstream.parent_id == item.parent_id
    if isinstance(item, Project):
        return Project.workstream_id == item.workstream_id
    return Action.project_id == item.project_id


def reorder_item(item: Workstream | Project | Action, user, direction: str) -> bool:
    """Move an item one place up or down among its live siblings; return False at either end."""
    _require_admin(user)
    if direction not in ("up", "down"):
        raise InvalidChange({"direction": "Choose to move the item up or down"})
    model = type(item)
    siblings = list(db.session.scalars(_siblings_query(model, sibling_condition(item))))
    if item not in siblings:
        raise InvalidChange({"direction": "Archived items cannot be moved"})
    index = siblings.index(item)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    # Renumber the whole group so that ties left by imports cannot make a move a no-op. A bulk
    # UPDATE leaves each item's version alone: reordering must not turn a lead's open update
    # form into a conflict, since nothing they edit has changed.
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            db.session.execute(update(model).where(model.id == sibling.id).values(position=position),
                               execution_options={"synchronize_session": "fetch"})
    bump_data_version(db.session)
    _audit("structure_reordered", f"{model.__name__} {item.ref} moved {direction}", user)
    return True


reorder_workstream = reorder_project = reorder_action = reorder_item

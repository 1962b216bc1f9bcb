"""The programme office arranges the programme: create, edit, archive, delete and reorder items.

Only the programme's office may call these (``require_programme_office``). Each checks the rules of
references, titles and nesting, changes the item, and writes its history and an audit event in
the caller's transaction; refusals are ``InvalidChange`` (or ``VersionConflict`` for an edit made
against an older version). The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, and_, func, select, update

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.core.clock import utcnow
from tracker.core.database import flush_or_conflict
from tracker.core.errors import InvalidChange, check_seen_version
from tracker.core.refs import normalise_ref, ref_problem, ref_slug
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.history.services import FieldChange, has_history, record_changes
from tracker.people.models import Person
from tracker.programme.data_version import bump_data_version
from tracker.programme.limits import MAX_LONG_TEXT, MAX_NAME, MAX_TITLE, length_errors
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.permissions import require_programme_office
from tracker.programme.status import Status

Item = Workstream | Project | Action
ItemModel = type[Workstream] | type[Project] | type[Action]
AnyItem = TypeVar("AnyItem", Workstream, Project, Action)
Container = TypeVar("Container", Workstream, Project)


@dataclass
class WorkstreamDetails:
    """A workstream as the programme office describes it, in the programme it belongs to."""

    programme: Programme
    ref: str
    title: str
    description: str = ""
    parent: Workstream | None = None
    reported_separately_by: str = ""


@dataclass
class ProjectDetails:
    """A project as the programme office describes it."""

    ref: str
    title: str
    workstream: Workstream | None
    lead: Person | None = None
    target_date: date | None = None
    deliverables: str = ""
    impact: str = ""


@dataclass
class ActionDetails:
    """An action as the programme office describes it."""

    ref: str
    title: str
    project: Project | None
    lead: Person | None = None
    start_date: date | None = None
    deadline: date | None = None


# --- rules ------------------------------------------------------------------------------------


def _ref_errors(model: ItemModel, programme_id: int, ref: str, current: Item | None = None) -> dict[str, str]:
    """A ref follows the one rule for refs (tracker.core.refs), and no other item of its kind in the
    programme has its web address (another programme may use the same ref).

    Two refs share a web address when they differ only in case, spacing or punctuation ('KPI 1', 'kpi-1'),
    so the slug clash also refuses the same ref in another case.
    """
    kind = model.__tablename__
    problem = ref_problem(ref, kind)
    if problem:
        return {"ref": problem}
    ref = normalise_ref(ref)
    same_address = select(model).where(model.programme_id == programme_id, model.slug == ref_slug(ref))
    clash = cast("Item | None", db.session.scalars(same_address).first())
    if clash is None or clash is current:
        return {}
    if clash.ref.lower() == ref.lower():
        return {"ref": f"There is already a {kind} {clash.ref}: choose a different reference"}
    return {
        "ref": f"There is already a {kind} {clash.ref}, and {ref} would have the same web address: "
        "choose a different reference"
    }


def _title_errors(title: str) -> dict[str, str]:
    if not title.strip():
        return {"title": "Enter a title"}
    return length_errors({"title": (title, MAX_TITLE, "the title")})


def _parent_errors(programme: Programme, parent: Workstream | None, current: Workstream | None) -> dict[str, str]:
    """Workstreams go one level deep, under a live top-level workstream of the programme other than themselves."""
    if parent is None:
        return {}
    if parent.programme_id != programme.id:
        return {"parent_id": f"{parent.ref} belongs to another programme: choose one of this programme's workstreams"}
    if parent.parent_id is not None:
        assert parent.parent is not None
        return {
            "parent_id": f"{parent.ref} is itself part of {parent.parent.ref}: choose a top-level "
            "workstream (workstreams go one level deep)"
        }
    if current is not None and parent.id == current.id:
        return {"parent_id": "A workstream cannot be part of itself"}
    if current is not None and any(child.archived_at is None for child in current.children):
        return {
            "parent_id": f"{current.ref} has sub-workstreams of its own, so it cannot be part of another "
            "workstream (workstreams go one level deep)"
        }
    if parent.archived_at is not None:
        return {"parent_id": f"{parent.ref} is archived: choose a live workstream"}
    return {}


def _live_container_errors(
    field: str, container: Workstream | Project | None, kind: str, what: str, current: Project | Action | None
) -> dict[str, str]:
    """An item belongs to a live workstream or project: chosen, not archived, and (once made) in its own programme."""
    if container is None:
        return {field: f"Choose the {kind} the {what} belongs to"}
    if current is not None and container.programme_id != current.programme_id:
        return {
            field: f"{kind.capitalize()} {container.ref} belongs to another programme: choose one of this programme's"
        }
    if container.archived_at is not None:
        return {field: f"{kind.capitalize()} {container.ref} is archived: choose a live {kind}"}
    return {}


def workstream_errors(details: WorkstreamDetails, current: Workstream | None = None) -> dict[str, str]:
    """Return every rule the workstream's details break, keyed by form field."""
    errors = {**_ref_errors(Workstream, details.programme.id, details.ref, current), **_title_errors(details.title)}
    errors.update(
        length_errors(
            {
                "description": (details.description, MAX_LONG_TEXT, "the description"),
                "reported_separately_by": (details.reported_separately_by, MAX_NAME, "the reporting body"),
            }
        )
    )
    return {**errors, **_parent_errors(details.programme, details.parent, current)}


def project_errors(details: ProjectDetails, current: Project | None = None) -> dict[str, str]:
    """Return every rule the project's details break, keyed by form field."""
    programme_id = current.programme_id if current else (details.workstream.programme_id if details.workstream else 0)
    errors = {**_ref_errors(Project, programme_id, details.ref, current), **_title_errors(details.title)}
    errors.update(
        length_errors(
            {
                "deliverables": (details.deliverables, MAX_LONG_TEXT, "the deliverables"),
                "impact": (details.impact, MAX_LONG_TEXT, "the impact and benefits"),
            }
        )
    )
    return {
        **errors,
        **_live_container_errors("workstream_id", details.workstream, "workstream", "project", current),
    }


def action_errors(details: ActionDetails, current: Action | None = None) -> dict[str, str]:
    """Return every rule the action's details break, keyed by form field."""
    programme_id = current.programme_id if current else (details.project.programme_id if details.project else 0)
    errors = {
        **_ref_errors(Action, programme_id, details.ref, current),
        **_title_errors(details.title),
        **_live_container_errors("project_id", details.project, "project", "action", current),
    }
    if details.start_date and details.deadline and details.start_date > details.deadline:
        errors["deadline"] = "The deadline must be the same as or after the start date"
    return errors


# --- people -----------------------------------------------------------------------------------


def find_or_create_person(name: str) -> Person:
    """Return the person with this name (any case), creating them if they are new."""
    name = " ".join(name.split())
    person = db.session.scalars(select(Person).where(func.lower(Person.name) == name.lower())).first()
    if person is None:
        person = Person(name=name, job_title="")
        db.session.add(person)
        db.session.flush()
    return person


# --- create -----------------------------------------------------------------------------------


def _audit(event: str, detail: str, user: User | None) -> None:
    """Record a structure change in the audit log, in the same transaction as the change."""
    record_audit_event(event, detail, user=user)


def _added(item: AnyItem, user: User | None, detail: str) -> AnyItem:
    db.session.add(item)
    db.session.flush()
    _audit("structure_created", detail, user)
    return item


def create_workstream(user: User | None, details: WorkstreamDetails) -> Workstream:
    """Add a workstream at the end of its siblings."""
    require_programme_office(user, details.programme.id)
    InvalidChange.refuse_any(workstream_errors(details))
    parent_id = details.parent.id if details.parent else None
    siblings = and_(Workstream.programme_id == details.programme.id, Workstream.parent_id == parent_id)
    workstream = Workstream(
        programme=details.programme,
        ref=normalise_ref(details.ref),
        title=details.title.strip(),
        description=details.description.strip(),
        parent=details.parent,
        reported_separately_by=details.reported_separately_by.strip() or None,
        position=_next_position(Workstream, siblings),
    )
    return _added(workstream, user, f"Workstream {workstream.ref} created: {workstream.title}")


def _require_office_of_parent(user: User | None, parent: Workstream | Project | None) -> None:
    """Refuse anyone but the office of the programme the new item would join (an admin anywhere, if none chosen)."""
    if parent is None:
        require_programme_office(user, None)
    else:
        require_programme_office(user, parent.programme_id)


def _checked_parent(errors: dict[str, str], parent: Container | None) -> Container:
    """Refuse the details if they break a rule; otherwise return the (then certainly chosen) parent."""
    InvalidChange.refuse_any(errors)
    assert parent is not None  # the rules refuse a missing parent
    return parent


def _new_grey(details: ProjectDetails | ActionDetails, position: int) -> dict[str, Any]:
    """New projects and actions start Grey (not yet started), led as chosen, after their siblings."""
    return {
        "ref": normalise_ref(details.ref),
        "title": details.title.strip(),
        "lead": details.lead,
        "status": Status.GREY,
        "position": position,
    }


def create_project(user: User | None, details: ProjectDetails) -> Project:
    """Add a Grey project at the end of its workstream."""
    _require_office_of_parent(user, details.workstream)
    workstream = _checked_parent(project_errors(details), details.workstream)
    project = Project(
        **_new_grey(details, _next_position(Project, Project.workstream_id == workstream.id)),
        workstream=workstream,
        target_date=details.target_date,
        progress="",
        next_steps="",
        deliverables=details.deliverables.strip(),
        impact=details.impact.strip(),
    )
    return _added(project, user, f"Project {project.ref} created in workstream {workstream.ref}")


def create_action(user: User | None, details: ActionDetails) -> Action:
    """Add a Grey action at the end of its project."""
    _require_office_of_parent(user, details.project)
    project = _checked_parent(action_errors(details), details.project)
    action = Action(
        **_new_grey(details, _next_position(Action, Action.project_id == project.id)),
        project=project,
        start_date=details.start_date,
        deadline=details.deadline,
        progress_note="",
    )
    return _added(action, user, f"Action {action.ref} created in project {project.ref}")


# --- edit -------------------------------------------------------------------------------------


def _apply(
    item: Item, values: dict[str, Any], user: User | None, expected_version: int | None = None
) -> list[ChangeRecord]:
    """Set changed attributes, record each in history and the audit log; return the records."""
    changes = []
    for name, new in values.items():
        old = getattr(item, name)
        if old != new:
            changes.append(FieldChange(name, old, new))
            setattr(item, name, new)
    if not changes:
        return []
    flush_or_conflict(item, expected_version)
    records = record_changes(item, changes, user)
    kind = type(item).__name__
    _audit("structure_updated", f"{kind} {item.ref} changed: " + ", ".join(c.field for c in changes), user)
    return records


def update_workstream(workstream: Workstream, user: User | None, details: WorkstreamDetails) -> list[ChangeRecord]:
    """Change a workstream's details (workstreams carry no version: only the programme office edits them)."""
    require_programme_office(user, workstream.programme_id)
    InvalidChange.refuse_any(workstream_errors(details, workstream))
    return _apply(
        workstream,
        {
            "ref": normalise_ref(details.ref),
            "title": details.title.strip(),
            "description": details.description.strip(),
            "parent": details.parent,
            "reported_separately_by": details.reported_separately_by.strip() or None,
        },
        user,
    )


def _edit_versioned(
    item: Project | Action,
    user: User | None,
    expected_version: int | None,
    errors: Callable[[], dict[str, str]],
    values: dict[str, Any],
) -> list[ChangeRecord]:
    """Refuse an edit made against an older version or breaking a rule; apply the rest."""
    require_programme_office(user, item.programme_id)
    check_seen_version(item, expected_version)
    InvalidChange.refuse_any(errors())
    return _apply(item, values, user, expected_version)


def update_project_details(
    project: Project, user: User | None, details: ProjectDetails, expected_version: int | None
) -> list[ChangeRecord]:
    """Change a project's details, refusing an edit made against an older version."""
    return _edit_versioned(
        project,
        user,
        expected_version,
        lambda: project_errors(details, project),
        {
            "ref": normalise_ref(details.ref),
            "title": details.title.strip(),
            "workstream": details.workstream,
            "lead": details.lead,
            "target_date": details.target_date,
            "deliverables": details.deliverables.strip(),
            "impact": details.impact.strip(),
        },
    )


def update_action_details(
    action: Action, user: User | None, details: ActionDetails, expected_version: int | None
) -> list[ChangeRecord]:
    """Change an action's details, refusing an edit made against an older version."""
    return _edit_versioned(
        action,
        user,
        expected_version,
        lambda: action_errors(details, action),
        {
            "ref": normalise_ref(details.ref),
            "title": details.title.strip(),
            "project": details.project,
            "lead": details.lead,
            "start_date": details.start_date,
            "deadline": details.deadline,
        },
    )


# --- archive and delete -------------------------------------------------------------------------


def _archive(item: Item, user: User | None) -> None:
    if item.archived_at is not None:
        return
    item.archived_at = utcnow()
    db.session.flush()
    record_changes(item, [FieldChange("archived", None, "archived")], user)
    _audit("structure_archived", f"{type(item).__name__} {item.ref} archived: {item.title}", user)


def archive_workstream(workstream: Workstream, user: User | None) -> None:
    """Archive a workstream; its live projects and sub-workstreams must be moved or archived first."""
    require_programme_office(user, workstream.programme_id)
    live_children = [child.ref for child in workstream.children if child.archived_at is None]
    live_projects = [p.ref for p in workstream.projects if p.archived_at is None]
    if live_children or live_projects:
        refs = ", ".join(live_children + live_projects)
        raise InvalidChange(
            {"archive": f"Archive or move {refs} first: workstream {workstream.ref} still has live items"}
        )
    _archive(workstream, user)


def archive_project(project: Project, user: User | None) -> None:
    """Archive a project and its live actions, each with a history record."""
    require_programme_office(user, project.programme_id)
    for action in project.actions:
        _archive(action, user)
    _archive(project, user)


def archive_action(action: Action, user: User | None) -> None:
    """Archive an action: it leaves the progress pages and keeps its history."""
    require_programme_office(user, action.programme_id)
    _archive(action, user)


def archive_item(item: Item, user: User | None) -> None:
    """Archive a workstream, project or action by the rules of its kind."""
    if isinstance(item, Workstream):
        archive_workstream(item, user)
    elif isinstance(item, Project):
        archive_project(item, user)
    else:
        archive_action(item, user)


def _delete_errors(item: Item) -> dict[str, str]:
    """Only an item created by mistake may go: no history, and nothing inside it."""
    if has_history(item):
        return {"delete": f"This {type(item).__name__.lower()} has history, so it can be archived but not deleted"}
    if isinstance(item, Workstream) and (item.children or item.projects):
        return {"delete": f"Workstream {item.ref} still has projects or sub-workstreams: delete or move them first"}
    if isinstance(item, Project) and item.actions:
        return {"delete": f"Project {item.ref} still has actions: delete or move them first"}
    return {}


def delete_item(item: Item, user: User | None) -> None:
    """Delete an item created by mistake; once it has history it can only be archived."""
    require_programme_office(user, item.programme_id)
    InvalidChange.refuse_any(_delete_errors(item))
    ref, title = item.ref, item.title
    if isinstance(item, Project):
        item.ambitions = []
    db.session.delete(item)
    db.session.flush()
    _audit("structure_deleted", f"{type(item).__name__} {ref} deleted: {title}", user)


# --- order --------------------------------------------------------------------------------------


def _siblings_query(model: ItemModel, condition: ColumnElement[bool]) -> Select[Any]:
    return select(model).where(condition, model.archived_at.is_(None)).order_by(model.position, model.ref_sort)


def _next_position(model: ItemModel, condition: ColumnElement[bool]) -> int:
    rows = db.session.scalars(_siblings_query(model, condition)).all()
    return max((row.position for row in rows), default=-1) + 1


def sibling_condition(item: Item) -> ColumnElement[bool]:
    """Select the items that share the item's parent: its siblings, and the item itself."""
    if isinstance(item, Workstream):
        if item.parent_id is None:
            return and_(Workstream.programme_id == item.programme_id, Workstream.parent_id.is_(None))
        return Workstream.parent_id == item.parent_id
    if isinstance(item, Project):
        return Project.workstream_id == item.workstream_id
    return Action.project_id == item.project_id


def reorder_item(item: Item, user: User | None, direction: str) -> bool:
    """Move an item one place up or down among its live siblings; return False at either end."""
    require_programme_office(user, item.programme_id)
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
            db.session.execute(
                update(model).where(model.id == sibling.id).values(position=position),
                execution_options={"synchronize_session": "fetch"},
            )
    bump_data_version(db.session)
    _audit("structure_reordered", f"{model.__name__} {item.ref} moved {direction}", user)
    return True

"""Who may change which item, and who may read the progress pages.

Views, services, the CLI and tests ask these; nothing else decides. "Who may edit" has two forms
side by side: ``can_edit_action`` / ``can_edit_project`` ask of one loaded item, and
``editable_actions_clause`` / ``editable_projects_clause`` select the same rows in SQL
(tests/programme/test_rule_forms.py runs both on the same rows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from tracker.auth.models import Role, User
from tracker.auth.permissions import can_manage_programme, role_of
from tracker.core.errors import NotAllowed
from tracker.programme.context import current_programme_or_none
from tracker.programme.models import Action, Project, SQLColumn, Workstream

T = TypeVar("T")


def _edited_workstream_ids(user: User) -> set[int]:
    return {ws.id for ws in user.editable_workstreams}


def _edits_workstream(user: User, workstream: Workstream) -> bool:
    ids = _edited_workstream_ids(user)
    return workstream.id in ids or (workstream.parent_id is not None and workstream.parent_id in ids)


def _leads(user: User, item: Project | Action) -> bool:
    return user.person_id is not None and item.lead_id == user.person_id


def _by_role(user: User | None, programme_id: int, admin: T, nobody: T, lead: Callable[[User], T]) -> T:
    """Answer by the role held in the item's programme: its office, a lead (by the item rule), anyone else."""
    role = role_of(user, programme_id)
    if role is Role.ADMIN:
        return admin
    if role is Role.LEAD and user is not None:
        return lead(user)
    return nobody


def can_edit_project(user: User | None, project: Project) -> bool:
    """The programme's admins edit everything; its leads edit projects they lead or whose workstream they edit."""
    return _by_role(
        user,
        project.programme_id,
        True,
        False,
        lambda lead: _leads(lead, project) or _edits_workstream(lead, project.workstream),
    )


def can_edit_action(user: User | None, action: Action) -> bool:
    """A lead edits actions they lead, and every action of a project they may edit (in a programme they lead in)."""
    return _by_role(
        user,
        action.programme_id,
        True,
        False,
        lambda lead: _leads(lead, action) or can_edit_project(lead, action.project),
    )


def rights_key(user: User | None, programme_id: int) -> str:
    """Return what every edit link a page shows this reader depends on, for a cache key: signed in or not,
    the role held in the programme, the person the account is (an owner enters their KPI's values, a lead
    edits what they lead) and, for a lead, the workstreams they edit. The office may edit everything."""
    signed_in = "in" if getattr(user, "is_authenticated", False) else "out"
    role = role_of(user, programme_id)
    if role is None or role is Role.ADMIN or not isinstance(user, User):
        return f"{signed_in}-{role.value if role else 'none'}"
    editor_of = ".".join(map(str, sorted(_edited_workstream_ids(user)))) if role is Role.LEAD else ""
    return f"{signed_in}-{role.value}-person{user.person_id}-ws{editor_of}"


# --- the same rules in SQL -------------------------------------------------------------------


def led_by_clause(user: User, model: type[Project] | type[Action]) -> ColumnElement[bool]:
    """Select the projects or actions the user leads (the SQL form of leading an item)."""
    if user.person_id is None:
        return false()
    return model.lead_id == user.person_id


def _in_edited_workstreams(user: User) -> ColumnElement[bool]:
    """Select projects in a workstream the user edits, or in a sub-workstream of one."""
    ids = sorted(_edited_workstream_ids(user))
    if not ids:
        return false()
    sub_workstreams = select(Workstream.id).where(Workstream.parent_id.in_(ids))
    return or_(Project.workstream_id.in_(ids), Project.workstream_id.in_(sub_workstreams))


def in_programmes_where(user: User | None, role: Role, programme_id: SQLColumn[Any]) -> ColumnElement[bool]:
    """Select rows of the programmes where the user holds `role` (the SQL form of `role_of(user, programme)`)."""
    default = role_of(user)
    if default is None or user is None:
        return false()
    if default is Role.ADMIN:
        return true() if role is Role.ADMIN else false()
    held = {link.programme_id: link.role for link in user.programme_roles}
    elsewhere = sorted(pid for pid, r in held.items() if r is not role)
    if default is role:
        return programme_id.not_in(elsewhere) if elsewhere else true()
    here = sorted(pid for pid, r in held.items() if r is role)
    return programme_id.in_(here) if here else false()


def _lead_projects_clause(user: User) -> ColumnElement[bool]:
    return or_(led_by_clause(user, Project), _in_edited_workstreams(user))


def editable_projects_clause(user: User | None) -> ColumnElement[bool]:
    """Select the projects `can_edit_project(user, project)` allows, as a WHERE clause on Project."""
    if user is None or role_of(user) is None:
        return false()
    return or_(
        in_programmes_where(user, Role.ADMIN, Project.programme_id),
        and_(in_programmes_where(user, Role.LEAD, Project.programme_id), _lead_projects_clause(user)),
    )


def editable_actions_clause(user: User | None) -> ColumnElement[bool]:
    """Select the actions `can_edit_action(user, action)` allows, as a WHERE clause on Action."""
    if user is None or role_of(user) is None:
        return false()
    lead_edits = or_(
        led_by_clause(user, Action), Action.project_id.in_(select(Project.id).where(_lead_projects_clause(user)))
    )
    return or_(
        in_programmes_where(user, Role.ADMIN, Action.programme_id),
        and_(in_programmes_where(user, Role.LEAD, Action.programme_id), lead_edits),
    )


# --- refusals a person understands ------------------------------------------------------------


def require_action_editor(user: User | None, action: Action) -> None:
    """Refuse anyone who may not update the action."""
    if not can_edit_action(user, action):
        raise NotAllowed(
            f"Only the lead of action {action.ref}, the lead of its project or the programme office can update it."
        )


def require_project_editor(user: User | None, project: Project) -> None:
    """Refuse anyone who may not update the project."""
    if not can_edit_project(user, project):
        raise NotAllowed(f"Only the lead of project {project.ref} or the programme office can update it.")


def require_programme_office(user: object, programme_id: int | None) -> None:
    """Refuse anyone but the programme's office (its admins): the structure of the programme is theirs."""
    if not can_manage_programme(user, programme_id):
        raise NotAllowed("Only the programme office can change the programme's structure.")


# --- reading ------------------------------------------------------------------------------------


def public_progress_pages_on() -> bool:
    """Return whether the admin has opened this page's programme's progress pages to everyone."""
    programme = current_programme_or_none()
    return programme is not None and programme.public_progress_pages


def may_read_progress(user: object) -> bool:
    """Signed-in staff always; anyone while the programme's progress pages are public."""
    return role_of(user) is not None or public_progress_pages_on()

"""Who may change what. Views, the CLI and tests ask these; nothing else decides."""
from __future__ import annotations

from tracker.auth.models import Role, User
from tracker.programme.models import Action, Project, Workstream


def _role_of(user: User | None) -> Role | None:
    """Return the role of a signed-in, active user; None for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return None
    return user.role


def _edits_workstream(user: User, workstream: Workstream) -> bool:
    ids = {ws.id for ws in user.editable_workstreams}
    return workstream.id in ids or (workstream.parent_id is not None and workstream.parent_id in ids)


def _leads(user: User, item: Project | Action) -> bool:
    return user.person_id is not None and item.lead_id == user.person_id


def can_edit_project(user: User | None, project: Project) -> bool:
    """Admins edit everything; a lead edits projects they lead or whose workstream they edit."""
    role = _role_of(user)
    if role is Role.ADMIN:
        return True
    return role is Role.LEAD and (_leads(user, project) or _edits_workstream(user, project.workstream))


def can_edit_action(user: User | None, action: Action) -> bool:
    """A lead edits actions they lead, and every action of a project they may edit."""
    role = _role_of(user)
    if role is Role.ADMIN:
        return True
    return role is Role.LEAD and (_leads(user, action) or can_edit_project(user, action.project))


def can_manage_programme(user: User | None) -> bool:
    """People, roles, structure and imports belong to the programme office."""
    return _role_of(user) is Role.ADMIN

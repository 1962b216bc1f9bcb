"""Who may change what. Views, the CLI and tests ask these; nothing else decides."""
from __future__ import annotations

from tracker.auth.models import Role, User
from tracker.programme.models import Action, Project, Workstream


def _edits_workstream(user: User, workstream: Workstream) -> bool:
    ids = {ws.id for ws in user.editable_workstreams}
    return workstream.id in ids or (workstream.parent_id is not None and workstream.parent_id in ids)


def can_edit_project(user: User | None, project: Project) -> bool:
    """Admins edit everything; a lead edits projects they lead or whose workstream they edit."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role is Role.ADMIN:
        return True
    if user.role is not Role.LEAD:
        return False
    return (user.person_id is not None and project.lead_id == user.person_id) or _edits_workstream(user, project.workstream)


def can_edit_action(user: User | None, action: Action) -> bool:
    """A lead edits actions they lead, and every action of a project they may edit."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role is Role.ADMIN:
        return True
    if user.role is not Role.LEAD:
        return False
    if user.person_id is not None and action.lead_id == user.person_id:
        return True
    return can_edit_project(user, action.project)


def can_manage_programme(user: User | None) -> bool:
    """People, roles, structure and imports belong to the programme office."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.active and user.role is Role.ADMIN)

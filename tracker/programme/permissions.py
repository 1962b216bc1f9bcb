"""Who may change which item, and who may read the progress pages.

Views, services, the CLI and tests ask these; nothing else decides.
"""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.auth.permissions import role_of
from tracker.extensions import db
from tracker.programme.models import Action, Programme, Project, Workstream


def _edits_workstream(user: User, workstream: Workstream) -> bool:
    ids = {ws.id for ws in user.editable_workstreams}
    return workstream.id in ids or (workstream.parent_id is not None and workstream.parent_id in ids)


def _leads(user: User, item: Project | Action) -> bool:
    return user.person_id is not None and item.lead_id == user.person_id


def can_edit_project(user: User | None, project: Project) -> bool:
    """Admins edit everything; a lead edits projects they lead or whose workstream they edit."""
    role = role_of(user)
    if role is Role.ADMIN:
        return True
    return role is Role.LEAD and (_leads(user, project) or _edits_workstream(user, project.workstream))


def can_edit_action(user: User | None, action: Action) -> bool:
    """A lead edits actions they lead, and every action of a project they may edit."""
    role = role_of(user)
    if role is Role.ADMIN:
        return True
    return role is Role.LEAD and (_leads(user, action) or can_edit_project(user, action.project))


def public_progress_pages_on() -> bool:
    """Return whether the admin has opened the progress pages to everyone (asked once a request)."""
    if "public_progress_pages" not in g:
        g.public_progress_pages = bool(db.session.scalar(select(Programme.public_progress_pages).limit(1)))
    return g.public_progress_pages


def may_read_progress(user: object) -> bool:
    """Signed-in staff always; anyone while the progress pages are public."""
    return role_of(user) is not None or public_progress_pages_on()

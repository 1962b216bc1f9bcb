"""Who may add, edit, close and reopen a risk, and who may read the register.

A risk belongs to the programme, or to one workstream or project of it. Its editors are the
programme's office and the lead of the item it belongs to, judged by the role held in the risk's
programme (``role_of(user, programme_id)``): the lead of a project, or a lead who edits the
project's workstream; for a workstream risk, the leads who edit that workstream; a programme-level
risk is the office's alone. Reading follows the progress pages.
"""

from __future__ import annotations

from tracker.auth.models import Role, User
from tracker.auth.permissions import can_manage_programme, role_of
from tracker.core.errors import NotAllowed
from tracker.programme.models import Project, Workstream
from tracker.programme.permissions import _edits_workstream, can_edit_project, may_read_progress
from tracker.risks.models import Risk


def can_edit_risks_of(
    user: object, programme_id: int, workstream: Workstream | None = None, project: Project | None = None
) -> bool:
    """May the user add or change the risks of this item (the programme itself when neither is given)?"""
    if can_manage_programme(user, programme_id):
        return True
    if role_of(user, programme_id) is not Role.LEAD or not isinstance(user, User):
        return False
    if project is not None:
        return can_edit_project(user, project)
    if workstream is not None:
        return _edits_workstream(user, workstream)
    return False


def can_edit_risk(user: object, risk: Risk) -> bool:
    """The programme's office, and the lead of the item the risk belongs to."""
    return can_edit_risks_of(user, risk.programme_id, risk.workstream, risk.project)


def require_risk_editor(user: object, risk: Risk) -> None:
    """Refuse anyone who may not change this risk."""
    if not can_edit_risk(user, risk):
        raise NotAllowed(f"Only {_editors(risk.workstream, risk.project)} can change risk {risk.ref}.")


def require_risk_adder(
    user: object, programme_id: int, workstream: Workstream | None = None, project: Project | None = None
) -> None:
    """Refuse anyone who may not add a risk to this item."""
    if not can_edit_risks_of(user, programme_id, workstream, project):
        raise NotAllowed(f"Only {_editors(workstream, project)} can add a risk here.")


def _editors(workstream: Workstream | None, project: Project | None) -> str:
    if project is not None:
        return f"the lead of project {project.ref} or the programme office"
    if workstream is not None:
        return f"the leads of workstream {workstream.ref} or the programme office"
    return "the programme office"


def may_read_risks(user: object) -> bool:
    """The register is read like the progress pages: signed-in staff, or anyone while those are public."""
    return may_read_progress(user)

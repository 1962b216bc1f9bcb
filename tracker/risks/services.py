"""Adding, changing, closing and reopening risks.

Each service checks permission (``tracker.risks.permissions``), the version the user saw and the
rules of ``tracker.risks.rules``, changes the risk, and writes its history and an audit event in the
caller's transaction. The caller commits, or rolls back on any refusal: ``NotAllowed``,
``InvalidChange``, ``NotFound`` or ``VersionConflict``.
"""

from __future__ import annotations

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.core.database import flush_or_conflict
from tracker.core.errors import InvalidChange, NotFound, check_seen_version, check_version
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.history.services import FieldChange, record_changes
from tracker.people.models import Person
from tracker.programme.models import Programme, Project, Workstream
from tracker.risks.models import Risk
from tracker.risks.permissions import require_risk_adder, require_risk_editor
from tracker.risks.rules import RiskDetails, details_errors, score

RISK_ADDED = "risk_added"
RISK_CHANGED = "risk_changed"
RISK_CLOSED = "risk_closed"
RISK_REOPENED = "risk_reopened"

# Names the history keeps for each field: "impact" alone would read as a project's "Impact and benefits".
HISTORY_FIELDS = {
    "description": "description",
    "mitigation": "mitigation",
    "owner": "owner",
    "likelihood": "likelihood_score",
    "impact": "impact_score",
    "review_on": "review_date",
}


def _checked(details: RiskDetails) -> tuple[Person, int, int]:
    """Refuse details that break a rule; return the owner and the two scores."""
    errors = details_errors(details)
    owner = db.session.get(Person, details.owner_id) if details.owner_id is not None else None
    if details.owner_id is not None and owner is None:
        errors["owner_id"] = "Choose an owner from the list"
    InvalidChange.refuse_any(errors)
    likelihood, impact = score(details.likelihood), score(details.impact)
    assert owner is not None and likelihood is not None and impact is not None  # the rules refuse anything else
    return owner, likelihood, impact


def _where(risk: Risk) -> str:
    if risk.project is not None:
        return f"project {risk.project.ref}"
    if risk.workstream is not None:
        return f"workstream {risk.workstream.ref}"
    return "the programme"


def _check_placement(programme: Programme, workstream: Workstream | None, project: Project | None) -> None:
    if workstream is not None and project is not None:
        raise InvalidChange({"": "A risk belongs to one workstream or one project, not both."})
    item = project or workstream
    if item is not None and item.programme_id != programme.id:
        raise NotFound(f"There is no {type(item).__name__.lower()} {item.ref} in {programme.name}.")


def add_risk(
    user: User | None,
    programme: Programme,
    details: RiskDetails,
    workstream: Workstream | None = None,
    project: Project | None = None,
) -> Risk:
    """Add an open risk to the programme, or to one of its workstreams or projects."""
    _check_placement(programme, workstream, project)
    require_risk_adder(user, programme.id, workstream, project)
    owner, likelihood, impact = _checked(details)
    risk = Risk(
        programme=programme,
        workstream=workstream,
        project=project,
        description=details.description.strip(),
        mitigation=(details.mitigation or "").strip(),
        owner=owner,
        likelihood=likelihood,
        impact=impact,
        review_on=details.review_on,
        is_open=True,
    )
    db.session.add(risk)
    db.session.flush()
    where = _where(risk)
    record_changes(risk, [FieldChange("created", None, f"Risk {risk.ref} added to {where}")], user)
    record_audit_event(RISK_ADDED, f"Risk {risk.ref} added to {where}: {risk.description[:200]}", user=user)
    return risk


def _save(
    risk: Risk, user: User | None, expected_version: int | None, changes: list[FieldChange], event: str
) -> list[ChangeRecord]:
    if not changes:
        return []
    flush_or_conflict(risk, expected_version)
    records = record_changes(risk, changes, user)
    named = ", ".join(change.field.replace("_", " ") for change in changes)
    record_audit_event(event, f"Risk {risk.ref} of {_where(risk)}: {named}", user=user)
    flush_or_conflict(risk, expected_version)
    return records


def edit_risk(risk: Risk, user: User | None, details: RiskDetails, expected_version: int | None) -> list[ChangeRecord]:
    """Change a risk's details, refusing a save made against an older version; return the history written."""
    require_risk_editor(user, risk)
    check_seen_version(risk, expected_version)
    owner, likelihood, impact = _checked(details)
    new_values = {
        "description": details.description.strip(),
        "mitigation": (details.mitigation or "").strip(),
        "owner": owner,
        "likelihood": likelihood,
        "impact": impact,
        "review_on": details.review_on,
    }
    changes = []
    for name, new in new_values.items():
        old = getattr(risk, name)
        if old != new:
            setattr(risk, name, new)
            changes.append(FieldChange(HISTORY_FIELDS[name], old, new))
    return _save(risk, user, expected_version, changes, RISK_CHANGED)


def _state(is_open: bool) -> str:
    return "Open" if is_open else "Closed"


def _set_open(
    risk: Risk, user: User | None, is_open: bool, expected_version: int | None, note: str
) -> list[ChangeRecord]:
    require_risk_editor(user, risk)
    check_version(risk, expected_version)
    if risk.is_open == is_open:
        raise InvalidChange({"": f"Risk {risk.ref} is already {_state(is_open).lower()}."})
    risk.is_open = is_open
    change = FieldChange("open_or_closed", _state(not is_open), _state(is_open), note)
    return _save(risk, user, expected_version, [change], RISK_REOPENED if is_open else RISK_CLOSED)


def close_risk(
    risk: Risk, user: User | None, expected_version: int | None = None, note: str = ""
) -> list[ChangeRecord]:
    """Close an open risk (it has passed, or the mitigation has worked); it stays in the register as closed."""
    return _set_open(risk, user, False, expected_version, note)


def reopen_risk(
    risk: Risk, user: User | None, expected_version: int | None = None, note: str = ""
) -> list[ChangeRecord]:
    """Reopen a closed risk."""
    return _set_open(risk, user, True, expected_version, note)

"""Set up the programme and change its details: names, vision, and when its board meets.

Only the programme office (an admin) may call these, or the command line, which has no account:
it calls with ``user=None`` and ``command_line=True``. Each checks every rule (required fields,
lengths, the short name's shape and uniqueness, the board cycle, a real date), changes the
programme and records an audit event in the caller's transaction; refusals are ``InvalidChange``
with a message per form field. The caller commits.

An installation holds any number of programmes. Setting one up is for an installation admin;
changing one's details and settings is for that programme's office (its admins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func, select

from tracker.audit.services import record_audit_event
from tracker.auth.models import User
from tracker.auth.permissions import can_manage_programme, is_admin
from tracker.core.errors import InvalidChange, NotAllowed
from tracker.extensions import db
from tracker.programme.limits import MAX_LONG_TEXT, MAX_NAME, length_errors
from tracker.programme.models import Programme

SHORT_NAME_MIN, SHORT_NAME_MAX = 2, 30
SHORT_NAME_PATTERN = re.compile(r"^[a-z0-9-]+$")
CYCLE_MIN, CYCLE_MAX = 1, 52
DEFAULT_BOARD_NAME = "Programme board"
DEFAULT_CYCLE_WEEKS = 6

# What the audit log and messages call each detail.
FIELD_LABELS = {
    "name": "name",
    "short_name": "short name",
    "vision": "vision",
    "board_name": "board name",
    "board_cycle_weeks": "board cycle",
    "reference_board_date": "first board date",
}


@dataclass
class ProgrammeDetails:
    """A programme as the programme office describes it.

    The board cycle and the board date may arrive as typed (text from a form or a command), so
    that the service, not each caller, says what is wrong with them.
    """

    name: str
    short_name: str
    vision: str = ""
    board_name: str = DEFAULT_BOARD_NAME
    board_cycle_weeks: int | str | None = DEFAULT_CYCLE_WEEKS
    # Any one date on which the board meets (the first one, for a new programme).
    reference_board_date: date | str | None = None


@dataclass(frozen=True)
class _Clean:
    name: str
    short_name: str
    vision: str
    board_name: str
    board_cycle_weeks: int
    reference_board_date: date


# --- permission ---------------------------------------------------------------------------------


def require_programme_setup_right(user: object, command_line: bool = False) -> None:
    """Refuse anyone but an installation admin, or the command line (no account, and said so explicitly)."""
    if command_line and user is None:
        return
    if not is_admin(user):
        raise NotAllowed("Only an admin of the installation can set up a programme.")


def require_programme_office_of(user: object, programme: Programme, command_line: bool = False) -> None:
    """Refuse anyone but the programme's office (its admins), or the command line."""
    if command_line and user is None:
        return
    if not can_manage_programme(user, programme.id):
        raise NotAllowed("Only the programme office can change the programme's details and settings.")


# --- rules --------------------------------------------------------------------------------------


def _short_name_errors(short_name: str, current: Programme | None) -> dict[str, str]:
    if not short_name:
        return {"short_name": "Enter a short name, like children"}
    if not SHORT_NAME_MIN <= len(short_name) <= SHORT_NAME_MAX:
        return {"short_name": f"The short name must be {SHORT_NAME_MIN} to {SHORT_NAME_MAX} characters long"}
    if not SHORT_NAME_PATTERN.match(short_name):
        return {"short_name": "The short name can only contain lowercase letters, numbers and hyphens, like children"}
    clash = db.session.scalars(select(Programme).where(func.lower(Programme.short_name) == short_name)).first()
    if clash is not None and clash is not current:
        return {"short_name": f"There is already a programme with the short name {short_name}: choose another"}
    return {}


def _cycle(value: int | str | None) -> tuple[int | None, dict[str, str]]:
    message = f"The board cycle must be a whole number of weeks from {CYCLE_MIN} to {CYCLE_MAX}"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, {"board_cycle_weeks": "Enter how many weeks there are between board meetings"}
    if isinstance(value, bool):
        return None, {"board_cycle_weeks": message}
    try:
        weeks = value if isinstance(value, int) else int(value.strip())
    except ValueError:
        return None, {"board_cycle_weeks": message}
    if not CYCLE_MIN <= weeks <= CYCLE_MAX:
        return None, {"board_cycle_weeks": message}
    return weeks, {}


def _board_date(value: date | str | None) -> tuple[date | None, dict[str, str]]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, {"reference_board_date": "Enter the date of a board meeting"}
    if isinstance(value, date):
        return value, {}
    try:
        return date.fromisoformat(value.strip()), {}
    except ValueError:
        return None, {"reference_board_date": "The board date must be a real date, like 2027-03-27"}


def programme_errors(details: ProgrammeDetails, current: Programme | None = None) -> tuple[_Clean | None, dict]:
    """Return the details made tidy, or every rule they break keyed by form field."""
    name, board_name = " ".join(details.name.split()), " ".join(details.board_name.split())
    short_name, vision = details.short_name.strip(), details.vision.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the programme's name"
    if not board_name:
        errors["board_name"] = "Enter the name of the board the programme reports to"
    errors.update(
        length_errors(
            {
                "name": (name, MAX_NAME, "the programme's name"),
                "board_name": (board_name, MAX_NAME, "the board's name"),
                "vision": (vision, MAX_LONG_TEXT, "the vision"),
            }
        )
    )
    errors.update(_short_name_errors(short_name, current))
    weeks, cycle_errors = _cycle(details.board_cycle_weeks)
    board_date, date_errors = _board_date(details.reference_board_date)
    errors.update({**cycle_errors, **date_errors})
    if errors or weeks is None or board_date is None:
        return None, errors
    return _Clean(name, short_name, vision, board_name, weeks, board_date), {}


def _checked(details: ProgrammeDetails, current: Programme | None) -> _Clean:
    clean, errors = programme_errors(details, current)
    if errors or clean is None:
        raise InvalidChange(errors)
    return clean


def _account(user: object) -> User | None:
    return user if isinstance(user, User) else None


# --- writes -------------------------------------------------------------------------------------


def create_programme(user: object, details: ProgrammeDetails, *, command_line: bool = False) -> Programme:
    """Set up a programme beside any others (its short name must be free)."""
    require_programme_setup_right(user, command_line)
    clean = _checked(details, None)
    programme = Programme(**{field.name: getattr(clean, field.name) for field in fields(clean)})
    db.session.add(programme)
    db.session.flush()
    record_audit_event("programme_created", f"Programme {clean.short_name} set up: {clean.name}", _account(user))
    return programme


def update_programme(
    user: object, programme: Programme, details: ProgrammeDetails, *, command_line: bool = False
) -> list[str]:
    """Change the programme's details; return the names of the details that changed (none: no event)."""
    require_programme_office_of(user, programme, command_line)
    clean = _checked(details, programme)
    changed = []
    for field in fields(clean):
        value = getattr(clean, field.name)
        if getattr(programme, field.name) != value:
            setattr(programme, field.name, value)
            changed.append(field.name)
    if changed:
        db.session.flush()
        words = ", ".join(FIELD_LABELS[name] for name in changed)
        record_audit_event("programme_updated", f"Programme {programme.short_name}: changed {words}", _account(user))
    return changed


def set_public_progress_pages(programme: Programme, public: bool, user: object) -> bool:
    """Open the programme's progress pages to everyone, or close them to all but signed-in staff; say if it changed."""
    require_programme_office_of(user, programme)
    if programme.public_progress_pages == public:
        return False
    programme.public_progress_pages = public
    state = "turned on" if public else "turned off"
    record_audit_event(
        "settings_changed", f"Programme {programme.short_name}: public read-only progress pages {state}", _account(user)
    )
    return True


def details_of(programme: Programme) -> ProgrammeDetails:
    """Return the programme's details as they stand, for a form or a partial change from the command line."""
    return ProgrammeDetails(
        name=programme.name,
        short_name=programme.short_name,
        vision=programme.vision or "",
        board_name=programme.board_name,
        board_cycle_weeks=programme.board_cycle_weeks,
        reference_board_date=programme.reference_board_date,
    )

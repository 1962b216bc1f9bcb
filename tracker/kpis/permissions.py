"""Who may enter KPI values and import KPIs. Views, services, the CLI and tests ask these; nothing else decides."""

from __future__ import annotations

from typing import Final

from tracker.auth.models import User
from tracker.auth.permissions import can_manage_programme, role_of
from tracker.kpis.models import Kpi
from tracker.programme.models import Programme


class CommandLine:
    """Whoever runs a `flask` command on the server: trusted like the programme office, with no account."""

    def __repr__(self) -> str:
        return "COMMAND_LINE"


# The actor for imports and loads run from the command line (and for tests that call the importer directly).
COMMAND_LINE: Final = CommandLine()


def can_enter_kpi_values(user: object, kpi: Kpi) -> bool:
    """Return whether user may enter values: the KPI's programme office for every KPI, an owner for their own.

    Roles are asked in the KPI's own programme: an admin of another programme is no one special here.
    """
    if user is COMMAND_LINE or can_manage_programme(user, kpi.programme_id):
        return True
    if role_of(user, kpi.programme_id) is None:
        return False
    person_id = getattr(user, "person_id", None)
    return person_id is not None and person_id == kpi.owner_id


def can_import_kpis(user: object, programme: Programme) -> bool:
    """Return whether user may import into programme: imports replace KPIs wholesale, so its office only."""
    return user is COMMAND_LINE or can_manage_programme(user, programme.id)


def account_of(user: object) -> User | None:
    """Return the account to name in history and audit records: None for the command line, which has none."""
    return user if isinstance(user, User) else None

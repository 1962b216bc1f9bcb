"""Who may enter KPI values and import KPIs. Views, the CLI and tests ask these; nothing else decides."""
from __future__ import annotations

from tracker.auth.permissions import can_manage_programme
from tracker.kpis.models import Kpi


def can_enter_kpi_values(user, kpi: Kpi) -> bool:
    """The programme office enters values for every KPI; a KPI's owner enters values for their own."""
    if can_manage_programme(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    return user.person_id is not None and user.person_id == kpi.owner_id


def can_import_kpis(user) -> bool:
    """Imports replace KPI definitions and values wholesale: the programme office only."""
    return can_manage_programme(user)

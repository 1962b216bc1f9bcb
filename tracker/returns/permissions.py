"""Who may download and upload an update return: the programme office for any lead, a lead for their own."""

from __future__ import annotations

from collections.abc import Iterable

from tracker.auth.permissions import can_manage_programme, is_lead_or_admin
from tracker.core.errors import NotAllowed


def may_handle_return(user: object, programme_id: int, lead_id: int) -> bool:
    """The office handles every lead's return; a lead (in this programme) handles the one made out to them."""
    if can_manage_programme(user, programme_id):
        return True
    return is_lead_or_admin(user, programme_id) and getattr(user, "person_id", None) == lead_id


def require_return_handler(user: object, programme_id: int, lead_id: int) -> None:
    if not may_handle_return(user, programme_id, lead_id):
        raise NotAllowed("Only the programme office, or the lead it is made out to, can use this update return.")


def require_office(user: object, programme_id: int) -> None:
    if not can_manage_programme(user, programme_id):
        raise NotAllowed("Only the programme office can download every lead's update return.")


def may_use_returns(user: object, programme_id: int, lead_ids: Iterable[int | None]) -> bool:
    """Offer update returns to the programme's office, and to a lead who owes updates in the round."""
    if can_manage_programme(user, programme_id):
        return True
    return is_lead_or_admin(user, programme_id) and getattr(user, "person_id", None) in set(lead_ids)

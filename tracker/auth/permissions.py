"""The one place that asks whether someone is signed in, active, and in which role.

Every other permission question (who may edit an action, enter a KPI value) starts here, so a
deactivated account is refused everywhere by the same rule.
"""

from __future__ import annotations

from tracker.auth.models import Role


def role_of(user: object) -> Role | None:
    """Return the role of a signed-in, active user; None for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return None
    return getattr(user, "role", None)


def is_signed_in(user: object) -> bool:
    """Return True for a signed-in, active user of any role."""
    return role_of(user) is not None


def is_admin(user: object) -> bool:
    """Return True for the programme office: people, roles, structure and imports are theirs."""
    return role_of(user) is Role.ADMIN


def is_lead_or_admin(user: object) -> bool:
    """Return True for signed-in, active leads and admins."""
    return role_of(user) in (Role.LEAD, Role.ADMIN)


def can_manage_programme(user: object) -> bool:
    """People, roles, structure and imports belong to the programme office."""
    return is_admin(user)

"""The one place that asks whether someone is signed in, active, and in which role.

Every other permission question (who may edit an action, enter a KPI value) starts here, so a
deactivated account is refused everywhere by the same rule.
"""

from __future__ import annotations

from tracker.auth.models import Role, User


def role_of(user: object, programme_id: int | None = None) -> Role | None:
    """Return the role of a signed-in, active user (in one programme, when named); None for anyone else.

    Without a programme it is the installation role: an admin manages the programmes and the people.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return None
    if programme_id is not None and isinstance(user, User):
        return user.role_in(programme_id)
    return getattr(user, "role", None)


def is_signed_in(user: object) -> bool:
    """Return True for a signed-in, active user of any role."""
    return role_of(user) is not None


def is_admin(user: object) -> bool:
    """Return True for an installation admin: the programmes, the people and their roles are theirs."""
    return role_of(user) is Role.ADMIN


def is_lead_or_admin(user: object, programme_id: int | None = None) -> bool:
    """Return True for signed-in, active leads and admins (in the programme, when named)."""
    return role_of(user, programme_id) in (Role.LEAD, Role.ADMIN)


def can_manage_programme(user: object, programme_id: int | None = None) -> bool:
    """A programme's structure, settings, KPIs and imports belong to its programme office (its admins)."""
    return role_of(user, programme_id) is Role.ADMIN


def leads_somewhere(user: object) -> bool:
    """Return True for someone who is a lead or admin in at least one programme (My actions is theirs)."""
    role = role_of(user)
    if role in (Role.LEAD, Role.ADMIN):
        return True
    return (
        isinstance(user, User)
        and role is not None
        and any(held.role in (Role.LEAD, Role.ADMIN) for held in user.programme_roles)
    )


def admin_somewhere(user: object) -> bool:
    """Return True for an installation admin, or the programme office (admin) of at least one programme."""
    role = role_of(user)
    return role is Role.ADMIN or (
        isinstance(user, User) and role is not None and any(held.role is Role.ADMIN for held in user.programme_roles)
    )

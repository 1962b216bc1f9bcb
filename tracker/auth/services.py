"""Account operations shared by the web pages and the command line. Callers commit."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from tracker.audit.services import record_audit_event
from tracker.auth.models import PasswordResetToken, Role, User
from tracker.auth.passwords import burn_equal_time, hash_password, password_problem, verify_password
from tracker.core.clock import as_utc, utcnow
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Programme, Workstream

RESET_LINK_LIFETIME = timedelta(hours=24)


class AccountError(ValueError):
    """A request that breaks an account rule; the message is fit to show to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field




def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this email and password, else None, in about the same time."""
    user = user_by_email(email) if len(email) <= 254 else None
    if len(password) > 1024:  # far beyond the policy's maximum: cannot be right, do not hash megabytes
        burn_equal_time("")
        return None
    if user is None:
        burn_equal_time(password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password (policy applies) and end every existing session of the user."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, field="new_password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.end_all_sessions()


def _check_person_free(person: Person | None, user: User | None) -> None:
    if person is None:
        return
    holder = db.session.scalar(select(User).where(User.person_id == person.id))
    if holder is not None and holder is not user:
        raise AccountError(f"{person.name} is already linked to {holder.name}'s account", field="person_id")


def create_user(email: str, name: str, role: Role, person: Person | None = None, password: str | None = None,
                workstreams: list[Workstream] | None = None) -> User:
    """Create an account. Without a password, the user sets one through a reset link."""
    email = email.strip().lower()
    if user_by_email(email) is not None:
        raise AccountError(f"There is already an account for {email}", field="email")
    _check_person_free(person, None)
    user = User(email=email, name=name.strip(), role=role, person=person, active=True, session_generation=1)
    user.editable_workstreams = list(workstreams or []) if role is Role.LEAD else []
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record_audit_event("user_created", f"{user.name} <{user.email}> as {role.label}")
    return user


def update_user(user: User, *, acting_user: User | None, name: str, role: Role, person: Person | None,
                workstreams: list[Workstream]) -> None:
    """Change an account's name, role, plan link and workstream rights."""
    if acting_user is not None and acting_user.id == user.id and role is not user.role:
        raise AccountError("You cannot change your own role. Ask another admin to do it", field="role")
    _check_person_free(person, user)
    changes = []
    if name.strip() != user.name:
        changes.append(f"name '{user.name}' → '{name.strip()}'")
        user.name = name.strip()
    if person is not user.person:
        changes.append(f"plan link {user.person.name if user.person else 'none'} → {person.name if person else 'none'}")
        user.person = person
    new_workstreams = sorted(workstreams, key=lambda ws: ws.id) if role is Role.LEAD else []
    if {ws.id for ws in new_workstreams} != {ws.id for ws in user.editable_workstreams}:
        changes.append("workstream rights " + (", ".join(ws.ref for ws in new_workstreams) or "none"))
        user.editable_workstreams = new_workstreams
    if role is not user.role:
        record_audit_event("role_changed", f"{user.name} <{user.email}>: {user.role.label} → {role.label}")
        user.role = role
        user.end_all_sessions()  # a changed role applies from the next sign-in everywhere
    if changes:
        record_audit_event("user_changed", f"{user.name} <{user.email}>: " + "; ".join(changes))


def set_role(user: User, role: Role) -> None:
    if role is not user.role:
        record_audit_event("role_changed", f"{user.name} <{user.email}>: {user.role.label} → {role.label}")
        user.role = role
        if role is not Role.LEAD:
            user.editable_workstreams = []
        user.end_all_sessions()


def deactivate_user(user: User, acting_user: User | None) -> None:
    """Stop the user signing in and end their sessions; their history stays."""
    if acting_user is not None and acting_user.id == user.id:
        raise AccountError("You cannot deactivate your own account")
    if not user.active:
        return
    user.active = False
    user.deactivated_at = utcnow()
    user.end_all_sessions()
    db.session.execute(update(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                        PasswordResetToken.used_at.is_(None)).values(used_at=utcnow()))
    record_audit_event("user_deactivated", f"{user.name} <{user.email}>")


def reactivate_user(user: User) -> None:
    if user.active:
        return
    user.active = True
    user.deactivated_at = None
    record_audit_event("user_reactivated", f"{user.name} <{user.email}>")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_reset_link_token(user: User, acting_user: User | None, purpose: str = "reset") -> str:
    """Return a new one-time token for setting a password; older unused ones stop working.

    A reset (not a first invitation) also ends the user's sessions at once.
    """
    if not user.active:
        raise AccountError("Reactivate the account before resetting its password")
    now = utcnow()
    db.session.execute(update(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                        PasswordResetToken.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordResetToken(user=user, token_hash=_token_hash(token), created_at=now,
                                      expires_at=now + RESET_LINK_LIFETIME,
                                      created_by_id=acting_user.id if acting_user else None))
    if purpose == "reset":
        user.end_all_sessions()
    record_audit_event("password_reset_link", f"{user.name} <{user.email}> ({'invitation' if purpose != 'reset' else 'reset'}), valid 24 hours")
    return token


def usable_reset_token(token: str) -> PasswordResetToken | None:
    """Return the stored token if the link is unused, unexpired and its account active."""
    if not token or len(token) > 200:
        return None
    stored = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token)))
    if stored is None or stored.used_at is not None or as_utc(stored.expires_at) <= utcnow() or not stored.user.active:
        return None
    return stored


def set_password_from_link(stored: PasswordResetToken, password: str) -> User:
    """Use up the link and set the password (which ends every session of the user)."""
    set_password(stored.user, password)
    stored.used_at = utcnow()
    record_audit_event("password_reset", f"{stored.user.name} <{stored.user.email}>", user=stored.user)
    return stored.user


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise AccountError("Your current password is incorrect", field="current_password")
    set_password(user, new_password)
    record_audit_event("password_changed", f"{user.name} <{user.email}>", user=user)


def set_public_progress_pages(programme: Programme, public: bool) -> None:
    if programme.public_progress_pages != public:
        programme.public_progress_pages = public
        record_audit_event("settings_changed", "Public read-only progress pages " + ("turned on" if public else "turned off"))


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str
    person_name: str | None = None


def ensure_account(account: DemoAccount) -> tuple[User, bool]:
    """Create the account if missing, or bring it back to the given role, person and password."""
    person = None
    if account.person_name:
        person = db.session.scalar(select(Person).where(Person.name == account.person_name))
    user = user_by_email(account.email)
    if user is None:
        return create_user(account.email, account.name, account.role, person=person, password=account.password), True
    if user.role is not account.role:
        set_role(user, account.role)
    if person is not None and user.person is not person:
        _check_person_free(person, user)
        user.person = person
    if not verify_password(user.password_hash, account.password):
        set_password(user, account.password)
    reactivate_user(user)
    return user, False

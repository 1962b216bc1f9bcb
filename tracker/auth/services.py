"""Account operations shared by the web pages and the command line. Callers commit."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from tracker.auth import throttle
from tracker.auth.events import record_event
from tracker.auth.models import PasswordResetToken, ProgrammeRole, Role, User
from tracker.auth.passwords import burn_equal_time, hash_password, needs_rehash, password_problem, verify_password
from tracker.auth.permissions import role_of
from tracker.core.clock import as_utc, utcnow
from tracker.core.errors import InvalidChange
from tracker.extensions import db
from tracker.people.models import Person

if TYPE_CHECKING:  # for the type checker only: the workstreams are handed in by the people pages
    from tracker.programme.models import Workstream

RESET_LINK_LIFETIME = timedelta(hours=24)
INCORRECT = "Email or password is incorrect"
NOT_A_PROGRAMME_ROLE = "Select a role in each programme from the list"

# Programmes sit above auth: named by their table, as ProgrammeRole's foreign key names them.


class AccountError(InvalidChange):
    """A request that breaks an account rule; the message is fit to show to the user as it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        # A message tied to no field is keyed "": forms flash it, the command line prints it.
        super().__init__({field or "": message})
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class AccountDetails:
    """What the people pages set on an account: name, role, plan link, workstream rights, programme roles.

    ``programme_roles`` maps a programme's id to the role held there in place of ``role`` (None: the
    same as ``role``). Programmes it does not name keep what they have; None leaves them all alone.
    """

    name: str
    role: Role
    person: Person | None = None
    workstreams: Sequence[Workstream] = ()
    programme_roles: Mapping[int, Role | None] | None = None


def user_by_email(email: str) -> User | None:
    """Return the account with this email address (case ignored), or None."""
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
    if not verify_password(user.password_hash, password) or role_of(user) is None:
        return None
    return user


@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in attempt: the user, or the message and status code to show.

    ``needs_code``: the password was right, but the account asks for a second factor before it is
    signed in (tracker/auth/two_factor.py finishes the sign-in).
    """

    user: User | None
    error: str = ""
    status: int = 200
    needs_code: bool = False


def refused_while_locked_out(email: str, ip: str) -> SignIn | None:
    """Refuse, and record, an attempt during a lockout of the account or the address; None if there is none."""
    lockout = throttle.current_lockout(email, ip)
    if lockout is None:
        return None
    # Refused without looking at the password or code: a right one during a lockout is refused too.
    throttle.record_attempt(email, ip, succeeded=False, refused=True)
    record_event("sign_in_refused", f"{email} (locked out)", user=user_by_email(email))
    return SignIn(None, lockout.message, 429)


def record_failure(email: str, ip: str, event: str = "sign_in_failed") -> None:
    """Count a wrong password or code towards the lockout, and audit it (and the lockout it starts)."""
    throttle.record_attempt(email, ip, succeeded=False)
    record_event(event, email, user=user_by_email(email))
    db.session.flush()
    if throttle.current_lockout(email, ip) is not None:
        record_event("lockout", f"{email} from {ip}: {throttle.MAX_FAILURES} failed attempts within 5 minutes")


def signed_in(user: User, ip: str) -> SignIn:
    """Record a finished sign-in: it clears the account's count of failures."""
    throttle.record_attempt(user.email, ip, succeeded=True)
    user.last_signed_in_at = utcnow()
    record_event("sign_in", user.email, user=user)
    return SignIn(user)


def sign_in(email: str, password: str, ip: str) -> SignIn:
    """Check the throttle and the password, recording the attempt and its audit events."""
    refused = refused_while_locked_out(email, ip)
    if refused is not None:
        return refused
    user = authenticate(email, password)
    if user is None:
        record_failure(email, ip)
        return SignIn(None, INCORRECT)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # bring old hashes up to today's cost
    if user.has_second_factor:
        # Not a sign-in yet, and not counted as a success: a success clears the account's failures,
        # which would let someone who knows the password guess codes without ever being locked out.
        record_event("sign_in_password_accepted", f"{user.email}: code asked for", user=user)
        return SignIn(user, needs_code=True)
    return signed_in(user, ip)


def sign_out(user: User) -> None:
    """End every session of the user, in every browser."""
    user.end_all_sessions()
    record_event("sign_out", user.email, user=user)


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


def _programme_names(ids: Iterable[int]) -> dict[int, str]:
    """Return the names of those of the programmes that exist (auth.queries reads programmes for auth)."""
    from tracker.auth.queries import programme_names

    wanted = set(ids)
    return {programme_id: name for programme_id, name in programme_names().items() if programme_id in wanted}


def _check_programme_roles(roles: Mapping[int, Role | None] | None) -> None:
    """Refuse a role that is not one, or a programme that does not exist (both by the form's field)."""
    if not roles:
        return
    if any(role is not None and not isinstance(role, Role) for role in roles.values()):
        raise AccountError(NOT_A_PROGRAMME_ROLE, field="programme_roles")
    if any(isinstance(key, bool) or not isinstance(key, int) for key in roles):
        raise AccountError("There is no such programme", field="programme_roles")
    unknown = sorted(set(roles) - set(_programme_names(roles)))
    if unknown:
        raise AccountError(f"There is no programme with id {unknown[0]}", field="programme_roles")


def _roles_after(role: Role, held: Mapping[int, Role], wanted: Mapping[int, Role | None] | None) -> dict[int, Role]:
    """Return the programme roles an account will hold: none for an installation admin (admin everywhere)."""
    if role is Role.ADMIN:
        return {}
    after = dict(held)
    for programme_id, programme_role in (wanted or {}).items():
        if programme_role is None:
            after.pop(programme_id, None)
        else:
            after[programme_id] = programme_role
    return after


def _held_roles(user: User) -> dict[int, Role]:
    return {held.programme_id: held.role for held in user.programme_roles}


def _editor_rights(workstreams: Iterable[Workstream], role: Role, roles: Mapping[int, Role]) -> list[Workstream]:
    """Only a lead keeps editor rights: on the workstreams of the programmes they are a lead in."""
    kept = [ws for ws in workstreams if roles.get(ws.programme_id, role) is Role.LEAD]
    return sorted(kept, key=lambda ws: ws.id or 0)


def _set_programme_roles(user: User, roles: Mapping[int, Role]) -> bool:
    """Hold exactly these programme roles, recording each change; return True if any changed."""
    held = {link.programme_id: link for link in user.programme_roles}
    changed = sorted(
        pid for pid in set(held) | set(roles) if (held[pid].role if pid in held else None) is not roles.get(pid)
    )
    names = _programme_names(changed)
    for programme_id in changed:
        before, after = held.get(programme_id), roles.get(programme_id)
        was = before.role.label if before else "same as the installation role"
        becomes = after.label if after else f"same as the installation role ({user.role.label})"
        where = names.get(programme_id, f"programme {programme_id}")
        record_event("role_changed", f"{user.name} <{user.email}> in {where}: {was} → {becomes}")
        if after is None:
            user.programme_roles.remove(held[programme_id])
        elif before is not None:
            before.role = after
        else:
            user.programme_roles.append(ProgrammeRole(programme_id=programme_id, role=after))
    return bool(changed)


def create_user(email: str, details: AccountDetails, password: str | None = None) -> User:
    """Create an account. Without a password, the user sets one through a reset link."""
    email = email.strip().lower()
    if user_by_email(email) is not None:
        raise AccountError(f"There is already an account for {email}", field="email")
    _check_person_free(details.person, None)
    _check_programme_roles(details.programme_roles)
    roles = _roles_after(details.role, {}, details.programme_roles)
    user = User(
        email=email,
        name=details.name.strip(),
        role=details.role,
        person=details.person,
        active=True,
        session_generation=1,
    )
    user.editable_workstreams = _editor_rights(details.workstreams, details.role, roles)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record_event("user_created", f"{user.name} <{user.email}> as {details.role.label}")
    _set_programme_roles(user, roles)
    return user


def invite_user(email: str, details: AccountDetails, acting_user: User | None) -> tuple[User, str]:
    """Create an account without a password; return it with the token of its first-password link."""
    user = create_user(email, details)
    return user, create_reset_link_token(user, acting_user, purpose="invitation")


def update_user(user: User, details: AccountDetails, acting_user: User | None) -> None:
    """Change an account's name, role, plan link, workstream rights and programme roles."""
    name, role, person = details.name.strip(), details.role, details.person
    if acting_user is not None and acting_user.id == user.id and role is not user.role:
        raise AccountError("You cannot change your own role. Ask another admin to do it", field="role")
    _check_person_free(person, user)
    _check_programme_roles(details.programme_roles)
    roles = _roles_after(role, _held_roles(user), details.programme_roles)
    changes = []
    if name != user.name:
        changes.append(f"name '{user.name}' → '{name}'")
        user.name = name
    if person is not user.person:
        changes.append(f"plan link {user.person.name if user.person else 'none'} → {person.name if person else 'none'}")
        user.person = person
    new_workstreams = _editor_rights(details.workstreams, role, roles)
    if {ws.id for ws in new_workstreams} != {ws.id for ws in user.editable_workstreams}:
        changes.append("workstream rights " + (", ".join(ws.ref for ws in new_workstreams) or "none"))
        user.editable_workstreams = new_workstreams
    if role is not user.role:
        _change_role(user, role)
    if _set_programme_roles(user, roles):
        user.end_all_sessions()  # as for the installation role: applies from the next sign-in
    if changes:
        record_event("user_changed", f"{user.name} <{user.email}>: " + "; ".join(changes))


def _change_role(user: User, role: Role) -> None:
    record_event("role_changed", f"{user.name} <{user.email}>: {user.role.label} → {role.label}")
    user.role = role
    user.end_all_sessions()  # a changed role applies from the next sign-in everywhere


def set_role(user: User, role: Role) -> None:
    """Change someone's role (an installation admin holds no programme roles); only a lead keeps workstream rights."""
    if role is not user.role:
        roles = _roles_after(role, _held_roles(user), None)
        _change_role(user, role)
        _set_programme_roles(user, roles)
        user.editable_workstreams = _editor_rights(user.editable_workstreams, role, roles)


def deactivate_user(user: User, acting_user: User | None) -> None:
    """Stop the user signing in and end their sessions; their history stays."""
    if acting_user is not None and acting_user.id == user.id:
        raise AccountError("You cannot deactivate your own account")
    if not user.active:
        return
    user.active = False
    user.deactivated_at = utcnow()
    user.end_all_sessions()
    _use_up_reset_links(user)
    record_event("user_deactivated", f"{user.name} <{user.email}>")


def reactivate_user(user: User) -> None:
    """Let a deactivated user sign in again."""
    if user.active:
        return
    user.active = True
    user.deactivated_at = None
    record_event("user_reactivated", f"{user.name} <{user.email}>")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _use_up_reset_links(user: User) -> None:
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def create_reset_link_token(user: User, acting_user: User | None, purpose: str = "reset") -> str:
    """Return a new one-time token for setting a password; older unused ones stop working.

    A reset (not a first invitation) also ends the user's sessions at once.
    """
    if not user.active:
        raise AccountError("Reactivate the account before resetting its password")
    _use_up_reset_links(user)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user=user,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + RESET_LINK_LIFETIME,
            created_by_id=acting_user.id if acting_user else None,
        )
    )
    if purpose == "reset":
        user.end_all_sessions()
    kind = "reset" if purpose == "reset" else "invitation"
    record_event("password_reset_link", f"{user.name} <{user.email}> ({kind}), valid 24 hours")
    return token


def usable_reset_token(token: str) -> PasswordResetToken | None:
    """Return the stored token if the link is unused, unexpired and its account active."""
    if not token or len(token) > 200:
        return None
    stored = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token)))
    if stored is None or stored.used_at is not None or as_utc(stored.expires_at) <= utcnow():
        return None
    return stored if role_of(stored.user) is not None else None


def set_password_from_link(stored: PasswordResetToken, password: str) -> User:
    """Use up the link and set the password (which ends every session of the user)."""
    set_password(stored.user, password)
    stored.used_at = utcnow()
    record_event("password_reset", f"{stored.user.name} <{stored.user.email}>", user=stored.user)
    return stored.user


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password for a user who knows their current one."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError("Your current password is incorrect", field="current_password")
    set_password(user, new_password)
    record_event("password_changed", f"{user.name} <{user.email}>", user=user)


@dataclass(frozen=True)
class DemoAccount:
    """An account the demo creates, with its demo-only password."""

    email: str
    name: str
    role: Role
    password: str
    person_name: str | None = None

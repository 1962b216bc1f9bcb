"""Accounts and roles. A user may be linked to the Person they are in the plan."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.clock import utcnow
from tracker.core.models import enum_column
from tracker.extensions import Model
from tracker.people.models import Person

if TYPE_CHECKING:  # for the type checker only: the relationship below names Workstream as a string
    from tracker.programme.models import Workstream


class Role(enum.Enum):
    """What a signed-in user may do."""

    ADMIN = "admin"  # programme director / programme office: everything
    LEAD = "lead"  # edits the projects and actions they lead (and workstreams they are editor of)
    VIEWER = "viewer"  # staff: read-only progress pages

    @property
    def label(self) -> str:
        """Return the role's name as the people pages and the audit log show it."""
        return {"admin": "Programme office (admin)", "lead": "Project lead", "viewer": "Viewer"}[self.value]


class User(UserMixin, Model):
    """An account that signs in; linked to the Person it is in the plan, if any."""

    __tablename__ = "user_account"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = enum_column(
        Role,
        "role",
        8,
        default=Role.VIEWER,
    )
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out, password change and deactivation: sessions carrying an older
    # value are refused, which ends every existing session of the user at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The second factor (tracker/auth/two_factor.py): a TOTP secret in base32, kept as it is because
    # checking a code needs the secret itself; set only once a code from the app has confirmed it.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The time-step of the last code accepted: a code of that step or an earlier one is refused,
    # so a code seen over someone's shoulder cannot be used again.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    person: Mapped[Person | None] = relationship()
    # Roles held in particular programmes, in place of `role` there (a lead in one, a viewer in another).
    programme_roles: Mapped[list[ProgrammeRole]] = relationship(cascade="all, delete-orphan")
    # Workstreams a lead may edit whole. Named, not imported: programme sits above auth.
    editable_workstreams: Mapped[list[Workstream]] = relationship("Workstream", secondary="workstream_editor")

    @property
    def is_active(self) -> bool:
        """Flask-Login's question; permission checks ask tracker.auth.permissions.role_of instead."""
        return self.active

    @property
    def has_second_factor(self) -> bool:
        """Say whether sign-in asks this account for a code after the password."""
        return self.totp_secret is not None and self.two_factor_enrolled_at is not None

    @property
    def has_password(self) -> bool:
        """Say whether the owner has set a password (an invitation may be unused)."""
        return bool(self.password_hash)

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session: user id and session generation.

        Bumping session_generation makes every session issued before it unloadable.
        """
        return f"{self.id}:{self.session_generation}"

    def end_all_sessions(self) -> None:
        """Sign the user out everywhere: sessions carrying the old generation are refused."""
        self.session_generation = (self.session_generation or 1) + 1

    def role_in(self, programme_id: int) -> Role:
        """Return the role held in one programme: an installation admin is admin everywhere, else the
        programme's own role for this user, else the user's role. Ask auth.permissions.role_of, which
        also checks the account is signed in and active."""
        if self.role is Role.ADMIN:
            return Role.ADMIN
        return next((held.role for held in self.programme_roles if held.programme_id == programme_id), self.role)


class ProgrammeRole(Model):
    """The role a user holds in one programme, in place of their installation role there.

    A programme's admin runs that programme's structure, settings and KPIs, but not the people or
    the other programmes; only an installation admin (User.role) does that.
    """

    __tablename__ = "programme_role"
    affects_progress_pages = False

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # Named, not imported: programme sits above auth.
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[Role] = enum_column(Role, "role", 8)


class WorkstreamEditor(Model):
    """A lead given editor's rights on a whole workstream (and its sub-workstreams)."""

    __tablename__ = "workstream_editor"
    affects_progress_pages = False

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    workstream_id: Mapped[int] = mapped_column(ForeignKey("workstream.id", ondelete="CASCADE"), primary_key=True)


class LoginAttempt(Model):
    """One sign-in attempt. Kept in the database so throttling holds across gunicorn workers.

    Rows older than a day are pruned; the audit log keeps the lasting record.
    """

    __tablename__ = "login_attempt"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(45), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    # Attempts turned away during a lockout are recorded but do not extend it, so that
    # someone hammering an account cannot keep its owner out for ever.
    refused: Mapped[bool] = mapped_column(default=False)


class PasswordResetToken(Model):
    """A one-time link to set a password; only a hash of the token is stored."""

    __tablename__ = "password_reset_token"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RecoveryCode(Model):
    """A one-time code that stands in for the authenticator app (a lost phone); only its hash is kept."""

    __tablename__ = "recovery_code"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

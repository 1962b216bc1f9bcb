"""Accounts and roles. A user may be linked to the Person they are in the plan."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.programme.models import Person, Workstream, utcnow


class Role(enum.Enum):
    """What a signed-in user may do."""

    ADMIN = "admin"  # programme director / programme office: everything
    LEAD = "lead"  # edits the projects and actions they lead (and workstreams they are editor of)
    VIEWER = "viewer"  # staff: read-only progress pages

    @property
    def label(self) -> str:
        return {"admin": "Programme office (admin)", "lead": "Project lead", "viewer": "Viewer"}[self.value]


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, length=8, values_callable=lambda e: [m.value for m in e],
             validate_strings=True, create_constraint=True),
        default=Role.VIEWER,
    )
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out, password change and deactivation: sessions carrying an older
    # value are refused, which ends every existing session of the user at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person | None] = relationship()
    editable_workstreams: Mapped[list[Workstream]] = relationship(secondary="workstream_editor")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class WorkstreamEditor(db.Model):
    """A lead given editor's rights on a whole workstream (and its sub-workstreams)."""

    __tablename__ = "workstream_editor"
    affects_progress_pages = False

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    workstream_id: Mapped[int] = mapped_column(ForeignKey("workstream.id", ondelete="CASCADE"), primary_key=True)

"""The audit event table. Rows are only ever added: the app has no path that edits or deletes them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db
from tracker.core.clock import utcnow


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # Who did it (None for failed sign-ins by unknown emails and for the command line).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    event: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User | None] = relationship()


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly(f"Audit event {target.id} cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly(f"Audit event {target.id} cannot be deleted")

"""The audit event table. Rows are only ever added: the app has no path that edits or deletes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.clock import utcnow
from tracker.extensions import Model


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


class AuditEvent(Model):
    """One thing someone did (or tried): sign-ins, account and settings changes, imports, structure."""

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


def refuse_rewrites(model: type, refusal: type[Exception], noun: str) -> None:
    """Make the ORM refuse to update or delete rows of model: they are a record, only ever added to."""

    @event.listens_for(model, "before_update")
    def _refuse_update(_mapper: object, _connection: object, target: Any) -> None:
        raise refusal(f"{noun} {target.id} cannot be changed.")

    @event.listens_for(model, "before_delete")
    def _refuse_delete(_mapper: object, _connection: object, target: Any) -> None:
        raise refusal(f"{noun} {target.id} cannot be deleted.")


refuse_rewrites(AuditEvent, AuditLogIsAppendOnly, "Audit event")

"""ChangeRecord: one changed field of one item, written in the same transaction as the change.

History is append-only. No route edits or deletes it, and the ORM refuses to update or
delete a record, so nothing the app does can rewrite what was said to a board.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.audit.models import refuse_rewrites
from tracker.auth.models import User
from tracker.core.clock import utcnow
from tracker.extensions import Model

# Words used in the timeline for each recorded field.
FIELD_LABELS = {
    "created": "Created",
    "archived": "Archived",
    "status": "Status",
    "deadline": "Deadline",
    "start_date": "Start date",
    "target_date": "Target date",
    "completed_on": "Completed date",
    "lead": "Lead",
    "progress_note": "Progress note",
    "progress": "Progress",
    "next_steps": "Next steps",
    "title": "Title",
    "ref": "Reference",
    "description": "Description",
    "deliverables": "Deliverables",
    "impact": "Impact and benefits",
    "workstream": "Workstream",
    "parent": "Parent workstream",
    "project": "Project",
    "reported_separately_by": "Reported separately by",
    "position": "Order",
    # Risks (tracker.risks)
    "mitigation": "Mitigation",
    "owner": "Owner",
    "likelihood_score": "Likelihood",
    "impact_score": "Impact",
    "review_date": "Review date",
    "open_or_closed": "Open or closed",
}

# Fields whose values are dates stored as ISO text, shown as GOV.UK dates.
DATE_FIELDS = frozenset({"deadline", "start_date", "target_date", "completed_on", "review_date"})
# Long text: shown in full as the new value, the old one folded away.
TEXT_FIELDS = frozenset(
    {"progress_note", "progress", "next_steps", "description", "deliverables", "impact", "mitigation"}
)


class HistoryIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove a history record."""


class ChangeRecord(Model):
    """One field of one item changed by one person at one moment, with the reason they gave."""

    __tablename__ = "change_record"
    # History does not change what progress pages show, so it does not invalidate cached roll-ups.
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(20))  # the item's Historied.history_type
    item_id: Mapped[int] = mapped_column()
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The fields saved together share a change set, so the timeline shows one entry per save.
    change_set: Mapped[str] = mapped_column(String(32), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_change_record_item", "item_type", "item_id", "changed_at"),)

    @property
    def field_label(self) -> str:
        """Return the timeline's word for the changed field."""
        return FIELD_LABELS.get(self.field, self.field.replace("_", " ").capitalize())

    @property
    def is_status(self) -> bool:
        """Say whether the values are status words (the timeline shows them as status tags)."""
        return self.field == "status"

    @property
    def is_date(self) -> bool:
        """Say whether the values are ISO dates (the timeline shows them as GOV.UK dates)."""
        return self.field in DATE_FIELDS

    @property
    def is_long_text(self) -> bool:
        """Say whether the values are long text (the timeline folds the old one away)."""
        return self.field in TEXT_FIELDS

    def date_of(self, value: str | None) -> date | None:
        """Return a stored ISO date as a date, or None if it is not one."""
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"<ChangeRecord {self.item_type}:{self.item_id} {self.field} {self.old_value!r} -> {self.new_value!r}>"


refuse_rewrites(ChangeRecord, HistoryIsAppendOnly, "History record")

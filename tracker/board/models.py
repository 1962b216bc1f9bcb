"""The board cycle's records: update rounds and what each lead owes, reminders sent, and frozen boards."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import DDL, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.clock import utcnow
from tracker.core.models import enum_column
from tracker.extensions import Model
from tracker.people.models import Person
from tracker.programme.models import BoardMeeting, Programme


class RoundScope(enum.Enum):
    """Which items a round asks leads to update."""

    OPEN = "open"  # every item not yet complete
    DUE_BEFORE_BOARD = "due"  # open items due on or before the meeting, and those overdue

    @property
    def label(self) -> str:
        return {"open": "Every open item", "due": "Items due before the board, and overdue ones"}[self.value]


class UpdateRound(Model):
    """The call for updates before one board meeting: opened once, it records who owes what."""

    __tablename__ = "update_round"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("board_meeting.id"), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    scope: Mapped[RoundScope] = enum_column(RoundScope, "round_scope", 8)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    meeting: Mapped[BoardMeeting] = relationship()
    programme: Mapped[Programme] = relationship()
    opened_by: Mapped[User | None] = relationship()
    items: Mapped[list[RoundItem]] = relationship(back_populates="round", cascade="all, delete-orphan")


class RoundItem(Model):
    """An item a lead owes an update on in a round ('project' or 'action'), and who led it when the round opened."""

    __tablename__ = "round_item"
    affects_progress_pages = False

    round_id: Mapped[int] = mapped_column(ForeignKey("update_round.id", ondelete="CASCADE"), primary_key=True)
    item_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)

    round: Mapped[UpdateRound] = relationship(back_populates="items")
    lead: Mapped[Person | None] = relationship()


class ReminderSent(Model):
    """A reminder e-mailed to a lead: at most one of each kind per programme, person and day."""

    __tablename__ = "reminder_sent"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("update_round.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # "round" (updates owed) or "overdue" (deadlines passed)
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    email: Mapped[str] = mapped_column(String(254))
    item_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("programme_id", "person_id", "kind", "sent_on", name="uq_reminder_sent_once_a_day"),
    )


class BoardSnapshot(Model):
    """The programme as it stood when a board was frozen: an immutable JSON document, with its checksum.

    It is a copy, so later edits to the live tables never change what a board saw; nothing in the app
    updates a snapshot, and the database refuses to (the triggers below).
    """

    __tablename__ = "board_snapshot"
    affects_progress_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("board_meeting.id"), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    position_as_at: Mapped[date] = mapped_column(Date)
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Kept even if the account goes: "Pat Director" or "the command line".
    frozen_by_name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # JSON, see board.snapshots for its shape
    content_sha256: Mapped[str] = mapped_column(String(64))

    meeting: Mapped[BoardMeeting] = relationship()


# The database itself refuses to change a frozen board (SQLite and PostgreSQL). Deleting one is left
# to the database's owner (tests empty every table between cases); the app never deletes one.
IMMUTABLE_MESSAGE = "A frozen board snapshot cannot be changed"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER board_snapshot_no_update BEFORE UPDATE ON board_snapshot "
    f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}'); END",
]
POSTGRESQL_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION board_snapshot_immutable() RETURNS trigger AS $$ "
    f"BEGIN RAISE EXCEPTION '{IMMUTABLE_MESSAGE}'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER board_snapshot_no_update BEFORE UPDATE ON board_snapshot "
    "FOR EACH ROW EXECUTE FUNCTION board_snapshot_immutable()",
]
for statement in SQLITE_TRIGGERS:
    event.listen(BoardSnapshot.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
for statement in POSTGRESQL_TRIGGERS:
    event.listen(BoardSnapshot.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql"))

"""Write and read item history. Writers call record_changes inside the transaction of the change.

Any model that declares ``history_type`` (the ``Historied`` mixin of tracker.core.models) can be
recorded: history names no model of the domains above it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import joinedload

from tracker.core.clock import as_utc
from tracker.core.models import Historied
from tracker.extensions import db
from tracker.history.models import ChangeRecord

UK_TIME = ZoneInfo("Europe/London")


def history_text(value: object) -> str | None:
    """Return how a value is kept in history: dates as ISO, statuses as their word, items by ref, people by name."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    for attribute in ("ref", "name"):  # a workstream or project by its ref, a person by name
        label = getattr(value, attribute, None)
        if label:
            return str(label)
    return str(value)


@dataclass
class FieldChange:
    """One field of a save: its old and new values, and the reason given (if any)."""

    field: str
    old: object
    new: object
    note: str = ""


def _records_of(item: Historied) -> ColumnElement[bool]:
    return (ChangeRecord.item_type == item.history_type) & (ChangeRecord.item_id == item.id)


def record_changes(item: Historied, changes: list[FieldChange], user: object) -> list[ChangeRecord]:
    """Add one history record per changed field, grouped as one save; the caller commits."""
    change_set = uuid.uuid4().hex
    records = [
        ChangeRecord(
            item_type=item.history_type,
            item_id=item.id,
            field=change.field,
            old_value=history_text(change.old),
            new_value=history_text(change.new),
            note=change.note.strip(),
            user_id=getattr(user, "id", None),
            change_set=change_set,
        )
        for change in changes
    ]
    db.session.add_all(records)
    return records


def has_history(item: Historied) -> bool:
    """Return True once anything about the item has been changed through the app."""
    return bool(db.session.scalar(select(exists().where(_records_of(item)))))


@dataclass
class TimelineEntry:
    """One save: who made it, when, and the fields it changed."""

    change_set: str
    changed_at: datetime
    user_name: str
    records: list[ChangeRecord] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """Return what the save did, in a few words: 'Status and deadline changed'."""
        fields = [record.field for record in self.records]
        if fields == ["archived"]:
            return "Archived"
        labels = [record.field_label for record in self.records if record.field != "archived"]
        labels = [labels[0]] + [label[0].lower() + label[1:] for label in labels[1:]]
        joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        return f"{joined} changed"

    @property
    def local_time(self) -> datetime:
        """Return when the save was made, in UK time."""
        return as_utc(self.changed_at).astimezone(UK_TIME)


def timeline(item: Historied, limit: int | None = None) -> list[TimelineEntry]:
    """Return the item's saves, newest first, in one query."""
    query = (
        select(ChangeRecord)
        .where(_records_of(item))
        .options(joinedload(ChangeRecord.user))
        .order_by(ChangeRecord.changed_at.desc(), ChangeRecord.id.desc())
    )
    entries: dict[str, TimelineEntry] = {}
    for record in db.session.scalars(query):
        entry = entries.get(record.change_set)
        if entry is None:
            if limit is not None and len(entries) >= limit:
                break
            name = record.user.name if record.user else "The system"
            entry = entries[record.change_set] = TimelineEntry(record.change_set, record.changed_at, name)
        entry.records.append(record)
    for entry in entries.values():
        entry.records.sort(key=lambda r: r.id)
    return list(entries.values())


def latest_save(item: Historied) -> TimelineEntry | None:
    """Return the most recent save of the item, for the conflict page's 'who and when'."""
    entries = timeline(item, limit=1)
    return entries[0] if entries else None

"""Model mixins every domain shares: human refs that sort naturally, archiving, history."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates


def enum_column(enum_class: type[enum.Enum], name: str, length: int, **kwargs: Any) -> Any:
    """Return a column storing an enum as its lowercase word with a named CHECK (portable to any database)."""
    return mapped_column(
        Enum(
            enum_class,
            name=name,
            native_enum=False,
            length=length,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            create_constraint=True,
        ),
        **kwargs,
    )


def natural_sort_key(ref: str) -> str:
    """Return a key that sorts refs as people read them: A2 before A10, E2.9 before E2.14."""
    return re.sub(r"\d+", lambda match: match.group().zfill(6), ref.upper())


class RefMixin:
    """A human reference such as 'A10' or 'E2.14.2', with a natural sort key kept beside it."""

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    ref_sort: Mapped[str] = mapped_column(String(80), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    @validates("ref")
    def _keep_sort_key(self, _key: str, ref: str) -> str:
        ref = ref.strip()
        self.ref_sort = natural_sort_key(ref)
        return ref


class ArchivedMixin:
    """Items are archived, never deleted once they have a history: boards must read the past."""

    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Historied:
    """A model whose changes are kept in the history; it names itself for the history table.

    The history package records any model that declares ``history_type``; there is no list of
    them anywhere else.
    """

    history_type: ClassVar[str]
    id: Mapped[int]

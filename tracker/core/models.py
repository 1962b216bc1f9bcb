"""Model mixins every domain shares: human refs that sort naturally, archiving, history.

``natural_sort_key`` is re-exported from ``tracker.core.refs`` for the models that keep their own ref.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import DateTime, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from tracker.core.refs import MAX_REF, natural_sort_key, normalise_ref, ref_slug


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


class RefKeys:
    """Keep a model's ref tidy and its sort key and slug in step with it (the model declares the columns)."""

    if TYPE_CHECKING:  # declared as columns by each model; named here for the type checker only
        ref_sort: Mapped[str]
        slug: Mapped[str]

    @validates("ref")
    def _keep_sort_key_and_slug(self, _key: str, ref: str) -> str:
        ref = normalise_ref(ref)
        self.ref_sort = natural_sort_key(ref)
        self.slug = ref_slug(ref)
        return ref


class RefMixin(RefKeys):
    """A human reference such as 'A10' or 'KPI 12', with its natural sort key and web-address slug beside it.

    Refs are unique within whatever scopes them (a programme): each model names that constraint.
    """

    ref: Mapped[str] = mapped_column(String(MAX_REF))
    ref_sort: Mapped[str] = mapped_column(String(120), index=True)
    slug: Mapped[str] = mapped_column(String(MAX_REF))
    position: Mapped[int] = mapped_column(Integer, default=0)


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


__all__ = ["ArchivedMixin", "Historied", "RefKeys", "RefMixin", "enum_column", "natural_sort_key"]

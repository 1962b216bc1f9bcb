"""Keep Programme.data_version moving with every write, so cached roll-ups never go stale.

Every ORM flush that touches programme data bumps the counter inside the same transaction.
Readers key their caches by (data_version, today): a reader either sees the old data with the
old version or the new data with the new one, never new data with an old cached summary.
Models that do not feed progress pages (sign-in records, audit events) opt out with
``affects_progress_pages = False``. Bulk Core writes must call ``bump_data_version`` themselves.

A write moves only the counter of the programme it lands in, so one programme's busy board week
does not empty the caches of the others. Where a flush cannot tell which programme a row belongs to
without asking the database (a person's name is shown by every programme), every counter moves:
old-but-never-wrong holds either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session, scoped_session


def version_key(kind: str, programme: Any, *parts: object) -> str:
    """Return a cache key for something drawn from one programme's data as it stands now.

    Every programme has its own counter, so the key names the programme as well as its version.
    """
    return ":".join([kind, str(programme.id), str(programme.data_version), *(str(part) for part in parts)])


def bump_data_version(session: Session | scoped_session[Any], programme_ids: Iterable[int] | None = None) -> None:
    """Mark programme data as changed within the session's current transaction: the programmes named,
    or every programme when the write cannot be placed in one (a lead's name, say, shows everywhere)."""
    from tracker.programme.models import Programme

    statement = update(Programme).values(data_version=Programme.data_version + 1)
    if programme_ids is not None:
        statement = statement.where(Programme.id.in_(sorted(set(programme_ids))))
    # Core UPDATE on the session's connection: no ORM flush recursion, same transaction.
    session.connection().execute(statement)


# Relationships through which a new row knows its programme before it is flushed.
_PARENTS = ("programme", "project", "workstream", "parent", "kpi")


def _programme_of(obj: Any, depth: int = 0) -> int | None:
    """The programme a changed row belongs to, when the row (or a parent already in memory) says so
    without a query; else None (unknown)."""
    programme_id = getattr(obj, "programme_id", None)
    if isinstance(programme_id, int):
        return programme_id
    if isinstance(obj, _programme_class()):
        own_id = getattr(obj, "id", None)
        return own_id if isinstance(own_id, int) else None
    for name in _PARENTS if depth < 3 else ():
        parent = obj.__dict__.get(name)
        if parent is not None:
            found = _programme_of(parent, depth + 1)
            if found is not None:
                return found
    return None


def _programme_class() -> type:
    from tracker.programme.models import Programme

    return Programme


def _touched_programmes(session: Session) -> set[int] | None:
    """The programmes whose pages this flush changes: an empty set for none, None for "can't tell: all"."""
    from tracker.programme.models import Programme

    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not getattr(type(obj), "affects_progress_pages", True):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=True):
            continue
        if isinstance(obj, Programme) and obj not in session.new:
            # The programme's own row: bump through its UPDATE rather than beside it.
            obj.data_version = Programme.data_version + 1
            continue
        programme_id = _programme_of(obj)
        if programme_id is None:
            return None
        touched.add(programme_id)
    return touched


def _bump_on_flush(session: Session, _flush_context, _instances) -> None:
    touched = _touched_programmes(session)
    if touched is None:
        bump_data_version(session)
    elif touched:
        bump_data_version(session, touched)


def listen() -> None:
    """Bump the data version on every flush that touches programme data (once per process)."""
    if not event.contains(Session, "before_flush", _bump_on_flush):
        event.listen(Session, "before_flush", _bump_on_flush)

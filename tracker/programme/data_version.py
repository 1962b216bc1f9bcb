"""Keep Programme.data_version moving with every write, so cached roll-ups never go stale.

Every ORM flush that touches programme data bumps the counter inside the same transaction.
Readers key their caches by (data_version, today): a reader either sees the old data with the
old version or the new data with the new one, never new data with an old cached summary.
Models that do not feed progress pages (sign-in records, audit events) opt out with
``affects_progress_pages = False``. Bulk Core writes must call ``bump_data_version`` themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session, scoped_session


def version_key(kind: str, programme: Any, *parts: object) -> str:
    """Return a cache key for something drawn from one programme's data as it stands now.

    Every programme has its own counter, so the key names the programme as well as its version.
    """
    return ":".join([kind, str(programme.id), str(programme.data_version), *(str(part) for part in parts)])


def bump_data_version(session: Session | scoped_session[Any]) -> None:
    """Mark programme data as changed within the session's current transaction."""
    from tracker.programme.models import Programme

    # Core UPDATE on the session's connection: no ORM flush recursion, same transaction.
    session.connection().execute(update(Programme).values(data_version=Programme.data_version + 1))


def _touches_progress_data(session: Session) -> bool:
    from tracker.programme.models import Programme

    for obj in (*session.new, *session.dirty, *session.deleted):
        if not getattr(type(obj), "affects_progress_pages", True):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=True):
            continue
        if isinstance(obj, Programme) and obj not in session.new:
            # The programme's own row: bump through its UPDATE rather than beside it.
            obj.data_version = Programme.data_version + 1
            continue
        return True
    return False


def _bump_on_flush(session: Session, _flush_context, _instances) -> None:
    if _touches_progress_data(session):
        bump_data_version(session)


def listen() -> None:
    """Bump the data version on every flush that touches programme data (once per process)."""
    if not event.contains(Session, "before_flush", _bump_on_flush):
        event.listen(Session, "before_flush", _bump_on_flush)

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

from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session, scoped_session


def version_key(kind: str, programme: Any, *parts: object) -> str:
    """Return a cache key for something drawn from one programme's data as it stands now.

    Every programme has its own counter, so the key names the programme as well as its version.
    """
    return ":".join([kind, str(programme.id), str(programme.data_version), *(str(part) for part in parts)])


# Journal entries are kept for this many versions of a programme; a reader further behind rebuilds.
JOURNAL_VERSIONS_KEPT = 256

# What a journal entry says when it cannot name one item: anything in the programme may have changed.
ANYTHING = None


def bump_data_version(
    session: Session | scoped_session[Any],
    programme_ids: Iterable[int] | None = None,
    items: dict[int, set[tuple[str, int]] | None] | None = None,
) -> None:
    """Mark programme data as changed within the session's current transaction: the programmes named,
    or every programme when the write cannot be placed in one (a lead's name, say, shows everywhere).

    Each new version is journalled in the same transaction: the items named in ``items`` (by programme;
    journal kind and id), or "anything" for a programme without a list there.
    """
    from tracker.programme.models import Programme

    statement = update(Programme).values(data_version=Programme.data_version + 1)
    if programme_ids is not None:
        statement = statement.where(Programme.id.in_(sorted(set(programme_ids))))
    # Core UPDATE on the session's connection: no ORM flush recursion, same transaction. The row stays
    # locked until commit, so versions are journalled in the order they become visible.
    connection = session.connection()
    bumped = connection.execute(statement.returning(Programme.id, Programme.data_version)).all()
    _journal(connection, [(programme_id, version, (items or {}).get(programme_id)) for programme_id, version in bumped])


def _journal(connection: Any, versions: list[tuple[int, int, set[tuple[str, int]] | None]]) -> None:
    """Write the journal entries of new versions, and drop a programme's entries that fell out of the kept range."""
    from tracker.programme.models import ProgrammeChange

    entries = [
        {"programme_id": programme_id, "version": version, "item_type": kind, "item_id": item_id}
        for programme_id, version, items in versions
        for kind, item_id in (sorted(items) if items else [(ANYTHING, None)])
    ]
    if entries:
        connection.execute(insert(ProgrammeChange), entries)
    for programme_id, version, _items in versions:
        if version % JOURNAL_VERSIONS_KEPT == 0:  # now and then, not on every write
            connection.execute(
                delete(ProgrammeChange).where(
                    ProgrammeChange.programme_id == programme_id,
                    ProgrammeChange.version <= version - JOURNAL_VERSIONS_KEPT,
                )
            )


def changes_since(programme: Any, version: int) -> dict[str, set[int]] | None:
    """Return the items changed in the programme after ``version`` up to its current one, by journal kind
    (one statement); None when the journal cannot say (an entry for anything, or versions missing).

    Later versions committed meanwhile may be included: re-reading an item twice does no harm.
    """
    from tracker.programme.models import ProgrammeChange

    current = programme.data_version
    if version > current:
        return None
    from tracker.extensions import db

    journal = select(ProgrammeChange.version, ProgrammeChange.item_type, ProgrammeChange.item_id).where(
        ProgrammeChange.programme_id == programme.id, ProgrammeChange.version > version
    )
    rows = db.session.connection().execute(journal).all()
    changed: dict[str, set[int]] = {}
    for _version, kind, item_id in rows:
        if kind is ANYTHING or item_id is None:
            return None
        changed.setdefault(kind, set()).add(item_id)
    if not set(range(version + 1, current + 1)) <= {row[0] for row in rows}:
        return None  # a version with no entry: journalled before this table existed, or pruned
    return changed


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


def _journal_item(obj: Any, session: Session) -> tuple[str, int] | None:
    """The journal entry for one changed row: its kind and id when readers can re-read that item alone
    (an existing project or action that stayed under its parent), else None: anything may have changed.

    A move to another parent is "anything": readers place an entry by the item's parent as it is now,
    so the scope it left would not hear of it.
    """
    kind = getattr(type(obj), "change_journal_kind", None)
    item_id = getattr(obj, "id", None)
    if kind is None or obj in session.new or obj in session.deleted or not isinstance(item_id, int):
        return None
    state = inspect(obj)
    if any(state.attrs[name].history.has_changes() for name in type(obj).change_journal_parent):
        return None
    return (kind, item_id)


def _touched_programmes(session: Session) -> dict[int, set[tuple[str, int]] | None] | None:
    """The programmes whose pages this flush changes, each with the items it touched (None: anything);
    an empty dict for none, None for "can't tell which programme: all"."""
    from tracker.programme.models import Programme

    touched: dict[int, set[tuple[str, int]] | None] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not getattr(type(obj), "affects_progress_pages", True):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=True):
            continue
        if isinstance(obj, Programme) and obj not in session.new:
            continue  # the programme's own row: bumped through its own UPDATE, after the others (below)
        programme_id = _programme_of(obj)
        if programme_id is None:
            return None
        item = _journal_item(obj, session)
        items = touched.setdefault(programme_id, set())
        if item is None or items is None:
            touched[programme_id] = None
        else:
            items.add(item)
    return touched


def _programme_rows_changed(session: Session) -> list[Any]:
    """The existing programmes whose own row this flush changes (a setting, not their items)."""
    from tracker.programme.models import Programme

    return [
        obj
        for obj in session.dirty
        if isinstance(obj, Programme) and session.is_modified(obj, include_collections=True)
    ]


def _bump_on_flush(session: Session, _flush_context, _instances) -> None:
    from tracker.programme.models import Programme, ProgrammeChange

    touched = _touched_programmes(session)
    if touched is None:
        bump_data_version(session)
    elif touched:
        bump_data_version(session, touched.keys(), touched)
    for programme in _programme_rows_changed(session):
        # Bumped through the row's own UPDATE rather than beside it; journalled first, as the version that
        # UPDATE will make (should another writer take that number first, the journal has a gap or a
        # second "anything" there, and readers rebuild: never a wrong patch).
        programme.data_version = Programme.data_version + 1
        journal_version = select(Programme.data_version + 1).where(Programme.id == programme.id).scalar_subquery()
        session.connection().execute(
            insert(ProgrammeChange).values(programme_id=programme.id, version=journal_version, item_type=ANYTHING)
        )


def listen() -> None:
    """Bump the data version on every flush that touches programme data (once per process)."""
    if not event.contains(Session, "before_flush", _bump_on_flush):
        event.listen(Session, "before_flush", _bump_on_flush)

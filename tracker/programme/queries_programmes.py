"""Reads of the programmes themselves, for the command line and (later) a choice of programme.

An installation holds one programme for now; the commands name it with ``--programme SHORT``,
which may be left out while there is only one.
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.programme.models import Programme


def all_programmes() -> list[Programme]:
    """Return every programme, oldest first."""
    return list(db.session.scalars(select(Programme).order_by(Programme.id)))


def programme_by_short_name(short_name: str) -> Programme:
    """Return the programme with this short name; NotFound naming the ones there are otherwise."""
    programme = db.session.scalars(select(Programme).where(Programme.short_name == short_name.strip())).first()
    if programme is None:
        names = ", ".join(p.short_name for p in all_programmes()) or "none has been set up yet"
        raise NotFound(f"There is no programme with the short name {short_name} (programmes: {names}).")
    return programme


def chosen_programme(short_name: str | None) -> Programme | None:
    """Return the programme named, or the only one when none is named; None on an empty installation."""
    if short_name:
        return programme_by_short_name(short_name)
    programmes = all_programmes()
    if len(programmes) > 1:
        names = ", ".join(p.short_name for p in programmes)
        raise NotFound(f"There is more than one programme: name one with --programme ({names}).")
    return programmes[0] if programmes else None

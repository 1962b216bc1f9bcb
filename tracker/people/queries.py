"""Reads of the people named in the plan."""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.people.models import Person


def person_named(name: str) -> Person | None:
    """Return the person with exactly this name in the plan, or None."""
    return db.session.scalar(select(Person).where(Person.name == name))


def people_by_name() -> list[Person]:
    """Return everyone named in the plan, in name order."""
    return list(db.session.scalars(select(Person).order_by(Person.name)))

"""Reads for the people pages: one account, the list of accounts, and what the user form offers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.people.models import Person
from tracker.people.queries import people_by_name

# The one import from a layer above auth: a lead can be made editor of whole workstreams, so the
# user form lists the programme's open workstreams. Everything else in auth names no programme model.
from tracker.programme.models import Workstream


def user_by_id(user_id: int) -> User:
    """Return the account with this id, or refuse with NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    return user


def accounts() -> list[User]:
    """Return every account, active ones first, by name, with their plan link loaded."""
    query = select(User).options(selectinload(User.person)).order_by(User.active.desc(), User.name)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class UserFormOptions:
    """The plan's people and the open workstreams the user form offers, keyed as the form posts them."""

    people: dict[str, Person]
    workstreams: dict[str, Workstream]

    def person(self, key: str | None) -> Person | None:
        """Return the person chosen on the form, or None for "not linked"."""
        return self.people.get(key or "")

    def chosen_workstreams(self, keys: Iterable[str] | None) -> list[Workstream]:
        """Return the workstreams ticked on the form, in the order offered."""
        ticked = set(keys or ())
        return [workstream for key, workstream in self.workstreams.items() if key in ticked]


def user_form_options() -> UserFormOptions:
    """Return what the user form offers: everyone in the plan, and the workstreams not archived."""
    open_workstreams = select(Workstream).where(Workstream.archived_at.is_(None)).order_by(Workstream.ref_sort)
    return UserFormOptions(
        people={str(person.id): person for person in people_by_name()},
        workstreams={str(ws.id): ws for ws in db.session.scalars(open_workstreams)},
    )

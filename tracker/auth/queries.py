"""Reads for the people pages: one account, the list of accounts, and what the user form offers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Role, User
from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.people.models import Person
from tracker.people.queries import people_by_name

# The one module of auth that imports from a layer above it: the user form offers the programmes
# (a role in each) and their open workstreams (a lead's editor rights). Everything else in auth
# names no programme model.
from tracker.programme.models import Programme, Workstream


def user_by_id(user_id: int) -> User:
    """Return the account with this id, or refuse with NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    return user


def accounts() -> list[User]:
    """Return every account, active ones first, by name, with their plan link and programme roles loaded."""
    query = (
        select(User)
        .options(selectinload(User.person), selectinload(User.programme_roles))
        .order_by(User.active.desc(), User.name)
    )
    return list(db.session.scalars(query))


def programme_names() -> dict[int, str]:
    """Return every programme's name by its id, in the order of their names."""
    rows = db.session.execute(select(Programme.id, Programme.name).order_by(Programme.name, Programme.id))
    return dict(rows.all())


def programme_id_by_short_name(short_name: str) -> int | None:
    """Return the id of the programme with this short name, or None."""
    return db.session.scalar(select(Programme.id).where(Programme.short_name == short_name.strip().lower()))


def role_summary(user: User, names: Mapping[int, str]) -> str:
    """Return the account's role as the people list shows it, with each programme where it differs.

    For example "Project lead; Viewer in Education". An installation admin is admin everywhere.
    """
    differing = {held.programme_id: held.role for held in user.programme_roles if held.role is not user.role}
    parts = [user.role.label]
    if user.role is not Role.ADMIN:
        parts += [f"{differing[pid].label} in {name}" for pid, name in names.items() if pid in differing]
    return "; ".join(parts)


@dataclass(frozen=True)
class UserFormOptions:
    """The plan's people, the programmes and their open workstreams the user form offers, keyed as it posts them."""

    people: dict[str, Person]
    workstreams: dict[str, Workstream]
    programmes: dict[str, Programme]

    def person(self, key: str | None) -> Person | None:
        """Return the person chosen on the form, or None for "not linked"."""
        return self.people.get(key or "")

    def chosen_workstreams(self, keys: Iterable[str] | None) -> list[Workstream]:
        """Return the workstreams ticked on the form, in the order offered."""
        ticked = set(keys or ())
        return [workstream for key, workstream in self.workstreams.items() if key in ticked]

    def workstream_label(self, workstream: Workstream) -> str:
        """Return how the form lists a workstream: with its programme's name when there are several."""
        label = f"{workstream.ref}: {workstream.title}"
        return f"{label} ({workstream.programme.name})" if len(self.programmes) > 1 else label


def user_form_options() -> UserFormOptions:
    """Return what the user form offers: everyone in the plan, the programmes, and the workstreams not archived."""
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.name, Programme.id)))
    order = {programme.id: position for position, programme in enumerate(programmes)}
    open_workstreams = db.session.scalars(
        select(Workstream).where(Workstream.archived_at.is_(None)).order_by(Workstream.ref_sort, Workstream.id)
    )
    # Grouped by programme, in the order the programmes are listed; by ref within each.
    by_programme = sorted(open_workstreams, key=lambda ws: order.get(ws.programme_id, len(order)))
    return UserFormOptions(
        people={str(person.id): person for person in people_by_name()},
        workstreams={str(ws.id): ws for ws in by_programme},
        programmes={str(programme.id): programme for programme in programmes},
    )

"""Small builders for test data; each returns a flushed model with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select

from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.status import Ambition, Status

_sequence = itertools.count(1)


# Tests address pages of the first programme as /p/test/...; any further one gets a short name of its own.
TEST_PROGRAMME = "test"


def make_programme(**fields) -> Programme:
    taken = db.session.scalar(select(Programme.id).where(Programme.short_name == TEST_PROGRAMME)) is not None
    defaults = {
        "name": "Test improvement programme",
        "short_name": f"test-{next(_sequence)}" if taken else TEST_PROGRAMME,
        "vision": "Children thrive.",
        "board_name": "Improvement Board",
        "board_cycle_weeks": 6,
        "reference_board_date": date(2026, 11, 13),
    }
    programme = Programme(**{**defaults, **fields})
    db.session.add(programme)
    db.session.flush()
    return programme


def make_person(**fields) -> Person:
    n = next(_sequence)
    person = Person(**{"name": f"Assistant Director {n}", "job_title": "Assistant Director", **fields})
    db.session.add(person)
    db.session.flush()
    return person


def test_programme() -> Programme:
    """Return the programme test items belong to unless a test names another: the first one, made if need be."""
    return db.session.scalars(select(Programme).order_by(Programme.id).limit(1)).first() or make_programme()


test_programme.__test__ = False  # type: ignore[attr-defined]  # a builder, not a test, wherever it is imported


def make_workstream(ref: str | None = None, **fields) -> Workstream:
    ref = ref or f"W{next(_sequence)}"
    parent = fields.get("parent")
    fields.setdefault("programme", parent.programme if parent is not None else test_programme())
    workstream = Workstream(**{"ref": ref, "title": f"Workstream {ref}", **fields})
    db.session.add(workstream)
    db.session.flush()
    return workstream


def make_project(workstream: Workstream, ref: str | None = None, ambitions=(), **fields) -> Project:
    ref = ref or f"{workstream.ref}{next(_sequence)}"
    fields.setdefault("lead", None)
    project = Project(
        **{
            "ref": ref,
            "workstream": workstream,
            "title": f"Project {ref}",
            "status": Status.AMBER,
            "target_date": date(2027, 3, 31),
            **fields,
        }
    )
    project.ambitions = [Ambition(a) if isinstance(a, str) else a for a in ambitions]
    db.session.add(project)
    db.session.flush()
    return project


def make_action(project: Project, ref: str | None = None, **fields) -> Action:
    ref = ref or f"{project.ref}.{next(_sequence)}"
    status = fields.pop("status", Status.AMBER)
    if status.is_complete:
        fields.setdefault("completed_on", date(2026, 10, 1))
    action = Action(
        **{
            "ref": ref,
            "project": project,
            "title": f"Action {ref}",
            "status": status,
            "start_date": date(2026, 1, 1),
            "deadline": date(2027, 1, 31),
            "lead": project.lead,
            **fields,
        }
    )
    db.session.add(action)
    db.session.flush()
    return action


def make_actions(project: Project, count: int, **fields) -> list[Action]:
    return [make_action(project, **fields) for _ in range(count)]


def days_from(base: date, days: int) -> date:
    return base + timedelta(days=days)


DEFAULT_TEST_PASSWORD = "correct horse battery staple"


def make_user(role="viewer", person: Person | None = None, password: str = DEFAULT_TEST_PASSWORD, **fields):
    """Create an account (hashed with the cheap test hash). role: Role or "admin"/"lead"/"viewer"."""
    from tracker.auth.models import Role, User
    from tracker.auth.passwords import hash_password

    n = next(_sequence)
    role = Role(role) if isinstance(role, str) else role
    user = User(
        **{
            "email": f"user{n}@council.example.gov.uk",
            "name": f"Test {role.value} {n}",
            "role": role,
            "person": person,
            "password_hash": hash_password(password),
            "active": True,
            "session_generation": 1,
            **fields,
        }
    )
    db.session.add(user)
    db.session.flush()
    return user

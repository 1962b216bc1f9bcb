"""Fixtures for the plan import tests: the programme files go into, and a row count of everything an import writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import make_programme
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.people.models import Person
from tracker.programme.models import Action, Programme, Project, ProjectAmbition, Workstream

WRITTEN = (Programme, Workstream, Project, Action, ProjectAmbition, Person, ChangeRecord, AuditEvent)


@pytest.fixture
def programme(app):
    programme = make_programme()
    db.session.commit()
    return programme


@pytest.fixture(autouse=True)
def _uploads_cleared(app):
    """Leave no upload behind in the test instance folder."""
    yield
    for path in (Path(app.instance_path) / "imports").glob("*"):
        path.unlink(missing_ok=True)


def row_counts() -> dict[str, int]:
    """Return how many rows each table an import writes holds."""
    db.session.expire_all()
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in WRITTEN}

"""A small programme to read through the API, and tokens to read it with."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_action, make_person, make_programme, make_project, make_workstream
from tests.kpis.factories import make_kpi, make_value
from tracker.api.tokens import create_token
from tracker.extensions import db
from tracker.programme.models import BoardMeeting
from tracker.programme.status import Status


def build_programme(actions_per_project: int = 3, projects: int = 2):
    """Make programme "children" (the API document's example) with a sub-workstream, projects and actions.

    Actions are of mixed status, lead and deadline; there is a KPI with a value and a board meeting.
    """
    programme = make_programme(short_name="children", name="Children's services improvement")
    sam = make_person(name="Robin Lead")
    alex = make_person(name="Alex Other")
    parent = make_workstream("W", title="Children's services")
    child = make_workstream("W1", title="Early help", parent=parent)
    statuses = [Status.RED, Status.AMBER, Status.GREEN, Status.GREY, Status.BLUE]
    n = 0
    for p in range(projects):
        project = make_project(child if p % 2 else parent, f"P{p + 1}", lead=sam, status=Status.AMBER)
        for a in range(actions_per_project):
            n += 1
            make_action(
                project,
                f"P{p + 1}.{a + 1}",
                lead=sam if a % 2 == 0 else alex,
                status=statuses[n % len(statuses)],
                deadline=date(2026, 11, 1) if n % 3 == 0 else date(2026, 12, 4) if n % 3 == 1 else date(2027, 6, 1),
            )
    kpi = make_kpi("K1", target=65, tolerance_low=60, owner=sam, workstreams=[parent])
    make_value(kpi, date(2022, 9, 30), 63, "Q2 2022/23")
    db.session.add(
        BoardMeeting(programme_id=programme.id, meets_on=date(2026, 12, 11), update_deadline=date(2026, 12, 4))
    )
    db.session.commit()
    return programme


@pytest.fixture
def programme(app):
    return build_programme()


@pytest.fixture
def token_for(app):
    """Return a function: token_for(user, days=90) -> the secret of a new token of theirs."""

    def make(user, days: int = 90, name: str = "Power BI") -> str:
        secret = create_token(user, name, days).secret
        db.session.commit()
        return secret

    return make


@pytest.fixture
def viewer_token(viewer_user, token_for) -> str:
    return token_for(viewer_user)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def get(client, viewer_token):
    """GET an API address with the viewer's token."""

    def run(url: str, **headers):
        return client.get(url, headers={**bearer(viewer_token), **headers})

    return run

"""Every cached page shows a write on the next request, in every scope, and a write costs only what it touches.

The overview and action list are cached per programme data version; workstream, project and action pages
per version of their scope (``tracker.programme.scopes``). These tests read each page through an app whose
cache has seen every earlier write, and compare it with the same page from an app with an empty cache:
with the cache in the worker, and shared in Redis as production runs it.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import TODAY, StatementCounter, make_test_config, require_redis, sign_in
from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tests.kpis.factories import make_kpi, make_value
from tracker import create_app
from tracker.core.cache import get_cache
from tracker.core.errors import InvalidChange
from tracker.extensions import db
from tracker.programme.models import Action, Project, Workstream
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, ProjectUpdate, update_action, update_project

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(params=["worker cache", "Redis"])
def cached_app(request, app, database_url):
    """A second app on the same database whose cache keeps what it saw: in the worker, or in Redis."""
    settings = {}
    if request.param == "Redis":
        require_redis(REDIS_URL)
        settings = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}:"}
    return create_app(make_test_config(database_url, **settings))


def _world() -> dict:
    """Two top-level workstreams (one with a sub-workstream), three projects, a few actions each, a KPI."""
    make_programme()
    lead = make_person(name="Robin Lead")
    a = make_workstream("A", title="Children")
    a1 = make_workstream("A.1", parent=a, title="Early help")
    b = make_workstream("B", title="Adults")
    projects = [make_project(ws, ref, lead=lead, status=Status.AMBER) for ws, ref in ((a, "A1"), (a1, "A9"), (b, "B1"))]
    for project in projects:
        for n in (1, 2, 3):
            make_action(project, f"{project.ref}.{n}", lead=lead, deadline=TODAY + timedelta(days=30 * n))
    kpi = make_kpi("KPI 1", target=65, tolerance_low=60, owner=lead, workstreams=[a])
    make_value(kpi, date(2026, 9, 30), 61, "Q2 2026")
    admin = make_user("admin", name="Pat Director", email="pat@council.example.gov.uk")
    viewer = make_user("viewer", name="Val Viewer", email="val@council.example.gov.uk")
    db.session.commit()
    return {"lead": lead, "kpi": kpi, "admin": admin, "viewer": viewer, "workstreams": [a, a1, b]}


PAGES = [
    "/p/test/",
    "/p/test/workstreams/A",
    "/p/test/workstreams/A.1",
    "/p/test/workstreams/B",
    "/p/test/projects/A1",
    "/p/test/projects/A9",
    "/p/test/projects/B1",
    "/p/test/actions/A1.1",
    "/p/test/actions/A9.2",
    "/p/test/actions/B1.3",
    "/p/test/actions?workstream=B",
    "/p/test/kpis",
    "/p/test/kpis/kpi-1",
]


def _signed_in(app, user):
    """A client of the other app, signed in there (its requests run in their own app context)."""
    db.session.commit()  # the test's own writes, visible to the other app's session
    client = app.test_client()
    with app.app_context():
        assert sign_in(client, user).status_code == 302
    return client


def _page(client, url: str) -> str:
    """The page's HTML, without its CSRF tokens (each session has its own; they are not data)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r'(name="csrf_token"\s+value=")[^"]*', r"\1", response.get_data(as_text=True))


def _fresh(app, client, url: str) -> str:
    """The page from an app whose cache is emptied first: what reading the database now gives."""
    with app.app_context():
        get_cache().clear()
    return _page(client, url)


WRITES = ["action update"] * 3 + ["project update", "move", "new action", "lead renamed", "renamed", "KPI value"]


def _write(rng: random.Random, world: dict, step: int) -> str:
    """Make one random write of the kinds leads and the programme office make; return what it was."""
    actions = list(db.session.scalars(select(Action).where(Action.archived_at.is_(None))))
    projects = list(db.session.scalars(select(Project)))
    action, project = rng.choice(actions), rng.choice(projects)
    admin = world["admin"]
    choice = rng.randrange(9)
    try:
        if choice <= 2:
            status = rng.choice([Status.GREY, Status.AMBER, Status.RED])
            deadline = action.deadline + timedelta(days=rng.choice([0, 7]))
            update = ActionUpdate(status, f"Note {step}", deadline=deadline, deadline_reason=f"Reason {step}")
            update_action(action, admin, update, action.version, TODAY)
        elif choice == 3:
            update = ProjectUpdate(rng.choice(list(Status)), f"Progress {step}", "", status_reason=f"Why {step}")
            update_project(project, admin, update, project.version, TODAY)
        elif choice == 4:
            action.project = project  # a move: both scopes must hear of it
        elif choice == 5:
            make_action(project, status=rng.choice(list(Status)))
        elif choice == 6:
            world["lead"].name = f"Robin Lead {step}"  # shown in every scope
        elif choice == 7:
            rng.choice(world["workstreams"]).title = f"Renamed {step}"
        else:
            make_value(world["kpi"], date(2026, 9, 30) + timedelta(days=31 * step), 60 + step % 7, f"Period {step}")
    except InvalidChange:
        db.session.rollback()  # the rules refused it, as a lead would be told
        return "refused"
    db.session.commit()
    return WRITES[choice]


def test_every_page_shows_every_write_at_once_through_random_writes(app, cached_app, signed_in_client):
    """Property check: after each write, every page served from the cache equals the page read afresh."""
    world = _world()
    rng = random.Random(11)
    reader = _signed_in(cached_app, world["viewer"])
    fresh_reader = signed_in_client(world["viewer"])
    for url in PAGES:
        _page(reader, url)  # everything cached before the first write
    for step in range(30):
        what = _write(rng, world, step)
        for url in PAGES:
            assert _page(reader, url) == _fresh(app, fresh_reader, url), f"step {step} ({what}): {url} is stale"


def _statements(app, url: str, client) -> int:
    """How many SQL statements the app sends to answer the page."""
    counter = StatementCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        _page(client, url)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return counter.count


def test_an_update_in_one_workstream_leaves_the_others_pages_cached(app, cached_app):
    world = _world()
    reader = _signed_in(cached_app, world["viewer"])

    other_scope = ["/p/test/workstreams/B", "/p/test/projects/B1", "/p/test/actions/B1.1"]
    same_scope = ["/p/test/workstreams/A", "/p/test/projects/A1", "/p/test/actions/A1.2"]
    for url in other_scope + same_scope:
        _page(reader, url)
    served_from_cache = {url: _statements(cached_app, url, reader) for url in other_scope + same_scope}

    action = db.session.scalars(select(Action).where(Action.ref == "A1.1")).one()
    update = ActionUpdate(Status.RED, "Behind plan", deadline=action.deadline, status_reason="Staff shortage")
    update_action(action, world["admin"], update, action.version, TODAY)
    db.session.commit()

    for url in other_scope:
        assert _statements(cached_app, url, reader) == served_from_cache[url], f"{url} was rendered again"
    for url in same_scope:
        assert _statements(cached_app, url, reader) > served_from_cache[url], f"{url} was not rendered again"
    assert "Behind plan" in _page(reader, "/p/test/actions/A1.1")
    assert "1 Red" in _page(reader, "/p/test/projects/A1")


def test_a_page_with_edit_links_is_never_served_to_a_reader_without_them(app, cached_app):
    world = _world()
    office, viewer = _signed_in(cached_app, world["admin"]), _signed_in(cached_app, world["viewer"])
    assert "Update project" in _page(office, "/p/test/projects/A1")
    assert "Update project" not in _page(viewer, "/p/test/projects/A1")
    assert "Update action" in _page(office, "/p/test/actions/A1.1")
    assert "Update action" not in _page(viewer, "/p/test/actions/A1.1")


def test_a_lead_given_a_workstream_sees_its_edit_links_at_once(app, cached_app):
    world = _world()
    lead = make_user("lead", person=make_person(name="Sam Lead"), name="Sam Lead", email="sam@council.example.gov.uk")
    client = _signed_in(cached_app, lead)
    assert "Update project" not in _page(client, "/p/test/projects/B1")
    workstream_b = db.session.scalars(select(Workstream).where(Workstream.ref == "B")).one()
    lead.editable_workstreams.append(workstream_b)  # the office makes Sam an editor of workstream B
    db.session.commit()
    assert "Update project" in _page(client, "/p/test/projects/B1")
    assert world  # the world is the data the pages show

"""The cached roll-up is never stale: every kind of write moves the data version it is keyed by."""

from __future__ import annotations

import random

from sqlalchemy import select, update

from tests.conftest import TODAY
from tests.factories import make_action, make_programme, make_project, make_workstream
from tracker.extensions import db
from tracker.programme.context import use_programme
from tracker.programme.data_version import bump_data_version
from tracker.programme.models import Action, Programme
from tracker.programme.rollups import programme_rollup
from tracker.programme.status import Status
from tracker.programme.views import rollup_for_today


def data_version() -> int:
    return db.session.scalar(select(Programme.data_version))


def fresh_counts():
    programme = db.session.scalars(select(Programme)).one()
    return programme_rollup(programme, TODAY).to_json()


def cached_counts(app):
    with app.test_request_context("/p/test/"):
        use_programme(db.session.scalars(select(Programme)).one())
        return rollup_for_today().to_json()


def test_status_change_shows_on_the_next_overview(app, viewer_client):
    make_programme()
    action = make_action(make_project(make_workstream("A")), status=Status.AMBER)
    db.session.commit()
    assert "1 is rated Amber" in viewer_client.get("/p/test/").get_data(as_text=True)
    action.status = Status.RED
    db.session.commit()
    page = viewer_client.get("/p/test/").get_data(as_text=True)
    assert "1 is rated Red" in page and "rated Amber (action" not in page


def test_every_kind_of_write_bumps_the_data_version(app):
    make_programme()
    ws = make_workstream("A")
    project = make_project(ws, ambitions=["SAFE"])
    action = make_action(project)
    db.session.commit()

    writes = [
        lambda: setattr(action, "status", Status.GREY),
        lambda: setattr(action, "deadline", action.deadline.replace(year=2030)),
        lambda: setattr(project, "status", Status.RED),
        lambda: setattr(ws, "reported_separately_by", "Another board"),
        lambda: make_action(project),
        lambda: db.session.delete(db.session.scalars(select(Action).order_by(Action.id.desc())).first()),
        lambda: setattr(project, "ambitions", []),
        lambda: setattr(db.session.scalars(select(Programme)).one(), "board_cycle_weeks", 4),
    ]
    for write in writes:
        before = data_version()
        write()
        db.session.commit()
        assert data_version() > before, f"write number {writes.index(write)} did not bump the version"


def test_reads_and_rolled_back_writes_leave_the_version_alone(app):
    make_programme()
    action = make_action(make_project(make_workstream("A")))
    db.session.commit()
    before = data_version()
    db.session.scalars(select(Action)).all()
    db.session.commit()
    action.status = Status.RED
    db.session.flush()
    db.session.rollback()
    assert data_version() == before


def test_bulk_core_update_with_explicit_bump_invalidates_the_cache(app):
    make_programme()
    make_action(make_project(make_workstream("A")), status=Status.AMBER)
    db.session.commit()
    assert cached_counts(app)["actions"]["by_status"]["amber"] == 1
    db.session.execute(update(Action).values(status=Status.GREY))
    bump_data_version(db.session)
    db.session.commit()
    assert cached_counts(app)["actions"]["by_status"]["grey"] == 1


def test_cached_roll_up_always_equals_a_fresh_one_through_random_writes(app):
    """Property check: after any sequence of writes, what the cache serves is what SQL counts now."""
    rng = random.Random(7)
    make_programme()
    workstreams = [make_workstream("A"), make_workstream("B", reported_separately_by="Partner board")]
    projects = [make_project(rng.choice(workstreams)) for _ in range(4)]
    actions = [make_action(rng.choice(projects)) for _ in range(10)]
    db.session.commit()
    for _ in range(60):
        choice = rng.randrange(5)
        if choice == 0:
            rng.choice(actions).status = rng.choice(list(Status))
        elif choice == 1:
            actions.append(make_action(rng.choice(projects), status=rng.choice(list(Status))))
        elif choice == 2:
            rng.choice(projects).status = rng.choice(list(Status))
        elif choice == 3:
            rng.choice(actions).project = rng.choice(projects)
        else:
            rng.choice(projects).workstream = rng.choice(workstreams)
        db.session.commit()
        assert cached_counts(app) == fresh_counts()


def test_cached_action_list_shows_a_change_at_once(app, viewer_client):
    make_programme()
    action = make_action(make_project(make_workstream("A")), ref="A1.1", status=Status.AMBER)
    db.session.commit()
    assert "A1.1" in viewer_client.get("/p/test/actions?status=amber").get_data(as_text=True)
    assert "A1.1" in viewer_client.get("/p/test/actions?status=amber").get_data(as_text=True)  # served from cache
    action.status = Status.RED
    db.session.commit()
    assert "A1.1" not in viewer_client.get("/p/test/actions?status=amber").get_data(as_text=True)
    assert "A1.1" in viewer_client.get("/p/test/actions?status=red").get_data(as_text=True)


def test_refused_filters_keep_their_error_title_when_served_from_cache(app, viewer_client):
    make_programme()
    db.session.commit()
    for _ in range(2):
        page = viewer_client.get("/p/test/actions?status=purple").get_data(as_text=True)
        assert "<title>Error: Actions" in page


def test_a_write_moves_only_its_own_programmes_version_unless_it_shows_everywhere(app):
    from tests.factories import make_person
    from tests.kpis.factories import make_kpi, make_value

    children = make_programme()
    education = make_programme()
    lead = make_person(name="Robin Lead")
    action = make_action(make_project(make_workstream("A", programme=children), lead=lead), lead=lead)
    kpi = make_kpi(programme=children)
    db.session.commit()

    def versions() -> tuple[int, int]:
        db.session.expire_all()
        return children.data_version, education.data_version

    writes_in_children = [
        lambda: setattr(action, "status", Status.RED),
        lambda: make_action(action.project),
        lambda: make_workstream("B", programme=children),
        lambda: make_value(kpi, TODAY, 42),
    ]
    for write in writes_in_children:
        before = versions()
        write()
        db.session.commit()
        after = versions()
        assert after[0] > before[0], f"write {writes_in_children.index(write)} did not move its own programme"
        assert after[1] == before[1], f"write {writes_in_children.index(write)} emptied another programme's caches"

    before = versions()
    lead.name = "Robin Lead-Smith"  # a lead's name is on the pages of every programme
    db.session.commit()
    after = versions()
    assert after[0] > before[0] and after[1] > before[1]

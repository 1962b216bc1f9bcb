"""Shared fixtures: a real database (SQLite file, or PostgreSQL via TEST_DATABASE_URL) per session.

The schema is created once per session; every test then starts from empty tables.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import event

# Tests must never write into the repository's instance/ folder.
os.environ.setdefault("TRACKER_INSTANCE_PATH", os.path.join(os.environ.get("TMPDIR", "/tmp"), "tracker-test-instance"))

from tracker import create_app
from tracker.extensions import db

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker-test.db")


def require_redis(url: str) -> None:
    """Skip a test that needs Redis where none answers; in CI, where Redis is part of the set-up, fail it."""
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis must answer at {url} in CI")
        pytest.skip(f"no Redis at {url}")


def make_test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "FIXED_TODAY": TODAY,
        # Full-strength scrypt costs ~0.5 s a hash; tests that check the setting itself override this.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "REDIS_URL": "",
        "LOG_REQUESTS": False,  # tests/core/test_production_serving.py turns it on
        "RATELIMIT_ENABLED": False,  # tests/core/test_rate_limits.py turns it on
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(make_test_config(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield


def wipe_tables() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app_config(database_url) -> dict:
    """Override in a test module to change settings for its app."""
    return make_test_config(database_url)


@pytest.fixture
def app(_schema, app_config):
    app = create_app(app_config)
    with app.app_context():
        wipe_tables()
        yield app
        wipe_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def sign_in(client, user, password: str | None = None, follow_redirects: bool = False):
    """Sign in through the real form (CSRF off in the default test config); return the response."""
    from tests.factories import DEFAULT_TEST_PASSWORD

    db.session.commit()  # the user must be visible to the request's own session
    return client.post(
        "/sign-in",
        data={"email": user.email, "password": password or DEFAULT_TEST_PASSWORD},
        follow_redirects=follow_redirects,
    )


@pytest.fixture
def admin_user(app):
    from tests.factories import make_user

    return make_user("admin", name="Pat Director", email="director@council.example.gov.uk")


@pytest.fixture
def lead_user(app):
    """A lead linked to a Person in the plan (who leads nothing until a test gives them items)."""
    from tests.factories import make_person, make_user

    return make_user("lead", person=make_person(name="Sam Lead"), name="Sam Lead", email="lead@council.example.gov.uk")


@pytest.fixture
def viewer_user(app):
    from tests.factories import make_user

    return make_user("viewer", name="Val Viewer", email="viewer@council.example.gov.uk")


@pytest.fixture
def signed_in_client(app):
    """Return a function: signed_in_client(user) -> a new test client signed in as that user."""

    def make(user):
        new_client = app.test_client()
        response = sign_in(new_client, user)
        assert response.status_code == 302, f"sign-in failed for {user.email}"
        return new_client

    return make


@pytest.fixture
def admin_client(signed_in_client, admin_user):
    return signed_in_client(admin_user)


@pytest.fixture
def viewer_client(signed_in_client, viewer_user):
    return signed_in_client(viewer_user)


class StatementCounter:
    """Counts SQL statements sent to the database (transaction control excluded)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Return a function that runs a callable and returns how many SQL statements it sent."""

    def run(action) -> int:
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            action()
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        return counter.count

    return run

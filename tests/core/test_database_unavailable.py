"""When the database is unreachable, restarting, or cannot be written (a read-only file, a full disk),
people get a clear 503 page (never a stack trace), and nothing is half-written."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import make_test_config
from tests.factories import DEFAULT_TEST_PASSWORD, make_user
from tracker import create_app
from tracker.core.backup import contents_of
from tracker.extensions import db


def test_an_unreachable_database_gives_a_503_page_that_asks_to_try_again(tmp_path):
    # Nothing listens on port 1: the state of a PostgreSQL server that is restarting.
    app = create_app(make_test_config("postgresql+psycopg://tracker@127.0.0.1:1/tracker"))
    client = app.test_client()
    for path in ("/", "/p/children/", "/sign-in"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        page = response.get_data(as_text=True)
        assert "Sorry, the service is unavailable" in page
        assert "cannot reach its database" in page
        assert "Traceback" not in page and "psycopg" not in page


def test_a_read_only_database_file_gives_a_clear_page_and_changes_nothing(app, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("a read-only file is SQLite's case; PostgreSQL's is the unreachable server above")
    email = make_user("viewer", email="reader@council.example.gov.uk").email
    db.session.commit()
    copy = tmp_path / "read-only.db"
    db.session.remove()
    db.engine.dispose()
    shutil.copy(database_url.removeprefix("sqlite:///"), copy)
    before = contents_of("sqlite:///" + str(copy))
    read_only = create_app(make_test_config(f"sqlite:///file:{copy}?mode=ro&uri=true"))
    client = read_only.test_client()

    assert client.get("/sign-in").status_code == 200, "reading still works"
    response = client.post("/sign-in", data={"email": email, "password": DEFAULT_TEST_PASSWORD})

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "its database is read-only" in page and "Nothing you entered has been saved" in page
    with read_only.app_context():
        db.engine.dispose()
    assert contents_of("sqlite:///" + str(copy)) == before

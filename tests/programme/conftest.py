"""Clients for tests of editing: each request runs in its own app context, as on a real server.

The shared `app` fixture keeps an app context pushed for the whole test, and Flask reuses it for
test-client requests: g (Flask-Login's current user, the cached programme) and the database
session would then leak from one request, or one user, to the next. Editing tests need two
people at once and a database they can compare before and after, so these clients give every
request a fresh context and commit the test's own session first (SQLite lets one writer in).
"""

from __future__ import annotations

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient

from tests.conftest import sign_in
from tracker.extensions import db


class SeparateContextClient(FlaskClient):
    def open(self, *args, **kwargs):
        db.session.commit()  # make the test's rows visible; expire them so reads after see the request's writes
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def client_for(app):
    """Return a function: client_for(user) -> a client signed in as user (None: anonymous)."""
    app.test_client_class = SeparateContextClient

    def make(user=None):
        new_client = app.test_client()
        if user is not None:
            response = sign_in(new_client, user)
            assert response.status_code == 302 and "/sign-in" not in response.headers["Location"], (
                f"sign-in failed for {user.email}"
            )
        return new_client

    return make

"""Rate limits (Flask-Limiter) on signing in, changing a password, API tokens and the API: the request
over the limit gets a styled 429 page with Retry-After, and with Redis every worker counts together."""

from __future__ import annotations

import uuid

from tests.conftest import make_test_config, require_redis, sign_in
from tracker import create_app
from tracker.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/15"


def limited_app(database_url, **settings):
    return create_app(make_test_config(database_url, RATELIMIT_ENABLED=True, **settings))


def attempt(client, email="nobody@council.example.gov.uk"):
    return client.post("/sign-in", data={"email": email, "password": "wrong password entirely"})


def test_signing_in_too_often_from_one_address_gets_a_429_page(app, database_url):
    client = limited_app(database_url, SIGN_IN_RATE_LIMIT="3 per minute").test_client()
    answers = [attempt(client).status_code for _ in range(3)]
    assert 429 not in answers

    refused = attempt(client)

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert "Too many attempts" in page and "Wait a minute, then try again" in page
    assert "Content-Security-Policy" in refused.headers
    assert client.get("/sign-in").status_code == 200, "reading the page is not limited"
    other_address = client.post(
        "/sign-in", data={"email": "a@b.c", "password": "x"}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other_address.status_code != 429, "the limit is per address"


def test_password_changes_are_limited_per_person(app, database_url, viewer_user):
    db.session.commit()
    limited = limited_app(database_url, PASSWORD_CHANGE_RATE_LIMIT="2 per hour")
    client = limited.test_client()
    with limited.app_context():
        sign_in(client, viewer_user)
    wrong = {"current_password": "not my password", "new_password": "x" * 20, "confirm_password": "x" * 20}
    assert [client.post("/account/password", data=wrong).status_code for _ in range(2)] == [200, 200]
    assert client.post("/account/password", data=wrong).status_code == 429


def test_with_redis_every_worker_counts_towards_the_same_limit(app, database_url):
    require_redis(REDIS_URL)
    shared = {
        "SIGN_IN_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    first_worker = limited_app(database_url, **shared).test_client()
    second_worker = limited_app(database_url, **shared).test_client()

    assert attempt(first_worker).status_code != 429
    assert attempt(second_worker).status_code != 429
    assert attempt(first_worker).status_code != 429
    assert attempt(second_worker).status_code == 429, "the fourth attempt, whichever worker takes it"


def test_when_redis_stops_answering_sign_in_still_works(app, database_url):
    client = limited_app(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0").test_client()
    assert client.get("/sign-in").status_code == 200
    assert attempt(client).status_code == 200, "a refused password, not a server error"

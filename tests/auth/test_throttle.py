"""Throttling: 10 failures in 5 minutes for an account or from an address locks sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.factories import DEFAULT_TEST_PASSWORD, make_programme
from tracker.audit.models import AuditEvent
from tracker.auth.models import LoginAttempt
from tracker.auth.throttle import record_attempt, utcnow
from tracker.extensions import db

SIGNED_IN_PAGE = "/programmes"  # open to signed-in users only, with or without programmes

LOCKED = "Too many failed attempts. Try again in 5 minutes."


@pytest.fixture(autouse=True)
def programme(app):
    return make_programme()


def attempt(client, email, password="a wrong password", ip="203.0.113.7"):
    db.session.commit()
    return client.post("/sign-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def test_eleventh_attempt_on_an_account_is_refused_even_with_the_right_password(client, viewer_user):
    for number in range(10):
        response = attempt(client, viewer_user.email, ip=f"198.51.100.{number}")  # a different address each time
        assert response.status_code == 200, number
    response = attempt(client, viewer_user.email, ip="198.51.100.99")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert LOCKED in page and 'name="password"' in page  # the form is still there
    response = attempt(client, viewer_user.email, password=DEFAULT_TEST_PASSWORD, ip="198.51.100.100")
    assert response.status_code == 429
    assert client.get(SIGNED_IN_PAGE).status_code == 302
    events = list(db.session.scalars(select(AuditEvent.event)))
    assert events.count("lockout") == 1 and events.count("sign_in_refused") == 2


def test_eleventh_attempt_from_one_address_is_refused_whatever_the_account(client, viewer_user):
    for number in range(10):
        assert attempt(client, f"guess{number}@council.example.gov.uk").status_code == 200
    response = attempt(client, viewer_user.email, password=DEFAULT_TEST_PASSWORD)
    assert response.status_code == 429
    # Another address can still sign in to the account.
    assert attempt(client, viewer_user.email, password=DEFAULT_TEST_PASSWORD, ip="192.0.2.1").status_code == 302


def test_lockout_lifts_when_the_window_passes(client, viewer_user):
    for _ in range(10):
        attempt(client, viewer_user.email)
    assert attempt(client, viewer_user.email, password=DEFAULT_TEST_PASSWORD).status_code == 429
    db.session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=5, seconds=1)))
    db.session.commit()
    assert attempt(client, viewer_user.email, password=DEFAULT_TEST_PASSWORD).status_code == 302


def test_message_counts_down_the_minutes_left(client, viewer_user):
    for _ in range(10):
        attempt(client, viewer_user.email)
    db.session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=3, seconds=30)))
    db.session.commit()
    assert b"Try again in 2 minutes." in attempt(client, viewer_user.email).data


def test_refused_attempts_do_not_extend_the_lockout(client, viewer_user):
    for _ in range(10):
        attempt(client, viewer_user.email)
    db.session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=4)))
    db.session.commit()
    for _ in range(5):
        assert attempt(client, viewer_user.email).status_code == 429
    db.session.execute(
        update(LoginAttempt).where(LoginAttempt.refused.is_(False)).values(at=utcnow() - timedelta(minutes=6))
    )
    db.session.commit()
    assert attempt(client, viewer_user.email, password=DEFAULT_TEST_PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_accounts_count(client, viewer_user):
    for _ in range(9):
        attempt(client, viewer_user.email, ip="192.0.2.50")
    assert attempt(client, viewer_user.email, password=DEFAULT_TEST_PASSWORD, ip="192.0.2.51").status_code == 302
    client.post("/sign-out")
    for _ in range(9):
        assert attempt(client, viewer_user.email, ip="192.0.2.52").status_code == 200


def test_attempts_older_than_a_day_are_pruned(app):
    db.session.add(LoginAttempt(email="old@council.example.gov.uk", ip="192.0.2.9", at=utcnow() - timedelta(days=2)))
    db.session.commit()
    with app.test_request_context():
        record_attempt("new@council.example.gov.uk", "192.0.2.9", succeeded=False)
    db.session.commit()
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1

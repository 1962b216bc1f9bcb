"""Sessions: renewed at sign-in, ended everywhere by sign-out, password change and deactivation,
and timed out after 30 idle minutes or 10 hours in all."""

from __future__ import annotations

import time

import pytest

from tests.conftest import sign_in
from tests.factories import DEFAULT_TEST_PASSWORD, make_programme
from tracker.auth.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from tracker.extensions import db

SIGNED_IN_PAGE = "/programmes"  # open to signed-in users only, with or without programmes

NEW_PASSWORD = "a brand new passphrase for testing"


@pytest.fixture(autouse=True)
def programme(app):
    return make_programme()


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_sign_in_starts_a_new_session_and_drops_what_was_there(client, viewer_user):
    with client.session_transaction() as session:
        session["planted_before_sign_in"] = "attacker's value"
        session["csrf_token"] = "fixed-by-attacker"
    before = session_cookie(client)
    sign_in(client, viewer_user)
    after = session_cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted_before_sign_in" not in session
        assert session.get("csrf_token") != "fixed-by-attacker"
        assert session["_user_id"] == f"{viewer_user.id}:1"
        assert isinstance(session[SIGNED_IN_AT], int) and isinstance(session[LAST_SEEN_AT], int)


def test_signing_out_ends_the_users_sessions_in_every_browser(signed_in_client, viewer_user):
    laptop, phone = signed_in_client(viewer_user), signed_in_client(viewer_user)
    assert phone.get(SIGNED_IN_PAGE).status_code == 200
    laptop.post("/sign-out")
    assert laptop.get(SIGNED_IN_PAGE).status_code == 302
    assert phone.get(SIGNED_IN_PAGE).status_code == 302


def test_an_old_session_cookie_cannot_be_replayed_after_sign_out(client, viewer_user):
    sign_in(client, viewer_user)
    stolen = session_cookie(client)
    client.post("/sign-out")
    client.set_cookie("session", stolen)
    assert client.get(SIGNED_IN_PAGE).status_code == 302


def test_changing_password_ends_other_sessions_but_keeps_this_one(signed_in_client, viewer_user, app):
    laptop, phone = signed_in_client(viewer_user), signed_in_client(viewer_user)
    response = laptop.post(
        "/account/password",
        data={
            "current_password": DEFAULT_TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert laptop.get(SIGNED_IN_PAGE).status_code == 200
    assert phone.get(SIGNED_IN_PAGE).status_code == 302
    fresh = app.test_client()
    assert b"Email or password is incorrect" in sign_in(fresh, viewer_user).data
    assert sign_in(fresh, viewer_user, password=NEW_PASSWORD).status_code == 302


def test_change_password_checks_the_current_password_and_the_policy(viewer_client, viewer_user):
    def change(current: str, new: str, again: str) -> str:
        data = {"current_password": current, "new_password": new, "confirm_password": again}
        return viewer_client.post("/account/password", data=data).get_data(as_text=True)

    assert "Your current password is incorrect" in change("not my password", NEW_PASSWORD, NEW_PASSWORD)
    assert "commonly used password" in change(DEFAULT_TEST_PASSWORD, "password1", "password1")
    page = change(DEFAULT_TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "The passwords do not match" in page
    assert 'autocomplete="new-password"' in page and 'autocomplete="current-password"' in page
    assert viewer_client.get(SIGNED_IN_PAGE).status_code == 200  # failed attempts changed nothing


def test_deactivation_ends_the_users_sessions(signed_in_client, admin_user, viewer_user):
    viewer = signed_in_client(viewer_user)
    admin = signed_in_client(admin_user)
    assert admin.post(f"/admin/users/{viewer_user.id}/deactivate").status_code == 302
    assert viewer.get(SIGNED_IN_PAGE).status_code == 302


def test_admin_password_reset_ends_the_users_sessions(signed_in_client, admin_user, viewer_user):
    viewer = signed_in_client(viewer_user)
    admin = signed_in_client(admin_user)
    assert admin.post(f"/admin/users/{viewer_user.id}/reset-password").status_code == 200
    assert viewer.get(SIGNED_IN_PAGE).status_code == 302


def shift_session_clock(client, signed_in_ago: float, last_seen_ago: float) -> None:
    now = time.time()
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = int(now - signed_in_ago)
        session[LAST_SEEN_AT] = int(now - last_seen_ago)


def test_idle_for_more_than_30_minutes_signs_you_out_with_a_message(viewer_client):
    shift_session_clock(viewer_client, signed_in_ago=29 * 60, last_seen_ago=29 * 60)
    assert viewer_client.get("/p/test/actions").status_code == 200  # 29 minutes: still signed in
    shift_session_clock(viewer_client, signed_in_ago=40 * 60, last_seen_ago=31 * 60)
    response = viewer_client.get("/p/test/actions")
    assert response.status_code == 302 and response.location == "/sign-in?next=/p/test/actions"
    page = viewer_client.get(response.location).get_data(as_text=True)
    assert "You were signed out because you had not used the service for 30 minutes" in page
    assert viewer_client.get("/p/test/actions").status_code == 302


def test_each_request_restarts_the_idle_clock(viewer_client):
    shift_session_clock(viewer_client, signed_in_ago=3 * 3600, last_seen_ago=25 * 60)
    assert viewer_client.get(SIGNED_IN_PAGE).status_code == 200
    with viewer_client.session_transaction() as session:
        assert time.time() - session[LAST_SEEN_AT] < 60


def test_ten_hours_after_signing_in_you_are_signed_out_even_if_active(viewer_client):
    shift_session_clock(viewer_client, signed_in_ago=10 * 3600 + 60, last_seen_ago=60)
    response = viewer_client.get(SIGNED_IN_PAGE)
    assert response.status_code == 302
    page = viewer_client.get(response.location).get_data(as_text=True)
    assert "You were signed out because you had been signed in for 10 hours" in page


def test_session_without_timestamps_is_refused(viewer_client):
    with viewer_client.session_transaction() as session:
        del session[SIGNED_IN_AT]
    assert viewer_client.get(SIGNED_IN_PAGE).status_code == 302


def test_tampered_user_id_in_the_session_is_refused(client, viewer_user, admin_user):
    sign_in(client, viewer_user)
    with client.session_transaction() as session:
        session["_user_id"] = "not-a-number"
    assert client.get(SIGNED_IN_PAGE).status_code == 302
    db.session.commit()

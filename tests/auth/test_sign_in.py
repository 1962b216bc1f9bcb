"""Signing in and out through the real form: messages, redirects, the guard, the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import sign_in
from tests.factories import DEFAULT_TEST_PASSWORD, make_programme, make_user
from tracker.audit.models import AuditEvent
from tracker.extensions import db

INCORRECT = b"Email or password is incorrect"


@pytest.fixture
def programme(app):
    return make_programme()


def audit_events() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.event).order_by(AuditEvent.id)))


def test_sign_in_page_has_email_and_password_fields_that_password_managers_can_fill(client, app):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'name="email"' in page and 'autocomplete="username"' in page
    assert 'name="password"' in page and 'autocomplete="current-password"' in page
    assert 'autocomplete="off"' not in page  # pasting and password managers are welcome
    assert "govuk-password-input" in page  # the show/hide password component


def test_right_password_signs_in_and_shows_who_is_signed_in(client, programme, admin_user):
    response = sign_in(client, admin_user)
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/programmes").get_data(as_text=True)
    assert "Signed in as <strong>Pat Director</strong>" in page
    assert 'action="/sign-out"' in page
    assert "sign_in" in audit_events()


def test_email_is_matched_whatever_its_case(client, programme, admin_user):
    db.session.commit()
    data = {"email": "  Director@Council.Example.GOV.uk ", "password": DEFAULT_TEST_PASSWORD}
    response = client.post("/sign-in", data=data)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "email, password",
    [
        ("director@council.example.gov.uk", "wrong password entirely"),
        ("nobody@council.example.gov.uk", DEFAULT_TEST_PASSWORD),
        ("nobody@council.example.gov.uk", "wrong password entirely"),
        ("director@council.example.gov.uk", "x" * 5000),
    ],
)
def test_wrong_email_or_password_gives_one_message_that_does_not_say_which(
    client, programme, admin_user, email, password
):
    db.session.commit()
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("Email or password is incorrect") == 2  # error summary and beside the form
    assert "govuk-error-summary" in page and "<title>Error: Sign in" in page
    assert "not registered" not in page and "no account" not in page.lower()
    assert client.get("/").status_code == 302  # still signed out
    assert audit_events() == ["sign_in_failed"]


def test_deactivated_account_gets_the_same_message(client, programme):
    user = make_user("viewer", active=False)
    response = sign_in(client, user)
    assert response.status_code == 200 and INCORRECT in response.data


def test_invited_account_without_a_password_cannot_sign_in(client, programme):
    user = make_user("viewer")
    user.password_hash = ""
    db.session.commit()
    response = client.post("/sign-in", data={"email": user.email, "password": ""})
    assert b"Enter your password" in response.data
    response = sign_in(client, user, password="anything at all really")
    assert INCORRECT in response.data


def test_empty_fields_get_field_messages(client, programme):
    page = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address" in page and "Enter your password" in page
    assert 'href="#email"' in page and 'href="#password"' in page


def test_protected_pages_send_anonymous_visitors_to_sign_in_and_back(client, programme, viewer_user):
    response = client.get("/p/test/actions?status=red")
    assert response.status_code == 302
    assert response.location == "/sign-in?next=/p/test/actions?status%3Dred"
    response = client.post(response.location, data={"email": viewer_user.email, "password": DEFAULT_TEST_PASSWORD})
    db.session.commit()
    assert response.status_code == 302 and response.location == "/p/test/actions?status=red"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.com/",
        "//evil.example.com/x",
        "/\\evil.example.com",
        "javascript:alert(1)",
        "http:/evil.example.com",
        "\t//evil.example.com",
        "evil.example.com",
    ],
)
def test_sign_in_never_redirects_off_site(client, programme, viewer_user, next_url):
    db.session.commit()
    response = client.post(
        "/sign-in",
        query_string={"next": next_url},
        data={"email": viewer_user.email, "password": DEFAULT_TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_pages_open_to_everyone(client, programme):
    assert client.get("/healthz").status_code == 200
    assert client.get("/sign-in").status_code == 200
    assert client.get("/accessibility").status_code == 200
    assert client.get("/statuses").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/reset-password/not-a-real-token").status_code == 404


def test_sign_out_is_a_post_and_ends_the_session(client, programme, viewer_user):
    sign_in(client, viewer_user)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/programmes").status_code == 200
    response = client.post("/sign-out", follow_redirects=True)
    assert b"You have signed out." in response.data
    assert client.get("/programmes").status_code == 302
    assert audit_events()[-1] == "sign_out"


def test_signed_in_user_opening_sign_in_goes_to_the_overview(client, programme, viewer_user):
    sign_in(client, viewer_user)
    assert client.get("/sign-in").location == "/"


def test_no_remember_me_cookie_is_set(client, programme, viewer_user):
    response = sign_in(client, viewer_user)
    cookies = response.headers.getlist("Set-Cookie")
    assert all(not cookie.startswith("remember_token") for cookie in cookies)
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_navigation_depends_on_role(client, programme, admin_user, viewer_user, signed_in_client):
    admin_page = signed_in_client(admin_user).get("/p/test/").get_data(as_text=True)
    viewer_page = signed_in_client(viewer_user).get("/p/test/").get_data(as_text=True)
    for text in ("Overview", "Actions", "People", "Audit log"):
        assert f">{text}<" in admin_page.replace("\n", "").replace("  ", "") or text in admin_page
    assert 'href="/admin/users"' in admin_page and 'href="/admin/audit"' in admin_page
    assert 'href="/admin/users"' not in viewer_page and 'href="/admin/audit"' not in viewer_page
    assert 'href="/p/test/actions"' in viewer_page

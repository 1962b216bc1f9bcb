"""With CSRF protection on (as in production), forged or token-less POSTs are refused with a styled 400."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import make_test_config
from tests.factories import DEFAULT_TEST_PASSWORD, make_programme, make_user
from tracker.auth.models import User
from tracker.extensions import db

SIGNED_IN_PAGE = "/programmes"  # open to signed-in users only, with or without programmes


@pytest.fixture
def app_config(database_url):
    return make_test_config(database_url, WTF_CSRF_ENABLED=True)


@pytest.fixture(autouse=True)
def programme(app):
    return make_programme()


def csrf_token_from(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token in the form"
    return match.group(1) or match.group(2)


def signed_in(client, user) -> str:
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    db.session.commit()
    data = {"email": user.email, "password": DEFAULT_TEST_PASSWORD, "csrf_token": token}
    response = client.post("/sign-in", data=data)
    assert response.status_code == 302
    return csrf_token_from(client.get("/account/password").get_data(as_text=True))


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_sign_in_without_a_valid_token_is_refused(client, token):
    user = make_user("viewer")
    db.session.commit()
    data = {"email": user.email, "password": DEFAULT_TEST_PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    client.get("/sign-in")
    response = client.post("/sign-in", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your form expired or was sent from somewhere else" in page and "govuk-template" in page
    assert client.get(SIGNED_IN_PAGE).status_code == 302


def test_sign_in_with_the_forms_token_works(client):
    user = make_user("viewer")
    signed_in(client, user)
    assert client.get(SIGNED_IN_PAGE).status_code == 200


def test_signed_in_posts_need_the_token(client, app):
    admin = make_user("admin")
    viewer = make_user("viewer", name="Target")
    good_token = signed_in(client, admin)
    for url, data in [
        ("/sign-out", {}),
        (f"/admin/users/{viewer.id}/deactivate", {}),
        (f"/admin/users/{viewer.id}/reset-password", {}),
        (f"/admin/users/{viewer.id}", {"name": "Changed", "role": "admin", "person_id": ""}),
        ("/admin/users/new", {"email": "new@council.example.gov.uk", "name": "New", "role": "viewer", "person_id": ""}),
        ("/p/test/admin/settings", {"public_progress_pages": "y"}),
        (
            "/account/password",
            {
                "current_password": DEFAULT_TEST_PASSWORD,
                "new_password": "new pass phrase here",
                "confirm_password": "new pass phrase here",
            },
        ),
    ]:
        for token in (None, "forged"):
            response = client.post(url, data=data if token is None else {**data, "csrf_token": token})
            assert response.status_code == 400, (url, token)
    db.session.expire_all()
    target = db.session.get(User, viewer.id)
    assert target.active and target.name == "Target" and db.session.scalar(select(func.count(User.id))) == 2
    assert client.get(SIGNED_IN_PAGE).status_code == 200  # still signed in: sign-out was refused
    response = client.post(f"/admin/users/{viewer.id}/deactivate", data={"csrf_token": good_token})
    assert response.status_code == 302


def test_routes_that_change_data_refuse_get(client):
    admin = make_user("admin")
    viewer = make_user("viewer")
    signed_in(client, admin)
    for url in [
        "/sign-out",
        f"/admin/users/{viewer.id}/deactivate",
        f"/admin/users/{viewer.id}/reactivate",
        f"/admin/users/{viewer.id}/reset-password",
    ]:
        response = client.get(url)
        assert response.status_code == 405, url
        assert b"That is not allowed here" in response.data

"""Security headers on every kind of answer: pages, error pages (500 included), files and downloads;
HSTS and a __Host- session cookie under HTTPS; nothing a signed-in person sees kept in a cache."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.conftest import make_test_config, sign_in
from tracker import create_app
from tracker.core.registry import registry_of
from tracker.core.security import CONTENT_SECURITY_POLICY


def assert_secured(response) -> None:
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self' 'sha256-"):
        assert directive in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_inline_script_a_page_has_is_allowed_by_its_hash(app, client):
    page = client.get("/sign-in").get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, flags=re.S)
    assert inline, "the GOV.UK template's inline script is on the page"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in CONTENT_SECURITY_POLICY


def test_pages_error_pages_and_files_all_carry_the_headers(app, client):
    for path, status in [("/sign-in", 200), ("/no-such-page", 404), ("/static/favicon.svg", 200), ("/healthz", 200)]:
        response = client.get(path)
        assert response.status_code == status, path
        assert_secured(response)
    assert "no-store" not in client.get("/static/favicon.svg").headers.get("Cache-Control", ""), "files may be cached"


def test_a_server_error_page_carries_the_headers_too(database_url):
    app = create_app(make_test_config(database_url, PROPAGATE_EXCEPTIONS=False))

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("a bug")

    registry_of(app).allow_anonymous("boom")
    response = app.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert b"RuntimeError" not in response.data
    assert_secured(response)


def test_what_a_signed_in_person_sees_is_never_stored_by_a_cache(app, client, viewer_user):
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")
    sign_in(client, viewer_user)
    response = client.get("/programmes")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    secure = client.get("/sign-in", base_url="https://tracker.example.gov.uk")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("secure", [True, False])
def test_the_session_cookie_is_a_host_cookie_under_https(app, database_url, secure):
    from tests.factories import DEFAULT_TEST_PASSWORD, make_user
    from tracker.extensions import db

    https_app = create_app(make_test_config(database_url, SESSION_COOKIE_SECURE=secure))
    with https_app.app_context():
        user = make_user("viewer")
        db.session.commit()
        response = https_app.test_client().post(
            "/sign-in",
            data={"email": user.email, "password": DEFAULT_TEST_PASSWORD},
            base_url="https://tracker.example.gov.uk",
        )
        db.session.remove()
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    if secure:
        assert cookie.startswith("__Host-session=")
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    else:
        assert cookie.startswith("session=")

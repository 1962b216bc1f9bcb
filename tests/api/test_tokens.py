"""Personal API tokens: shown once, stored as a hash, refused once revoked or expired, audited."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.api.conftest import bearer
from tracker.api.models import ApiToken
from tracker.api.tokens import token_hash
from tracker.audit.models import AuditEvent
from tracker.extensions import db

TOKEN = re.compile(r'value="(trk_[A-Za-z0-9_-]{40,})"')


def create_on_page(client, name="Board report", days="90"):
    response = client.post("/account/api-tokens", data={"name": name, "expires_in_days": days})
    assert response.status_code == 200
    return response


def test_a_token_is_shown_once_and_only_its_hash_is_stored(app, viewer_client, viewer_user):
    response = create_on_page(viewer_client)
    secret = TOKEN.search(response.get_data(as_text=True)).group(1)
    assert response.headers["Cache-Control"] == "no-store"
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == token_hash(secret) and secret not in (stored.name, stored.prefix, stored.token_hash)
    assert secret.startswith(stored.prefix)
    assert stored.user_id == viewer_user.id
    assert (stored.expires_at - stored.created_at) == timedelta(days=90)
    # Listed afterwards by name and prefix, never again in full.
    page = viewer_client.get("/account/api-tokens").get_data(as_text=True)
    assert "Board report" in page and stored.prefix in page and secret not in page
    # The token reads the API as its owner.
    assert viewer_client.application.test_client().get("/api/v1/programmes", headers=bearer(secret)).status_code == 200


def test_a_token_needs_a_name_and_an_expiry_from_the_list(app, viewer_client):
    page = viewer_client.post("/account/api-tokens", data={"name": " ", "expires_in_days": "7"})
    text = page.get_data(as_text=True)
    assert "Enter a name for the token" in text and "govuk-error-summary" in text
    assert "Not a valid choice" in text or "Choose when the token expires" in text
    assert db.session.scalars(select(ApiToken)).all() == []


def test_a_revoked_token_is_refused(app, client, viewer_client, viewer_user, token_for):
    secret = token_for(viewer_user)
    token = db.session.scalars(select(ApiToken)).one()
    assert client.get("/api/v1/programmes", headers=bearer(secret)).status_code == 200
    response = viewer_client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    refused = client.get("/api/v1/programmes", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in refused.get_json()["detail"]
    assert "Revoked on" in viewer_client.get("/account/api-tokens").get_data(as_text=True)


def test_an_expired_token_is_refused(app, client, viewer_user, token_for):
    secret = token_for(viewer_user, days=30)
    token = db.session.scalars(select(ApiToken)).one()
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/programmes", headers=bearer(secret)).status_code == 401


def test_a_deactivated_owners_token_is_refused(app, client, viewer_user, token_for):
    secret = token_for(viewer_user)
    viewer_user.active = False
    db.session.commit()
    assert client.get("/api/v1/programmes", headers=bearer(secret)).status_code == 401


def test_wrong_or_malformed_credentials_are_refused_without_a_sign_in_redirect(app, client, viewer_user, token_for):
    secret = token_for(viewer_user)
    for header in (f"Bearer {secret}x", "Bearer", f"Basic {secret}", "Bearer trk_" + "A" * 300, "Bearer \x7f"):
        response = client.get("/api/v1/programmes", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.get_json()["status"] == 401


def test_nobody_revokes_someone_elses_token(app, viewer_user, lead_user, signed_in_client, token_for):
    token_for(viewer_user)
    token = db.session.scalars(select(ApiToken)).one()
    response = signed_in_client(lead_user).post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_creating_and_revoking_are_in_the_audit_log(app, viewer_client):
    create_on_page(viewer_client, name="Scorecard feed")
    token = db.session.scalars(select(ApiToken)).one()
    viewer_client.post(f"/account/api-tokens/{token.id}/revoke")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    mine = [(e.event, e.detail) for e in events if e.event.startswith("api_token")]
    assert [event for event, _ in mine] == ["api_token_created", "api_token_revoked"]
    assert all("Scorecard feed" in detail and token.prefix in detail for _, detail in mine)
    assert all(token_hash("x") not in detail for _, detail in mine)


def test_using_a_token_stamps_when_it_was_last_used_without_moving_the_data_version(
    app, client, programme, token_for, viewer_user
):
    secret = token_for(viewer_user)
    version = programme.data_version
    assert client.get("/api/v1/programmes", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None
    assert db.session.get(type(programme), programme.id).data_version == version


def test_anonymous_visitors_are_sent_to_sign_in_for_the_token_page(app, client):
    response = client.get("/account/api-tokens")
    assert response.status_code == 302 and response.location.startswith("/sign-in")

"""The second factor: setting up an authenticator app, signing in with its codes or a recovery code, and resets.

Codes are real ones, computed by pyotp from the secret the page handed out, at the time they are used.
"""

from __future__ import annotations

import hashlib
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import make_test_config, sign_in
from tests.factories import DEFAULT_TEST_PASSWORD, make_programme
from tracker import create_app
from tracker.audit.models import AuditEvent
from tracker.auth import two_factor
from tracker.auth.models import ProgrammeRole, RecoveryCode, Role, User
from tracker.auth.sessions import PENDING_AT
from tracker.auth.throttle import MAX_FAILURES
from tracker.core.clock import utcnow
from tracker.extensions import db

STEP = 30


def audit_events() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(e.event, e.detail) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def earlier_code(secret: str) -> str:
    """A code of the step before now: still accepted, and it leaves now's code (and the next) unused."""
    return pyotp.TOTP(secret).at(time.time() - STEP)


def enrolled(user: User) -> tuple[str, list[str]]:
    """Set up a second factor for `user` through the service; return the secret and the recovery codes."""
    secret = two_factor.new_secret()
    codes = two_factor.enrol(user, secret, earlier_code(secret))
    db.session.commit()
    return secret, codes


def password_then_code(client, user, code: str, next_path: str | None = None):
    first = sign_in(client, user)
    assert first.status_code == 302 and first.location.startswith("/sign-in/code"), first.location
    return client.post(first.location if next_path else "/sign-in/code", data={"code": code})


@pytest.fixture
def programme(app):
    return make_programme()


def test_setting_up_through_the_pages_shows_a_qr_code_the_key_and_then_ten_recovery_codes(
    client, programme, viewer_user
):
    sign_in(client, viewer_user)
    status = client.get("/account/two-factor").get_data(as_text=True)
    assert "Off" in status and "Set up an authenticator app" in status

    page = client.get("/account/two-factor/set-up").get_data(as_text=True)
    key = re.search(r'<p class="govuk-body govuk-!-font-weight-bold" id="secret-key"><code>([A-Z2-7 ]+)</code>', page)
    assert key, page
    secret = key.group(1).replace(" ", "")
    assert all(len(group) == 4 for group in key.group(1).split())  # groups of 4 for typing by hand
    assert "<svg" in page and "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # CSP: no inline style
    uri = two_factor.provisioning_uri(secret, viewer_user.email)
    assert "issuer=Improvement%20programme%20tracker" in uri and "viewer%40council.example.gov.uk" in uri
    assert client.get("/account/two-factor/set-up").get_data(as_text=True).count(key.group(1)) == 1, (
        "same key on reload"
    )

    wrong = client.post(
        "/account/two-factor/set-up", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "The code is not right" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, viewer_user.id).has_second_factor

    done = client.post("/account/two-factor/set-up", data={"code": earlier_code(secret)}).get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", done)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "only time these codes are shown" in done
    db.session.expire_all()
    user = db.session.get(User, viewer_user.id)
    assert user.has_second_factor and user.totp_secret == secret
    assert ("two_factor_enrolled", f"{user.name} <{user.email}>") in audit_events()
    assert "On" in client.get("/account/two-factor").get_data(as_text=True)
    assert client.get("/account/two-factor/set-up").status_code == 302  # nothing more to set up


def test_recovery_codes_are_stored_only_as_hashes(app, viewer_user):
    _, codes = enrolled(viewer_user)
    stored = {row.code_hash for row in db.session.scalars(select(RecoveryCode))}
    assert len(stored) == 10
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}


def test_a_right_password_alone_does_not_sign_in_an_enrolled_account(client, programme, viewer_user):
    enrolled(viewer_user)
    response = sign_in(client, viewer_user)
    assert response.location == "/sign-in/code"
    assert client.get("/programmes").status_code == 302, "nobody is signed in yet"
    assert client.get("/programmes").location.startswith("/sign-in")
    events = [event for event, _ in audit_events()]
    assert "sign_in_password_accepted" in events and "sign_in" not in events


def test_a_code_from_the_app_finishes_signing_in_and_keeps_the_page_asked_for(client, programme, viewer_user):
    secret, _ = enrolled(viewer_user)
    first = client.post(
        "/sign-in?next=/programmes", data={"email": viewer_user.email, "password": DEFAULT_TEST_PASSWORD}
    )
    assert first.location == "/sign-in/code?next=/programmes"
    done = client.post(first.location, data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done.location == "/programmes"
    assert "Signed in as" in client.get("/programmes").get_data(as_text=True)
    assert "sign_in" in [event for event, _ in audit_events()]


def test_a_wrong_code_is_refused_by_the_field_and_audited(client, programme, viewer_user):
    secret, _ = enrolled(viewer_user)
    right = pyotp.TOTP(secret)
    wrong = next(
        code
        for code in ("123456", "654321", "111111")
        if code not in (right.at(time.time() + d) for d in (-STEP, 0, STEP))
    )
    response = password_then_code(client, viewer_user, wrong)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The code is not right" in page
    assert "govuk-error-summary" in page and 'href="#code"' in page and "<title>Error:" in page
    assert client.get("/programmes").status_code == 302
    assert ("sign_in_code_failed", viewer_user.email) in audit_events()


def test_a_code_cannot_be_used_twice(client, programme, viewer_user, app):
    secret, _ = enrolled(viewer_user)
    code = pyotp.TOTP(secret).now()
    assert password_then_code(client, viewer_user, code).status_code == 302
    client.post("/sign-out")
    other = app.test_client()
    replay = password_then_code(other, viewer_user, code)
    assert replay.status_code == 200 and "The code is not right" in replay.get_data(as_text=True)
    # The next step's code (one step of drift is allowed) still works
    assert other.post("/sign-in/code", data={"code": pyotp.TOTP(secret).at(time.time() + STEP)}).status_code == 302


def test_codes_more_than_one_step_away_are_refused(app, viewer_user):
    secret = two_factor.new_secret()
    totp = pyotp.TOTP(secret)
    now = time.time()
    at = utcnow()
    assert two_factor.accepted_step(secret, totp.at(now), None, at) is not None
    assert two_factor.accepted_step(secret, totp.at(now - 3 * STEP), None, at) is None
    assert two_factor.accepted_step(secret, totp.at(now + 3 * STEP), None, at) is None
    assert two_factor.accepted_step(secret, "12345", None, at) is None


def test_a_pending_sign_in_expires_after_five_minutes(client, programme, viewer_user):
    secret, _ = enrolled(viewer_user)
    sign_in(client, viewer_user)
    with client.session_transaction() as session:
        session[PENDING_AT] -= 5 * 60 + 1
    response = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    assert "Your sign-in timed out" in client.get(response.location).get_data(as_text=True)
    assert client.get("/programmes").status_code == 302, "still not signed in"
    assert client.get("/sign-in/code").location.startswith("/sign-in"), "the pending sign-in is gone"


def test_signing_out_everywhere_ends_a_pending_sign_in(client, programme, viewer_user):
    secret, _ = enrolled(viewer_user)
    sign_in(client, viewer_user)
    viewer_user.end_all_sessions()  # as a password change or an admin's reset does
    db.session.commit()
    response = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.location.startswith("/sign-in") and client.get("/programmes").status_code == 302


def test_a_recovery_code_signs_in_once(client, programme, viewer_user, app):
    _, codes = enrolled(viewer_user)
    assert password_then_code(client, viewer_user, codes[3].upper().replace("-", " ")).status_code == 302
    client.post("/sign-out")
    again = password_then_code(app.test_client(), viewer_user, codes[3])
    assert again.status_code == 200 and "The code is not right" in again.get_data(as_text=True)
    assert ("recovery_code_used", f"{viewer_user.email}: 9 left") in audit_events()
    page = _signed_in_with(app, viewer_user, codes[4]).get("/account/two-factor").get_data(as_text=True)
    assert "You have 8 unused recovery codes" in page


def _signed_in_with(app, user, code):
    client = app.test_client()
    assert password_then_code(client, user, code).status_code == 302
    return client


def test_wrong_codes_count_towards_the_lockout_and_a_right_password_does_not_clear_it(client, programme, viewer_user):
    secret, _ = enrolled(viewer_user)
    sign_in(client, viewer_user)
    for attempt in range(MAX_FAILURES):
        if attempt == MAX_FAILURES // 2:
            sign_in(client, viewer_user)  # the right password again: the count carries on
        client.post("/sign-in/code", data={"code": "not-a-code"})
    refused = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 429 and "Too many failed attempts" in refused.get_data(as_text=True)
    assert sign_in(client, viewer_user).status_code == 429
    assert "lockout" in [event for event, _ in audit_events()]


def test_nothing_says_whether_an_email_has_an_account_or_a_second_factor(client, programme, viewer_user):
    enrolled(viewer_user)
    known = client.post("/sign-in", data={"email": viewer_user.email, "password": "wrong password entirely"})
    unknown = client.post(
        "/sign-in", data={"email": "nobody@council.example.gov.uk", "password": DEFAULT_TEST_PASSWORD}
    )
    assert known.status_code == unknown.status_code == 200
    strip = lambda page: re.sub(r'value="[^"]*"', "", page)  # noqa: E731 - the typed email is shown back
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    no_pending = client.get("/sign-in/code")
    assert no_pending.status_code == 302 and no_pending.location == "/sign-in"


def test_turning_off_and_new_recovery_codes_need_the_password_and_a_code(app, programme, viewer_user):
    secret, codes = enrolled(viewer_user)
    client = _signed_in_with(app, viewer_user, pyotp.TOTP(secret).now())
    wrong_password = client.post(
        "/account/two-factor/recovery-codes", data={"current_password": "not it", "code": codes[0]}
    )
    assert "Your current password is incorrect" in wrong_password.get_data(as_text=True)
    renewed = client.post(
        "/account/two-factor/recovery-codes", data={"current_password": DEFAULT_TEST_PASSWORD, "code": codes[0]}
    ).get_data(as_text=True)
    new_codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", renewed)
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    bad_code = client.post(
        "/account/two-factor/turn-off", data={"current_password": DEFAULT_TEST_PASSWORD, "code": codes[1]}
    )
    assert "The code is not right" in bad_code.get_data(as_text=True), "the old recovery codes stopped working"
    off = client.post(
        "/account/two-factor/turn-off", data={"current_password": DEFAULT_TEST_PASSWORD, "code": new_codes[0]}
    )
    assert off.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, viewer_user.id).has_second_factor
    assert db.session.scalars(select(RecoveryCode)).all() == []
    events = [event for event, _ in audit_events()]
    assert "recovery_codes_renewed" in events and "two_factor_turned_off" in events
    assert sign_in(app.test_client(), viewer_user).location == "/", "the password alone signs in again"


@pytest.fixture
def required(app):
    app.config["REQUIRE_TWO_FACTOR_FOR_ADMINS"] = True


def test_when_required_an_admin_without_a_second_factor_is_sent_to_set_one_up(
    required, programme, app, admin_user, viewer_user
):
    admin = app.test_client()
    assert sign_in(admin, admin_user).status_code == 302
    for page in ("/programmes", "/admin/users", "/p/test/"):
        response = admin.get(page)
        assert response.status_code == 302 and response.location == "/account/two-factor", page
    status = admin.get("/account/two-factor").get_data(as_text=True)
    assert "you must set up two-step verification" in status
    assert admin.get("/account/two-factor/set-up").status_code == 200
    viewer = app.test_client()
    sign_in(viewer, viewer_user)
    assert viewer.get("/programmes").status_code == 200, "only admins must"
    assert admin.post("/sign-out").location == "/sign-in"


def test_when_required_the_office_of_one_programme_must_set_one_up_too(required, programme, app, viewer_user):
    viewer_user.programme_roles.append(ProgrammeRole(programme_id=programme.id, role=Role.ADMIN))
    client = app.test_client()
    sign_in(client, viewer_user)
    assert client.get("/programmes").location == "/account/two-factor"
    secret = two_factor.new_secret()
    with client.session_transaction() as session:
        session["two_factor_setup_secret"] = secret
    assert client.post("/account/two-factor/set-up", data={"code": earlier_code(secret)}).status_code == 200
    assert client.get("/programmes").status_code == 200


def test_the_programme_office_resets_a_lost_second_factor_from_the_people_pages(
    app, programme, admin_client, viewer_user
):
    secret, _ = enrolled(viewer_user)
    victim = _signed_in_with(app, viewer_user, pyotp.TOTP(secret).now())
    page = admin_client.get(f"/admin/users/{viewer_user.id}").get_data(as_text=True)
    assert "Reset two-step verification" in page
    response = admin_client.post(f"/admin/users/{viewer_user.id}/reset-two-factor")
    assert response.status_code == 302
    assert "has been removed" in admin_client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, viewer_user.id)
    assert not user.has_second_factor and db.session.scalars(select(RecoveryCode)).all() == []
    assert victim.get("/programmes").status_code == 302, "signed out everywhere"
    assert ("two_factor_reset", f"{user.name} <{user.email}> by Pat Director") in audit_events()
    again = admin_client.post(f"/admin/users/{viewer_user.id}/reset-two-factor")
    assert "has not set up an authenticator app" in admin_client.get(again.location).get_data(as_text=True)
    assert sign_in(app.test_client(), viewer_user).location == "/"


def test_the_command_line_resets_a_second_factor(app, runner, viewer_user):
    enrolled(viewer_user)
    result = runner.invoke(args=["users", "reset-two-factor", "--email", viewer_user.email])
    assert result.exit_code == 0, result.output
    assert "Removed the authenticator app" in result.output
    db.session.expire_all()
    assert not db.session.get(User, viewer_user.id).has_second_factor
    assert any(event == "two_factor_reset" and "from the command line" in detail for event, detail in audit_events())
    again = runner.invoke(args=["users", "reset-two-factor", "--email", viewer_user.email])
    assert again.exit_code == 1 and "has not set up an authenticator app" in again.output


def test_the_code_page_is_rate_limited(app, database_url, viewer_user):
    enrolled(viewer_user)
    limited = create_app(make_test_config(database_url, RATELIMIT_ENABLED=True, TWO_FACTOR_RATE_LIMIT="2 per minute"))
    client = limited.test_client()
    with limited.app_context():
        sign_in(client, viewer_user)
    answers = [client.post("/sign-in/code", data={"code": "not-a-code"}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]

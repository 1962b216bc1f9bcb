"""The second factor: the code asked for after the password, and the account page that sets it up."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from tracker.auth import two_factor
from tracker.auth.access import safe_next_path
from tracker.auth.forms import SecondFactorChangeForm, SetUpTwoFactorForm, SignInCodeForm
from tracker.auth.models import User
from tracker.auth.permissions import admin_somewhere, is_signed_in
from tracker.auth.sessions import PENDING_USER, end_session, pending_sign_in, start_session
from tracker.core.web import attempt
from tracker.extensions import db

bp = Blueprint("two_factor", __name__)

HOME = "site.home"
SETUP_SECRET = "two_factor_setup_secret"  # the secret being set up, until a code from the app confirms it
TIMED_OUT = "Your sign-in timed out. Enter your email address and password again."


def _signed_in_user() -> User:
    return current_user._get_current_object()  # noqa: SLF001 - the User, not the proxy


def _client_ip() -> str:
    return (request.remote_addr or "unknown")[:45]


def _no_pending_sign_in(next_path: str | None) -> Response:
    if is_signed_in(current_user):
        return redirect(next_path or url_for(HOME))
    if PENDING_USER in session:
        end_session()
        flash(TIMED_OUT, "info")
    return redirect(url_for("auth.sign_in", next=next_path))


def _render_code(form: SignInCodeForm, next_path: str | None, error: str = "", status: int = 200) -> tuple[str, int]:
    if error:  # a wrong code, or a lockout: said by the field, as a form's own errors are
        form.code.errors = [*form.code.errors, error]
    page = render_template("auth/sign_in_code.html", title="Enter your security code", form=form, next_path=next_path)
    return page, status


def _recovery_codes(codes: list[str], title: str) -> str:
    return render_template("auth/recovery_codes.html", title=title, codes=codes)


def _set_up_page(form: SetUpTwoFactorForm, secret: str, email: str) -> str:
    qr = Markup(two_factor.qr_svg(two_factor.provisioning_uri(secret, email)))  # segno's SVG: no user input in it
    grouped = two_factor.grouped(secret)
    return render_template(
        "auth/two_factor_set_up.html", title="Set up an authenticator app", form=form, qr=qr, secret=grouped
    )


def _change_page(form: SecondFactorChangeForm, title: str, action: str) -> str:
    return render_template("auth/two_factor_change.html", title=title, form=form, action=action)


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code() -> Response | tuple[str, int]:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    next_path = safe_next_path(request.values.get("next"))
    user = pending_sign_in()
    if user is None:
        return _no_pending_sign_in(next_path)
    form = SignInCodeForm()
    if not form.validate_on_submit():
        return _render_code(form, next_path)
    result = two_factor.sign_in_with_code(user, form.code.data, _client_ip())
    db.session.commit()
    if result.user is None:
        return _render_code(form, next_path, error=result.error, status=result.status)
    start_session(result.user)
    return redirect(next_path or url_for(HOME))


@bp.get("/account/two-factor")
def status() -> str:
    """Say whether sign-in asks for a code, and offer to set it up, turn it off or renew the recovery codes."""
    user = _signed_in_user()
    left = two_factor.recovery_codes_left(user) if user.has_second_factor else 0
    required = admin_somewhere(user) and bool(current_app.config.get("REQUIRE_TWO_FACTOR_FOR_ADMINS"))
    return render_template("auth/two_factor.html", title="Two-step verification", left=left, required=required)


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
def set_up() -> str | Response:
    """Show a new secret (QR code and text) and turn the second factor on once the app's code matches it."""
    user = _signed_in_user()
    if user.has_second_factor:
        return redirect(url_for(".status"))
    secret = session.setdefault(SETUP_SECRET, two_factor.new_secret())
    form = SetUpTwoFactorForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: two_factor.enrol(user, secret, form.code.data), form)
        if outcome.result is not None:
            db.session.commit()
            session.pop(SETUP_SECRET, None)
            return _recovery_codes(outcome.result, "Two-step verification is on")
    return _set_up_page(form, secret, user.email)


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
def new_recovery_codes() -> str | Response:
    """Replace the recovery codes, with the password and a code; the new ones are shown once."""
    user = _signed_in_user()
    if not user.has_second_factor:
        return redirect(url_for(".status"))
    form = SecondFactorChangeForm()
    if form.validate_on_submit():
        password, code = form.current_password.data, form.code.data
        outcome = attempt(lambda: two_factor.renew_recovery_codes(user, password, code), form)
        if outcome.result is not None:
            db.session.commit()
            return _recovery_codes(outcome.result, "Your new recovery codes")
    return _change_page(form, "Get new recovery codes", "Get new codes")


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
def turn_off() -> str | Response:
    """Stop asking for a code at sign-in, with the password and a code."""
    user = _signed_in_user()
    if not user.has_second_factor:
        return redirect(url_for(".status"))
    form = SecondFactorChangeForm()
    if form.validate_on_submit():
        password, code = form.current_password.data, form.code.data
        outcome = attempt(lambda: two_factor.turn_off(user, password, code), form)
        if outcome.ok:
            db.session.commit()
            flash("Two-step verification is off. Signing in asks only for your password.", "success")
            return redirect(url_for(".status"))
    return _change_page(form, "Turn off two-step verification", "Turn off")

"""Signing in and out, changing your own password, and setting one from a one-time link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth import services
from tracker.auth.access import safe_next_path
from tracker.auth.forms import ChangePasswordForm, SetPasswordForm, SignInForm
from tracker.auth.models import User
from tracker.auth.permissions import is_signed_in
from tracker.auth.sessions import end_session, start_pending_sign_in, start_session
from tracker.core.web import attempt
from tracker.extensions import db

bp = Blueprint("auth", __name__)

HOME = "site.home"


def _client_ip() -> str:
    return (request.remote_addr or "unknown")[:45]


def _signed_in_user() -> User:
    return current_user._get_current_object()  # noqa: SLF001 - the User, not the proxy


def _render_sign_in(form: SignInForm, next_path: str | None, error: str = "", status: int = 200) -> tuple[str, int]:
    page = render_template(
        "auth/sign_in.html", title="Sign in", form=form, next_path=next_path, sign_in_error=error or None
    )
    return page, status


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | tuple[str, int]:
    """Sign in with email and password, within the throttle's limits."""
    next_path = safe_next_path(request.values.get("next"))
    if request.method == "GET" and is_signed_in(current_user):
        return redirect(next_path or url_for(HOME))
    form = SignInForm()
    if not form.validate_on_submit():
        return _render_sign_in(form, next_path)
    result = services.sign_in(form.email.data[:254], form.password.data, _client_ip())
    db.session.commit()
    if result.user is None:
        return _render_sign_in(form, next_path, error=result.error, status=result.status)
    if result.needs_code:  # the password was right; a code from the app is still owed
        start_pending_sign_in(result.user)
        return redirect(url_for("two_factor.sign_in_code", next=next_path))
    start_session(result.user)
    return redirect(next_path or url_for(HOME))


@bp.post("/sign-out")
def sign_out() -> Response:
    """Sign out everywhere."""
    services.sign_out(_signed_in_user())
    db.session.commit()
    end_session()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> str | Response:
    """Change your own password, ending your sessions elsewhere."""
    form = ChangePasswordForm()
    user = _signed_in_user()
    if form.validate_on_submit():
        outcome = attempt(
            lambda: services.change_own_password(user, form.current_password.data, form.new_password.data), form
        )
        if outcome.ok:
            db.session.commit()
            start_session(user)  # this browser carries on; every other session has ended
            flash("Your password has been changed. You have been signed out everywhere else.", "success")
            return redirect(url_for(HOME))
    return render_template("auth/change_password.html", title="Change your password", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Set a password from a one-time link."""
    stored = services.usable_reset_token(token)
    if stored is None:
        return render_template(
            "auth/reset_link_invalid.html", title="This link has expired or has already been used"
        ), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: services.set_password_from_link(stored, form.new_password.data), form)
        if outcome.result is not None:
            db.session.commit()
            if current_user.is_authenticated:  # session mechanics: whoever this browser was, it starts afresh
                end_session()
            flash(f"Your password has been set. Sign in with {outcome.result.email} and your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", title="Set your password", form=form, user=stored.user)

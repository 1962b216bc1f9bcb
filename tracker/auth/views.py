"""Signing in and out, changing your own password, and setting one from a one-time link."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.audit.services import record_audit_event
from tracker.auth import services, throttle
from tracker.auth.access import safe_next_path
from tracker.auth.forms import ChangePasswordForm, SetPasswordForm, SignInForm
from tracker.auth.passwords import hash_password
from tracker.auth.sessions import end_session, start_session
from tracker.extensions import db

bp = Blueprint("auth", __name__)

INCORRECT = "Email or password is incorrect"


def _client_ip() -> str:
    return (request.remote_addr or "unknown")[:45]


def _render_sign_in(form: SignInForm, next_path: str | None, error: str | None = None, status: int = 200):
    return render_template("auth/sign_in.html", title="Sign in", form=form, next_path=next_path, sign_in_error=error), status


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_path = safe_next_path(request.values.get("next"))
    form = SignInForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_path or url_for("programme.overview"))
        return _render_sign_in(form, next_path)
    if not form.validate_on_submit():
        return _render_sign_in(form, next_path)

    email, ip = form.email.data[:254], _client_ip()
    lockout = throttle.current_lockout(email, ip)
    if lockout is not None:
        # Refused without looking at the password: a right one during a lockout is refused too.
        throttle.record_attempt(email, ip, succeeded=False, refused=True)
        record_audit_event("sign_in_refused", f"{email} (locked out)", user=services.user_by_email(email))
        db.session.commit()
        return _render_sign_in(form, next_path, error=lockout.message, status=429)

    user = services.authenticate(email, form.password.data)
    if user is None:
        throttle.record_attempt(email, ip, succeeded=False)
        record_audit_event("sign_in_failed", email, user=services.user_by_email(email))
        db.session.flush()
        if throttle.current_lockout(email, ip) is not None:
            record_audit_event("lockout", f"{email} from {ip}: {throttle.MAX_FAILURES} failed attempts within 5 minutes")
        db.session.commit()
        return _render_sign_in(form, next_path, error=INCORRECT)

    throttle.record_attempt(email, ip, succeeded=True)
    if not user.password_hash.startswith(_hash_method_prefix()):
        user.password_hash = hash_password(form.password.data)  # bring old hashes up to today's cost
    user.last_signed_in_at = datetime.now(timezone.utc)
    record_audit_event("sign_in", f"{user.email}", user=user)
    db.session.commit()
    start_session(user)
    return redirect(next_path or url_for("programme.overview"))


def _hash_method_prefix() -> str:
    from flask import current_app

    return current_app.config["PASSWORD_HASH_METHOD"] + "$"


@bp.post("/sign-out")
def sign_out():
    user = current_user._get_current_object()  # noqa: SLF001
    user.end_all_sessions()
    record_audit_event("sign_out", user.email, user=user)
    db.session.commit()
    end_session()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()  # noqa: SLF001
    if form.validate_on_submit():
        try:
            services.change_own_password(user, form.current_password.data, form.new_password.data)
        except services.AccountError as error:
            getattr(form, error.field or "current_password").errors.append(str(error))
        else:
            db.session.commit()
            start_session(user)  # this browser carries on; every other session has ended
            flash("Your password has been changed. You have been signed out everywhere else.", "success")
            return redirect(url_for("programme.overview"))
    return render_template("auth/change_password.html", title="Change your password", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    stored = services.usable_reset_token(token)
    if stored is None:
        return render_template("auth/reset_link_invalid.html", title="This link has expired or has already been used"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.set_password_from_link(stored, form.new_password.data)
        except services.AccountError as error:
            form.new_password.errors.append(str(error))
        else:
            db.session.commit()
            if current_user.is_authenticated:
                end_session()
            flash(f"Your password has been set. Sign in with {user.email} and your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", title="Set your password", form=form, user=stored.user)

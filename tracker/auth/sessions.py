"""Signed-in sessions: renewal at sign-in, generation checks, idle and absolute timeouts.

Flask's session is a signed cookie with no server-side id, so "renewing the session id" means
clearing the cookie's content and starting it afresh. The user id Flask-Login stores is
"<id>:<session_generation>"; bumping the user's generation ends every session issued before.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, flash, g, redirect, request, session
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.auth.access import sign_in_url_for_current_request
from tracker.auth.events import record_event
from tracker.auth.models import User
from tracker.auth.permissions import is_signed_in
from tracker.extensions import db, login_manager

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
EXPIRED_MESSAGE = (
    "You were signed out because you had not used the service for {minutes} minutes. Sign in again to continue."
)
PENDING_USER = "password_checked_for"
PENDING_AT = "password_checked_at"
PENDING_LIFETIME = timedelta(minutes=5)  # from a right password to the code
ABSOLUTE_MESSAGE = "You were signed out because you had been signed in for {hours} hours. Sign in again to continue."


def load_user(session_user_id: str) -> User | None:
    """Return the user of a session, or None if the session was ended or the account deactivated."""
    user_id, _, generation = session_user_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_generation != int(generation):
        return None
    # The session stands only while the account counts as signed in and active.
    return user if is_signed_in(user) else None


def start_session(user: User) -> None:
    """Sign the user in with a brand-new session: nothing from before sign-in survives."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # belonged to the old session
    login_user(user, remember=False)
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now


def start_pending_sign_in(user: User) -> None:
    """Remember, in a fresh session, only that this user's password was right just now (a code is still owed).

    Nobody is signed in: the guard sees an anonymous visitor. The pending sign-in carries the user's
    session generation, so signing out everywhere or a new password ends it as it ends sessions.
    """
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    session[PENDING_USER] = user.get_id()
    session[PENDING_AT] = int(time.time())


def pending_sign_in() -> User | None:
    """Return the user whose password was checked in this browser within PENDING_LIFETIME, else None."""
    user_id, at = session.get(PENDING_USER), session.get(PENDING_AT)
    if not isinstance(user_id, str) or not isinstance(at, int):
        return None
    if time.time() - at > PENDING_LIFETIME.total_seconds():
        return None
    user = load_user(user_id)
    return user if user is not None and user.has_second_factor else None


def end_session() -> None:
    """Forget the session in this browser (other browsers end through the user's generation)."""
    logout_user()
    session.clear()


def _session_expiry_message() -> str | None:
    now = time.time()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if not isinstance(signed_in_at, (int, float)) or not isinstance(last_seen_at, (int, float)):
        return "Sign in to continue."
    if now - signed_in_at > absolute.total_seconds():
        return ABSOLUTE_MESSAGE.format(hours=round(absolute.total_seconds() / 3600))
    if now - last_seen_at > idle.total_seconds():
        return EXPIRED_MESSAGE.format(minutes=round(idle.total_seconds() / 60))
    return None


def enforce_session_timeouts() -> Response | None:
    """Sign out sessions past the idle or absolute limit; keep the idle clock running otherwise."""
    # Session mechanics, not permission: is there a session in this browser to time out?
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    message = _session_expiry_message()
    if message is not None:
        record_event("session_expired", message, user=current_user._get_current_object())  # noqa: SLF001
        db.session.commit()
        end_session()
        flash(message, "info")
        return redirect(sign_in_url_for_current_request())
    session[LAST_SEEN_AT] = int(time.time())
    return None


def forget_request_user(_error=None) -> None:
    """Drop what Flask-Login, Flask-WTF and the guard cache on g for one request.

    g belongs to the app context, and when one is already pushed (tests, CLI scripts) every
    request shares it; without this one client's user would leak into the next request.
    """
    g.pop("_login_user", None)
    g.pop("public_progress_pages", None)  # cached by tracker.programme.permissions.public_progress_pages_on
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's cached token


def register(app: Flask) -> None:
    """Load users from sessions, forget per-request state, and enforce the session timeouts."""
    app.before_request(forget_request_user)
    app.teardown_request(forget_request_user)
    login_manager.user_loader(load_user)
    # No remember-me cookie and no Flask-Login redirect: the guard in access.py decides.
    login_manager.session_protection = "basic"
    app.before_request(enforce_session_timeouts)

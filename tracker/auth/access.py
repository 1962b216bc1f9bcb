"""Who may open which page: the sign-in guard run before every request, and admin_required.

Every endpoint needs a signed-in user except those listed here. Packages that add pages anyone
may open (without signing in) add their endpoint names to ANONYMOUS_ENDPOINTS; read-only
progress pages that become public when the admin turns on "public progress pages" go in
PROGRESS_PAGE_ENDPOINTS.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, url_for
from flask_login import current_user

ANONYMOUS_ENDPOINTS: set[str] = {
    "static",
    "health.healthz",
    "auth.sign_in",
    "auth.reset_password",
    # The accessibility statement and the status definitions must be readable by anyone.
    "programme.accessibility",
    "programme.status_definitions",
}

PROGRESS_PAGE_ENDPOINTS: set[str] = {
    "programme.overview",
    "programme.workstream",
    "programme.project",
    "programme.action",
    "programme.action_list",
}


def safe_next_path(target: str | None) -> str | None:
    """Return target if it is a path on this site, else None (no open redirects)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def sign_in_url_for_current_request() -> str:
    """Return /sign-in with next= pointing back at the page asked for (GET pages only)."""
    if request.method == "GET" and request.endpoint not in ("auth.sign_in", "auth.sign_out"):
        path = request.full_path if request.query_string else request.path
        next_path = safe_next_path(path)
        if next_path and next_path != "/":
            return url_for("auth.sign_in", next=next_path)
    return url_for("auth.sign_in")


def public_progress_pages_on() -> bool:
    """Return whether the admin has opened the progress pages to everyone (asked once a request)."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.programme.models import Programme

    if "public_progress_pages" not in g:
        g.public_progress_pages = bool(db.session.scalar(select(Programme.public_progress_pages).limit(1)))
    return g.public_progress_pages


def require_sign_in():
    """Send anonymous visitors of protected pages to sign in."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page or method: let routing answer 404 / 405
    if endpoint in ANONYMOUS_ENDPOINTS or current_user.is_authenticated:
        return None
    if request.method in ("GET", "HEAD") and endpoint in PROGRESS_PAGE_ENDPOINTS and public_progress_pages_on():
        return None
    return redirect(sign_in_url_for_current_request())


def admin_required(view):
    """Let only signed-in admins through; everyone else signed in gets 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not (current_user.is_authenticated and current_user.is_admin):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def register(app: Flask) -> None:
    app.before_request(require_sign_in)

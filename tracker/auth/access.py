"""Who may open which page: the sign-in guard run before every request, and admin_required.

Every endpoint needs a signed-in user except those a domain opens in its init_app, through
the registry: ``allow_anonymous`` (always open) or ``allow_public`` (open while a setting says so).
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, url_for
from flask_login import current_user

from tracker.core.registry import registry_of

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


def require_sign_in():
    """Send anonymous visitors of protected pages to sign in."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page or method: let routing answer 404 / 405
    if current_user.is_authenticated or registry_of().is_open_to_anyone(endpoint, request.method):
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

"""Who may open which page: the sign-in guard run before every request, and the admins-only guard.

Every endpoint needs a signed-in user except those a domain opens in its init_app, through
the registry: ``allow_anonymous`` (always open) or ``allow_public`` (open while a setting says so).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth.permissions import admin_somewhere, is_admin, is_signed_in
from tracker.core.errors import NotAllowed
from tracker.core.registry import registry_of

# The people, the audit log and new programmes belong to the installation, not to one programme.
ADMINS_ONLY = "Only an admin of the installation can open this page."
# What an admin who must set up a second factor may still open (None: no such page, routing answers).
OPEN_UNTIL_ENROLLED = {None, "static", "auth.sign_out", "two_factor.status", "two_factor.set_up"}


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


def require_sign_in() -> Response | None:
    """Send anonymous visitors of protected pages to sign in."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page or method: let routing answer 404 / 405
    if is_signed_in(current_user) or registry_of().is_open_to_anyone(endpoint, request.method):
        return None
    return redirect(sign_in_url_for_current_request())


def require_two_factor_for_admins() -> Response | None:
    """When REQUIRE_TWO_FACTOR_FOR_ADMINS is set, send admins without a second factor to set one up first."""
    if not current_app.config.get("REQUIRE_TWO_FACTOR_FOR_ADMINS") or request.endpoint in OPEN_UNTIL_ENROLLED:
        return None
    if not admin_somewhere(current_user) or current_user.has_second_factor:
        return None
    return redirect(url_for("two_factor.status"))


def admins_only() -> None:
    """Refuse everyone but signed-in installation admins (a blueprint's before_request hook); others get 403."""
    if not is_admin(current_user):
        raise NotAllowed(ADMINS_ONLY)


def register(app: Flask) -> None:
    """Run the sign-in guard, then the second-factor guard, before every request."""
    app.before_request(require_sign_in)
    app.before_request(require_two_factor_for_admins)

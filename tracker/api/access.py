"""Who is calling the API: a personal token (``Authorization: Bearer trk_…``) or the browser's session.

The API requires authentication: the public progress pages setting opens web pages to anonymous
visitors, not the API (a tool that refreshes a report has a token, and an open API would let
anyone copy the whole plan in a few requests). Anyone signed in and active may read every
programme (``auth.permissions.role_of``, the rule the progress pages follow), with the role they hold there.
"""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from tracker.api.problems import NotSignedIn
from tracker.api.tokens import user_for_token
from tracker.auth.models import User
from tracker.auth.permissions import is_signed_in, role_of
from tracker.core.errors import NotAllowed
from tracker.extensions import db
from tracker.programme.context import current_programme
from tracker.programme.models import Programme

BAD_TOKEN = (
    "The API token is not valid: it may have expired or been revoked, or its owner's account is no longer "
    "active. Create a new one from the API tokens page."
)
NO_CREDENTIALS = "Send a personal API token as 'Authorization: Bearer <token>', or sign in to the tracker."


def authenticate() -> None:
    """Find the caller before any API view runs (the blueprint's before_request); 401 if there is none."""
    # g outlives a request where an app context is already open (tests, commands): start afresh,
    # or one answer's ETag (flask-smorest keeps it in g) would be sent with the next.
    for leftover in ("_flask_smorest", "api_etag", "api_user"):
        g.pop(leftover, None)
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        user = user_for_token(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None or role_of(user) is None:
            db.session.rollback()
            raise NotSignedIn(BAD_TOKEN)
        if db.session.dirty:
            db.session.commit()  # the token's last-used stamp (at most every few minutes), before any read
        g.api_user = user
        return
    # A browser that is signed in may read the API too. Every API route is GET only (a read API),
    # so a request forged by another site can change nothing: no CSRF token is needed.
    if is_signed_in(current_user):
        g.api_user = current_user._get_current_object()  # noqa: SLF001 - the real User, not the proxy
        return
    raise NotSignedIn(NO_CREDENTIALS)


def api_user() -> User:
    """Return the caller found by ``authenticate``."""
    user: User = g.api_user
    return user


def may_read(user: User, programme: Programme) -> bool:
    """Read a programme as its progress pages are read: signed in and active, whatever the role there."""
    return role_of(user, programme.id) is not None


def readable_programme() -> Programme:
    """Return the programme the address names, if the caller may read it (404 / 403 otherwise)."""
    programme = current_programme()
    if not may_read(api_user(), programme):
        raise NotAllowed(f"You may not read programme {programme.short_name}.")
    return programme

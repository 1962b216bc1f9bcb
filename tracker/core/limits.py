"""Request rate limits, through Flask-Limiter (a maintained library, not hand-written counters).

One Limiter per app, shared by every gunicorn worker through Redis when REDIS_URL is set (with
`memory://` each worker would count alone: four workers, four times the limit). When Redis does not
answer, the limiter counts in the worker's memory rather than failing the request.

Domains ask for a limit on one of their endpoints with `rate_limit(app, endpoint, config_key)`;
the limit itself is a setting ("20 per minute"), so an operator can change it without a release.
These limits sit in front of the sign-in lockout of tracker/auth/throttle.py (failed attempts per
account), which they do not replace.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, cast

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

EXTENSION_KEY = "tracker_limiter"
TOO_MANY = "You have made too many requests in a short time. Wait a minute, then try again."


def person_or_address() -> str:
    """Count a signed-in person's requests as theirs wherever they come from; anyone else's by address."""
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return f"person:{current_user.get_id()}"
    return get_remote_address()


def caller() -> str:
    """Count API requests per token (hashed: the key never holds the secret), else per person or address."""
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return person_or_address()


def init_limits(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "tracker-limits")
    app.extensions[EXTENSION_KEY] = Limiter(get_remote_address, app=app)


def rate_limit(
    app: Flask,
    endpoint: str,
    config_key: str,
    methods: tuple[str, ...] = ("POST",),
    key: Callable[[], str] | None = None,
) -> None:
    """Limit requests to `endpoint` (by client address unless `key` says otherwise) to app.config[config_key]."""
    limiter: Limiter = app.extensions[EXTENSION_KEY]
    view: Any = app.view_functions[endpoint]
    app.view_functions[endpoint] = limiter.limit(
        lambda: current_app.config[config_key], methods=list(methods), key_func=key, error_message=TOO_MANY
    )(view)


def rate_limit_blueprint(app: Flask, name: str, config_key: str, key: Callable[[], str] | None = None) -> None:
    """Limit every request to the blueprint `name`, counted before the blueprint's own request hooks run
    (so that refused callers, a wrong token included, are counted too)."""
    limiter: Limiter = app.extensions[EXTENSION_KEY]
    blueprint = cast(Blueprint, app.blueprints[name])
    limiter.limit(lambda: current_app.config[config_key], key_func=key, error_message=TOO_MANY)(blueprint)

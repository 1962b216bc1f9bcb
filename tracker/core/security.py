"""Security headers on every response: pages, error pages, files, exports and reports alike.

One after_request hook, so nothing a view returns (or an error handler, or the static files) can
leave them out. The pages load only their own script, styles and images (no inline style: charts are SVG drawn with
attributes; one inline script, GOV.UK Frontend's, allowed by its hash), so the policy can say 'self'
and nothing else.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

GOVUK_TEMPLATE_SCRIPT_HASH = "sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw="
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # GOV.UK Frontend's page template marks the body as script-capable with one inline script;
        # this is its hash (the one the Design System publishes; tests/core/test_security_headers.py
        # recomputes it from the rendered page).
        f"script-src 'self' '{GOVUK_TEMPLATE_SCRIPT_HASH}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=31536000; includeSubDomains"
SESSION_COOKIE_PREFIX = "__Host-"


def configure_cookies(app: Flask) -> None:
    """Under HTTPS the session cookie is a __Host- cookie: sent only over HTTPS, only to this host, path /."""
    if app.config.get("SESSION_COOKIE_SECURE"):
        name = app.config.get("SESSION_COOKIE_NAME", "session")
        if not name.startswith(SESSION_COOKIE_PREFIX):
            app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE_PREFIX + name
        app.config["SESSION_COOKIE_DOMAIN"] = None  # a __Host- cookie must not name a domain
        app.config["SESSION_COOKIE_PATH"] = "/"


def register(app: Flask) -> None:
    configure_cookies(app)

    @app.after_request
    def _secure_headers(response: Response) -> Response:
        for header, value in SECURE_HEADERS.items():
            response.headers.setdefault(header, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if _private(response):
            # Signed-in pages, exports and reports name people and their work: no copy in any cache,
            # the browser's back-forward cache included. A view that manages caching itself (the
            # read API's ETags) says so with its own Cache-Control.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _private(response: Response) -> bool:
    if request.endpoint == "static":
        return False
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        return True
    # The user this request already loaded, if any: asking Flask-Login afresh could hit the database
    # while an error page for a database failure is being sent.
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)

"""The read API for Power BI and other tools (/api/v1/), its OpenAPI document, and personal API tokens.

flask-smorest (marshmallow schemas, apispec) was chosen because it works with this plain Flask app
through blueprints (the app factory stays as it is), dumps each response through the same schema
that writes the OpenAPI document, and brings ETag support. Its app-wide JSON error handler is not
installed: errors under /api/ are RFC 9457 problem details (api.problems), and every other page
keeps its styled HTML error page.
"""

from __future__ import annotations

from flask import Flask

AUDIT_LABELS = {
    "api_token_created": "API token created",
    "api_token_revoked": "API token revoked",
}

CONFIG_DEFAULTS = {
    "API_TITLE": "Improvement programme tracker",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    # Sorted keys: the same document byte for byte on every request (and in a diff).
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Read-only JSON for reports. Authenticate with a personal API token "
            "(Authorization: Bearer <token>) created on the API tokens page, or a signed-in browser session."
        },
        "components": {
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer", "description": "A personal API token (trk_…)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            }
        },
        "security": [{"bearerToken": []}, {"session": []}],
    },
}


def init_app(app: Flask) -> None:
    """Add the API, its document, the API page and the token pages."""
    import tracker.api.models  # noqa: F401
    from tracker.api import problems
    from tracker.api.api_views import bp as api_bp
    from tracker.api.spec import ProblemDetailsApi
    from tracker.api.token_views import bp as pages_bp
    from tracker.auth.permissions import is_signed_in
    from tracker.core.limits import caller, person_or_address, rate_limit, rate_limit_blueprint
    from tracker.core.registry import registry_of

    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    api = ProblemDetailsApi(app)
    api.register_blueprint(api_bp)
    problems.cover_unrouted_addresses(app)
    app.register_blueprint(pages_bp)
    app.extensions["tracker.api"] = api
    registry = registry_of(app)
    # The API checks its own callers (a token or the session) and answers 401, never a sign-in redirect.
    registry.allow_anonymous(*(rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")))
    # What the API offers is no secret: the document and the page that explains it are open.
    registry.allow_anonymous("api-docs.openapi_json", "api_pages.api_page")
    registry.add_nav_item("api_pages.api_page", "API", 85, is_signed_in)
    registry.add_audit_labels(AUDIT_LABELS)
    rate_limit(app, "api_pages.token_list", "API_TOKEN_RATE_LIMIT", key=person_or_address)
    rate_limit_blueprint(app, "api", "API_RATE_LIMIT", key=caller)

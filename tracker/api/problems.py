"""Errors under /api/ as RFC 9457 problem details (``application/problem+json``), everywhere else as pages.

The API's blueprint answers its own errors here: refusals from the services (``core.errors``), HTTP
errors (401 from the token check, 422 from a query parameter refused by its schema, 304 from a
conditional GET) and anything unexpected (500, logged, nothing said about the inside). An address
under /api/ that matches no route has no blueprint, so the app-wide HTTP error handler is wrapped:
it answers problem details for /api/ and hands every other address to the styled error pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, Unauthorized

from tracker.core.errors import InvalidChange, ServiceError
from tracker.extensions import db

PROBLEM_JSON = "application/problem+json"
API_PATH = "/api/"
# Said of every 500: the log has the details, the caller only needs to know to try again.
SERVER_ERROR = "Something went wrong on our side; nothing was changed. Try again later."
# Words for errors that carry only werkzeug's generic description.
DETAILS = {
    404: "There is nothing at this address in the API. The API page lists the addresses there are.",
    405: "The API only reads: use GET.",
}


class NotSignedIn(Unauthorized):
    """No usable credentials: a 401 that tells the caller how to authenticate."""

    def __init__(self, detail: str) -> None:
        super().__init__(description=detail, www_authenticate=None)


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """Return a problem-details response: type, title, status and detail (plus extension members)."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker API"'
    response.headers.update(headers or {})
    return response


def from_http_error(error: HTTPException) -> Response:
    """Answer an HTTP error; a 304 from the ETag check is not an error and goes out empty."""
    code = error.code or 500
    if code == 304:
        # The tag the caller holds is still current: say so, with the tag, and send no body.
        response = Response(status=304)
        if g.get("api_etag"):
            response.set_etag(g.api_etag)
        return response
    if code >= 500:
        return problem(code, SERVER_ERROR)
    data = getattr(error, "data", None) or {}
    if code == 422 and "messages" in data:
        # webargs: the query parameters a schema refused, by location then name.
        return problem(code, "Some query parameters are not valid; see errors.", errors=data["messages"])
    detail = DETAILS.get(code) if type(error).description == error.description else error.description
    # werkzeug's own headers matter here: Allow on a 405 names the methods there are (RFC 9110).
    kept = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    return problem(code, detail or HTTPStatus(code).description, headers=kept)


def from_refusal(error: ServiceError) -> Response:
    """Answer a service's refusal (404, 403, 400) in its own words."""
    db.session.rollback()
    errors = error.errors if isinstance(error, InvalidChange) else None
    return problem(error.status_code, str(error), **({"errors": errors} if errors else {}))


def from_unexpected(error: Exception) -> Response:
    """Answer anything unexpected with a 500 that gives nothing away; the trace goes to the log."""
    if isinstance(error, HTTPException):
        return from_http_error(error)
    db.session.rollback()
    current_app.logger.exception("Unhandled error in the API")  # noqa: LOG004 - called inside Flask's except block
    return problem(500, SERVER_ERROR)


def register(blueprint: Any) -> None:
    """Answer every error raised within the API's blueprint as problem details."""
    blueprint.register_error_handler(HTTPException, from_http_error)
    blueprint.register_error_handler(ServiceError, from_refusal)
    blueprint.register_error_handler(Exception, from_unexpected)


def cover_unrouted_addresses(app: Flask) -> None:
    """Wrap the app's HTTP error handler so /api/ addresses without a route still get problem details."""
    pages: Callable[[HTTPException], Any] | None = app.error_handler_spec[None][None].get(HTTPException)

    def answer(error: HTTPException):
        if request.path.startswith(API_PATH):
            return from_http_error(error)
        return pages(error) if pages is not None else error

    app.register_error_handler(HTTPException, answer)

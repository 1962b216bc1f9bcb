"""Styled error pages: nobody sees a stack trace; service refusals become 403, 404 and 409 pages."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.core.errors import ServiceError
from tracker.extensions import db

TITLES = {
    400: "There is a problem with your request",
    403: "You do not have permission to do that",
    404: "Page not found",
    405: "That is not allowed here",
    409: "Someone else changed this first",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def _contains_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    values = [*request.args.values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.values()]
    return any("\x00" in value for value in values)


def _roll_back_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()  # the connection is gone: drop it; the pool checks the next one (pre-ping)


def _unavailable_message(error: Exception) -> str:
    text = str(getattr(error, "orig", error)).lower()
    if "readonly" in text or "read-only" in text:
        return "The tracker cannot save changes at the moment: its database is read-only."
    if "disk is full" in text or "no space" in text:
        return "The tracker cannot save changes at the moment: the server has run out of disk space."
    return "The tracker cannot reach its database at the moment."


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes():
        # No person types a NUL byte, and PostgreSQL refuses them in text: answer 400 up front
        # rather than let any query or form reach the database with one.
        from flask import abort, request

        if _contains_nul(request):
            abort(
                400, description="The address or form contained characters that cannot be used. Go back and try again."
            )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        return render_template("errors/error.html", code=code, title=TITLES.get(code, error.name), error=error), code

    @app.errorhandler(ServiceError)
    def _service_refusal(error: ServiceError):
        # A refusal that reached here had no form to show it on: answer with its own words.
        db.session.rollback()
        code = error.status_code
        return render_template("errors/error.html", code=code, title=TITLES[code], message=str(error)), code

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        message = "Your form expired or was sent from somewhere else. Go back, refresh the page and try again."
        return render_template("errors/error.html", code=400, title=TITLES[400], message=message), 400

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PendingRollbackError)
    def _database_unavailable(error: Exception):
        # The database restarting, refusing writes (read-only file, full disk) or unreachable: a 503 the
        # load balancer and the person understand, rendered without asking the database anything.
        _roll_back_quietly()
        app.logger.error("Database unavailable: %s", error)
        message = _unavailable_message(error)
        body = render_template("errors/unavailable.html", title=TITLES[503], message=message)
        return body, 503, {"Retry-After": "30"}

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        # Roll back so nothing half-written survives, log the trace for operators only.
        db.session.rollback()
        app.logger.exception("Unhandled error")  # noqa: LOG004 - Flask calls this inside its own except block
        return render_template("errors/error.html", code=500, title=TITLES[500], error=InternalServerError()), 500

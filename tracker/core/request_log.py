"""One JSON line per request (request id, user id, route, status, duration) for the operators' log
pipeline, and the request id echoed in X-Request-Id so a user's report can be matched to its line.

The id comes from the reverse proxy's X-Request-Id when it sends a sensible one, so one id follows
a request through the proxy's log and ours; otherwise it is made here.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request

LOGGER_NAME = "tracker.requests"
_USABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class JsonLines(logging.Formatter):
    """Each record as one JSON object: the message's fields, never a multi-line trace."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {"message": record.getMessage()}
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), **fields}, default=str)


def request_id() -> str:
    """The id of the request being handled (made on first use)."""
    if "request_id" not in g:
        offered = request.headers.get("X-Request-Id", "")
        g.request_id = offered if _USABLE_REQUEST_ID.match(offered) else uuid.uuid4().hex
    return str(g.request_id)


def register(app: Flask) -> None:
    logger = logging.getLogger(LOGGER_NAME)
    if app.config.get("LOG_REQUESTS") and not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonLines())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def _start_clock() -> None:
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _log_request(response: Response) -> Response:
        response.headers["X-Request-Id"] = request_id()
        started = g.get("request_started")
        user = g.get("_login_user")  # only if this request loaded it: logging never queries
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "fields": {
                    "request_id": request_id(),
                    "user_id": getattr(user, "id", None),
                    "method": request.method,
                    "route": request.url_rule.rule if request.url_rule else None,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                    "remote_addr": request.remote_addr,
                }
            },
        )
        return response

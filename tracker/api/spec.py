"""flask-smorest's Api, answering errors as problem details and documenting them so."""

from __future__ import annotations

import http

from flask_smorest import Api  # type: ignore[import-untyped]  # ships no type information
from flask_smorest.utils import prepare_response  # type: ignore[import-untyped]

from tracker.api.problems import PROBLEM_JSON
from tracker.api.schemas import ProblemSchema


class ProblemDetailsApi(Api):
    """The API extension without its app-wide JSON error handler, documenting errors as problem details."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        # flask-smorest would answer every HTTP error of the whole app in JSON; the web pages keep
        # their styled error pages, and the API's blueprint registers its own (tracker.api.problems).
        pass

    def _register_responses(self) -> None:
        """Register a response per status code, errors as application/problem+json (as they are served)."""
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def operations_of(document: dict) -> list[dict]:
    """Return the document's operations for the API page: method, path, summary and query parameters."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            query = [p for p in operation.get("parameters", []) if isinstance(p, dict) and p.get("in") == "query"]
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "query": [(p["name"], p.get("description", "")) for p in query],
                }
            )
    return found

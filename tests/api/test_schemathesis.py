"""Property-based tests of the whole OpenAPI document: every operation, authenticated, against real data.

Schemathesis generates requests from /api/v1/openapi.json (the explicit examples name the test
programme and its frozen board) and checks each answer: never a 5xx, status documented, content
type documented, body matching its schema, headers as documented.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.conftest import bearer, build_programme
from tests.conftest import make_test_config
from tracker import create_app
from tracker.board.snapshots import freeze_board
from tracker.extensions import db
from tracker.programme.meetings import meeting_on


def _document() -> dict:
    """The document as the app serves it (it is built from the schemas, so no database is needed)."""
    app = create_app(make_test_config("sqlite://"))
    return app.test_client().get("/api/v1/openapi.json").get_json()


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
# operation -> status codes answered: the last test proves every operation was really exercised.
ANSWERED: dict[str, set[int]] = defaultdict(set)


@pytest.fixture
def world(app, admin_user, token_for):
    programme = build_programme()
    freeze_board(programme, meeting_on(programme, date(2026, 12, 11)), admin_user, command_line=True)
    db.session.commit()
    return token_for(admin_user)


@pytest.fixture
def served_schema(app, world):
    """The document as this app serves it, sending requests to the app itself (WSGI, no network)."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


lazy_schema = schemathesis.pytest.from_fixture("served_schema")


def test_the_document_is_valid_openapi_3_1():
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    assert DOCUMENT["openapi"] == "3.1.0"
    # The official OpenAPI 3.1 meta-schema (schemathesis ships it): raises on any invalid part.
    OPENAPI_31_VALIDATOR.validate(DOCUMENT)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/v1/programmes",
        "/api/v1/programmes/{programme}/actions",
        "/api/v1/programmes/{programme}/meetings/{meets_on}/snapshot",
    }


@lazy_schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, world):
    response = case.call_and_validate(headers=bearer(world))
    if case.method.upper() == case.operation.method.upper():  # not one of the undeclared-method probes
        ANSWERED[f"{case.method.upper()} {case.path}"].add(response.status_code)


def test_every_operation_was_exercised_with_a_successful_answer():
    expected = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in schema.get_all_operations())}
    succeeded = {operation for operation, codes in ANSWERED.items() if 200 in codes}
    assert succeeded == expected, f"never answered 200: {sorted(expected - succeeded)}"

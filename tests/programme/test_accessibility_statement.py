"""The accessibility statement says what is true of the service, and how to report a problem."""

from __future__ import annotations

import pytest

from tests.conftest import make_test_config
from tracker import create_app


def _statement(client) -> str:
    response = client.get("/accessibility")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_it_names_the_pdf_files_as_not_accessible_and_where_their_content_is_on_web_pages(client):
    statement = _statement(client)
    assert "partially compliant" in statement
    assert "PDF files are not tagged" in statement
    assert "Read the latest board pack as a web page" in statement, "the web version it points to is named"
    assert "Enforcement procedure" in statement and "Equality and Human Rights Commission" in statement
    assert "not yet been tested by disabled users" in statement, "it does not claim testing that was not done"


def test_it_tells_people_how_to_report_a_problem(client, database_url):
    assert "tell the programme office that runs your programme" in _statement(client)
    configured = create_app(make_test_config(database_url, ACCESSIBILITY_CONTACT_EMAIL="access@council.example"))
    statement = _statement(configured.test_client())
    assert 'href="mailto:access@council.example"' in statement


@pytest.mark.parametrize("link", ["Read the latest board pack as a web page"])
def test_the_web_version_it_promises_is_on_the_overview(viewer_client, link):
    from tests.factories import make_action, make_programme, make_project, make_workstream
    from tracker.extensions import db

    make_programme()
    make_action(make_project(make_workstream("A")))
    db.session.commit()
    assert link in viewer_client.get("/p/test/").get_data(as_text=True)

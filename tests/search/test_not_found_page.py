"""The 404 page offers only what exists: search for what was asked, the overview when there is one."""

from __future__ import annotations

import pytest

from tests.factories import make_programme, make_workstream
from tracker.extensions import db
from tracker.search.not_found import search_text_for


@pytest.fixture
def programme(app):
    make_programme()
    make_workstream("A")
    db.session.commit()


def test_a_missing_item_offers_a_search_for_its_ref(viewer_client, programme):
    response = viewer_client.get("/projects/Z99")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'href="/search?q=Z99"' in page and "search for ‘Z99’" in page
    assert 'href="/">go to the programme overview' in page


def test_an_unknown_address_offers_a_search_for_its_last_part(viewer_client, programme):
    page = viewer_client.get("/reports/family-hubs").get_data(as_text=True)
    assert 'href="/search?q=family+hubs"' in page


def test_a_probe_for_a_file_offers_search_without_words(viewer_client, programme):
    page = viewer_client.get("/wp-login.php").get_data(as_text=True)
    assert 'href="/search">search the programme' in page


def test_no_programme_means_no_overview_or_search_links(viewer_client):
    response = viewer_client.get("/projects/Z99")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "If you typed the web address, check it is correct." in page
    assert "go to the programme overview" not in page and "/search?q" not in page


def test_anonymous_visitors_are_not_offered_pages_they_cannot_read(client, programme):
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "go to the programme overview" not in page and "/search" not in page


def test_the_404_page_survives_a_failing_helper(app, viewer_client, programme, monkeypatch):
    from tracker.search import not_found

    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(not_found, "_links", broken)
    response = viewer_client.get("/projects/Z99")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "view_args", "expected"),
    [
        ("/projects/E2.14", {"ref": "E2.14"}, "E2.14"),
        ("/reports/family_hubs", None, "family hubs"),
        ("/", None, None),
        ("/static/app.js", None, None),
        ("/---", None, None),
        ("/" + "x" * 201, None, None),
        ("/%3Cscript%3E", None, None),
    ],
)
def test_search_text_for(path, view_args, expected):
    assert search_text_for(path, view_args) == expected

"""The 404 page offers only what exists: inside a programme its pages, outside a search across all."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_programme, make_workstream
from tracker.extensions import db
from tracker.programme.models import Programme
from tracker.search.not_found import search_text_for


def offered(response) -> list[tuple[str, str]]:
    """Return the (address, text) of the links the 404 page offers, in order."""
    html = response.get_data(as_text=True)
    match = re.search(r"If you typed the web address, check it is correct\.(.*?)</p>", html, re.S)
    assert match is not None
    return re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', match[1])


@pytest.fixture
def programme(app):
    make_programme()
    make_workstream("A")
    db.session.commit()


def test_a_missing_item_offers_its_programme_and_a_search_there_for_its_ref(viewer_client, programme):
    response = viewer_client.get("/p/test/projects/Z99")
    assert response.status_code == 404
    assert offered(response) == [
        ("/p/test/", "go to the programme overview"),
        ("/p/test/search?q=Z99", "search this programme for ‘Z99’"),
        ("/p/test/actions", "see the list of actions"),
    ]


def test_an_address_no_page_matches_inside_a_programme_offers_that_programme(viewer_client, programme):
    response = viewer_client.get("/p/test/reports/family-hubs")
    assert response.status_code == 404
    assert offered(response) == [
        ("/p/test/", "go to the programme overview"),
        ("/p/test/search?q=family+hubs", "search this programme for ‘family hubs’"),
        ("/p/test/actions", "see the list of actions"),
    ]
    assert [href for href, _ in offered(viewer_client.get("/p/test/nothing.php"))][1] == "/p/test/search"


def test_a_404_in_one_of_two_programmes_offers_that_programmes_links(viewer_client, programme):
    make_programme(short_name="other", name="Another programme")
    db.session.commit()
    assert [href for href, _ in offered(viewer_client.get("/p/other/actions/Q7"))] == [
        "/p/other/",
        "/p/other/search?q=Q7",
        "/p/other/actions",
    ]


def test_an_unknown_address_outside_programmes_offers_home_and_a_search_across_all(viewer_client, programme):
    assert offered(viewer_client.get("/reports/family-hubs")) == [
        ("/", "go to the home page"),
        ("/search?q=family+hubs", "search all programmes for ‘family hubs’"),
    ]


def test_a_probe_for_a_file_offers_search_without_words(viewer_client, programme):
    assert offered(viewer_client.get("/wp-login.php")) == [
        ("/", "go to the home page"),
        ("/search", "search all programmes"),
    ]


def test_an_unknown_programme_offers_the_list_of_programmes_and_home(viewer_client, programme):
    for path in ("/p/nope/projects/A1", "/p/nope/no-such-page", "/p/nope/"):
        response = viewer_client.get(path)
        assert response.status_code == 404
        assert offered(response) == [("/programmes", "see the list of programmes"), ("/", "go to the home page")]


def test_no_programme_means_no_overview_or_search_links(viewer_client):
    response = viewer_client.get("/p/test/projects/Z99")
    assert response.status_code == 404
    assert offered(response) == [("/programmes", "see the list of programmes"), ("/", "go to the home page")]
    assert offered(viewer_client.get("/no-such-page")) == [("/", "go to the home page")]


def test_anonymous_visitors_are_not_offered_pages_they_cannot_read(client, programme):
    for path in ("/no-such-page", "/p/test/no-such-page", "/p/nope/no-such-page"):
        response = client.get(path)
        assert response.status_code == 404
        assert offered(response) == [("/", "go to the home page")]


def test_anonymous_visitors_are_offered_a_public_programme(client, programme):
    db.session.query(Programme).update({"public_progress_pages": True})
    db.session.commit()
    assert [href for href, _ in offered(client.get("/p/test/no-such-page"))] == [
        "/p/test/",
        "/p/test/search?q=no+such+page",
        "/p/test/actions",
    ]
    assert offered(client.get("/no-such-page"))[1] == (
        "/search?q=no+such+page",
        "search all programmes for ‘no such page’",
    )


def test_the_404_page_survives_a_failing_helper(app, viewer_client, programme, monkeypatch):
    from tracker.search import not_found

    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(not_found, "_links", broken)
    response = viewer_client.get("/p/test/projects/Z99")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "view_args", "expected"),
    [
        ("/projects/E2.14", {"ref": "E2.14"}, "E2.14"),
        ("/reports/family_hubs", None, "family hubs"),
        ("/", None, None),
        ("", None, None),
        ("/static/app.js", None, None),
        ("/---", None, None),
        ("/" + "x" * 201, None, None),
        ("/%3Cscript%3E", None, None),
    ],
)
def test_search_text_for(path, view_args, expected):
    assert search_text_for(path, view_args) == expected

"""Search within one programme or across all: the same ref in two programmes, labels, links and who sees what."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_user
from tests.search.helpers import a_programme_with_a1
from tracker.extensions import db
from tracker.programme.models import Programme


def result_links(response) -> list[str]:
    """Return the addresses the results link to, in page order."""
    return re.findall(
        r'<a class="govuk-link govuk-!-font-weight-bold" href="([^"]+)">', response.get_data(as_text=True)
    )


@pytest.fixture
def two_programmes(app):
    a = a_programme_with_a1("a", "Adults' services", public=True)
    b = a_programme_with_a1("b", "Children's services")
    db.session.commit()
    return a, b


def test_a_programme_search_finds_only_that_programmes_items(viewer_client, two_programmes):
    response = viewer_client.get("/p/a/search?q=A1")
    assert response.status_code == 200
    assert result_links(response) == ["/p/a/projects/a1", "/p/a/actions/a1.1"]
    page = response.get_data(as_text=True)
    assert "Children" not in page  # nothing of b, not even its name
    assert "Programme: " not in page  # one programme: no labels needed
    assert "2 results for ‘A1’" in page


def test_searching_all_programmes_finds_both_each_linking_into_its_own(viewer_client, two_programmes):
    response = viewer_client.get("/search?q=A1")
    assert response.status_code == 200
    # The same ref in both comes out side by side, each linking into its own programme.
    links = result_links(response)
    assert links == ["/p/a/projects/a1", "/p/b/projects/a1", "/p/a/actions/a1.1", "/p/b/actions/a1.1"]
    page = response.get_data(as_text=True)
    # Each result says which programme it belongs to.
    assert re.findall(r"Programme: ([^<]+)</span>", page) == [
        "Adults&#39; services",
        "Children&#39;s services",
        "Adults&#39; services",
        "Children&#39;s services",
    ]
    assert "In 2 programmes" in page
    for link in links:
        assert viewer_client.get(link).status_code == 200, link


def test_a_title_shared_by_name_is_found_in_its_programme_only(viewer_client, two_programmes):
    assert result_links(viewer_client.get("/search?q=children")) == ["/p/b/projects/a1", "/p/b/actions/a1.1"]
    assert result_links(viewer_client.get("/p/a/search?q=children")) == []


def test_anonymous_visitors_search_only_public_programmes(client, two_programmes):
    response = client.get("/search?q=A1")
    assert response.status_code == 200
    assert result_links(response) == ["/p/a/projects/a1", "/p/a/actions/a1.1"]
    assert "Children" not in response.get_data(as_text=True)
    assert client.get("/p/a/search?q=A1").status_code == 200
    # A programme that is not public: sign in first.
    response = client.get("/p/b/search?q=A1")
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_anonymous_visitors_sign_in_when_no_programme_is_public(client, two_programmes):
    db.session.query(Programme).update({"public_progress_pages": False})
    db.session.commit()
    response = client.get("/search?q=A1")
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_a_programme_search_offers_all_programmes_defaulting_to_this_one(viewer_client, two_programmes):
    page = viewer_client.get("/p/a/search").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/p/a/search" role="search"', page)
    assert re.search(r'id="scope-programme" name="scope" type="radio" value="programme" checked>', page)
    assert re.search(r'id="scope-all" name="scope" type="radio" value="all">', page)
    # Choosing all programmes sends the same words to the search across all.
    response = viewer_client.get("/p/a/search?q=A1&scope=all")
    assert response.status_code == 302 and response.location == "/search?q=A1"
    assert len(result_links(viewer_client.get(response.location))) == 4
    # Any other value reads as this programme.
    assert len(result_links(viewer_client.get("/p/a/search?q=A1&scope=nonsense"))) == 2
    # The search across all has no such choice.
    assert 'name="scope"' not in viewer_client.get("/search").get_data(as_text=True)


def test_no_results_in_a_programme_offers_all_programmes(viewer_client, two_programmes):
    page = viewer_client.get("/p/a/search?q=children").get_data(as_text=True)
    assert "No results" in page and 'href="/search?q=children"' in page


def test_an_unknown_programme_has_no_search(viewer_client, two_programmes):
    assert viewer_client.get("/p/nope/search?q=A1").status_code == 404


def test_the_search_across_all_sends_a_fixed_number_of_statements(app, signed_in_client, count_queries, two_programmes):
    client = signed_in_client(make_user("viewer"))
    client.get("/search?q=A1")
    before = count_queries(lambda: client.get("/search?q=A1"))
    for n in range(3):
        a_programme_with_a1(f"extra-{n}", f"Extra programme {n}")
    db.session.commit()
    client.get("/search?q=A1")
    assert count_queries(lambda: client.get("/search?q=A1")) == before
    assert len(result_links(client.get("/search?q=A1"))) == 10

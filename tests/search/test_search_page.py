"""The search page: what it finds, what it hides, how it groups, and who may open it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TODAY
from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tracker.core.clock import utcnow
from tracker.extensions import db
from tracker.programme.status import Status
from tracker.search.queries import search, snippet


def found_refs(response, kind: str) -> list[str]:
    """Return the refs of the results of one kind, in page order."""
    html = response.get_data(as_text=True)
    return [
        re.sub(r"<[^>]+>", "", ref)
        for ref in re.findall(rf'<span class="app-ref">{kind.capitalize()} (.+?):</span>', html)
    ]


@pytest.fixture
def programme(app):
    programme = make_programme()
    olu = make_person(name="Olu Okafor")
    pat = make_person(name="Director of SEND")
    ws_a = make_workstream("A", title="Children's social care", description="Practice and the front door.")
    ws_e = make_workstream("E", title="Special educational needs")
    make_workstream("Z", title="Retired workstream", archived_at=utcnow())
    a1 = make_project(
        ws_a,
        "A1",
        title="Family hubs",
        lead=olu,
        progress="Three hubs opened in the spring.",
        next_steps="Open the fourth hub in Harbourside.",
        status=Status.GREEN,
    )
    e1 = make_project(ws_e, "E1", title="Transport for SEND pupils", lead=pat, status=Status.RED)
    make_project(ws_a, "A9", title="Family hubs pilot (archived)", lead=olu, archived_at=utcnow())
    make_action(a1, "A1.1", title="Recruit hub coordinators", lead=olu, status=Status.AMBER)
    make_action(
        a1, "A1.2", title="Publish hub timetable", lead=None, progress_note="Agreed 50% of sessions with schools."
    )
    make_action(a1, "A1.3", title="Hub_directory launch", lead=pat, status=Status.RED)
    make_action(e1, "E1.1", title="Review routes", lead=pat, progress_note="Waiting for the Harbourside contract.")
    make_action(a1, "A1.4", title="Old hub survey", archived_at=utcnow())
    db.session.commit()
    return programme


def test_an_empty_or_missing_search_shows_the_form_only(viewer_client, programme):
    for url in ("/search", "/search?q=", "/search?q=+++"):
        page = viewer_client.get(url).get_data(as_text=True)
        assert 'name="q"' in page and 'role="status"' not in page and "No results" not in page


def test_finds_by_ref_title_lead_and_progress_text(viewer_client, programme):
    by_ref = viewer_client.get("/search?q=a1")
    assert found_refs(by_ref, "project") == ["A1"]
    # An exact ref comes before refs that merely contain it.
    assert found_refs(by_ref, "action")[:1] == ["A1.1"]
    assert found_refs(viewer_client.get("/search?q=FAMILY"), "project") == ["A1"]
    assert found_refs(viewer_client.get("/search?q=olu okafor"), "action") == ["A1.1"]
    harbourside = viewer_client.get("/search?q=harbourside")  # project next steps, action progress note
    assert found_refs(harbourside, "project") == ["A1"]
    assert found_refs(harbourside, "action") == ["E1.1"]
    assert found_refs(viewer_client.get("/search?q=spring"), "project") == ["A1"]  # project progress
    assert found_refs(viewer_client.get("/search?q=front door"), "workstream") == ["A"]
    assert found_refs(viewer_client.get("/search?q=social"), "workstream") == ["A"]


def test_every_word_must_match_somewhere(viewer_client, programme):
    assert found_refs(viewer_client.get("/search?q=hub+send"), "action") == ["A1.3"]  # title + lead


def test_archived_items_are_not_found(viewer_client, programme):
    response = viewer_client.get("/search?q=retired")
    assert found_refs(response, "workstream") == []
    assert "No results" in response.get_data(as_text=True)
    assert "A9" not in found_refs(viewer_client.get("/search?q=family"), "project")
    assert "A1.4" not in found_refs(viewer_client.get("/search?q=survey"), "action")


def test_percent_and_underscore_are_matched_literally(viewer_client, programme):
    assert found_refs(viewer_client.get("/search?q=50%25"), "action") == ["A1.2"]
    assert found_refs(viewer_client.get("/search?q=%25"), "action") == ["A1.2"]
    assert found_refs(viewer_client.get("/search?q=hub_"), "action") == ["A1.3"]
    assert found_refs(viewer_client.get("/search?q=_"), "action") == ["A1.3"]


def test_results_are_grouped_with_counts_links_status_lead_and_snippet(viewer_client, programme):
    page = viewer_client.get("/search?q=hub").get_data(as_text=True)
    assert re.search(r"<h2[^>]*>\s*4 results for ‘hub’</h2>", page)
    assert "Workstreams: 0" in page and ">Projects: 1</a>" in page and ">Actions: 3</a>" in page
    assert "<title>4 results for ‘hub’ – Search" in page
    project = viewer_client.get("/search?q=harbourside").get_data(as_text=True)
    assert 'href="/p/test/projects/a1"' in project or 'href="/p/test/projects/A1"' in project
    assert "Next steps: Open the fourth hub in <mark" in project
    assert "Lead: Olu Okafor" in project
    assert '<strong class="govuk-tag govuk-tag--green' in project and ">Green</strong>" in project
    action = viewer_client.get("/search?q=harbourside").get_data(as_text=True)
    assert "Progress note: Waiting for the <mark" in action


def test_each_kind_shows_at_most_its_limit_with_the_total(app, viewer_client, programme):
    from tests.factories import make_actions
    from tracker.programme.models import Project

    project = db.session.query(Project).filter_by(ref="E1").one()
    make_actions(project, 55, title="Bulk routing task")
    db.session.commit()
    page = viewer_client.get("/search?q=routing").get_data(as_text=True)
    assert "showing 50 of 55" in page
    assert len(found_refs(viewer_client.get("/search?q=routing"), "action")) == 50
    assert 'href="/p/test/actions?q=routing"' in page


def test_search_text_is_escaped_on_the_page(viewer_client, programme):
    page = viewer_client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_overlong_search_gets_a_message_by_the_field(viewer_client, programme):
    response = viewer_client.get("/search?q=" + "x" * 201)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Search terms must be 200 characters or fewer" in page
    assert 'class="govuk-error-summary' in page and 'id="q-error"' in page
    assert "<title>Error: Search" in page
    assert viewer_client.get("/search?q=" + "x" * 200).status_code == 200


def test_anonymous_visitors_sign_in_unless_the_progress_pages_are_public(client, programme):
    from tracker.programme.models import Programme

    response = client.get("/search?q=hub")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    db.session.query(Programme).update({"public_progress_pages": True})
    db.session.commit()
    assert found_refs(client.get("/search?q=hub"), "project") == ["A1"]


def test_the_menu_and_header_offer_search_to_readers(viewer_client, programme):
    # On a programme's page they search that programme; elsewhere, every programme.
    page = viewer_client.get("/p/test/actions").get_data(as_text=True)
    assert 'href="/p/test/search"' in page and 'id="header-search"' in page
    assert re.search(r'<form method="get" action="/p/test/search" role="search" class="app-header-search"', page)
    page = viewer_client.get("/programmes").get_data(as_text=True)
    assert 'href="/search"' in page
    assert re.search(r'<form method="get" action="/search" role="search" class="app-header-search"', page)
    # Not twice on the search pages themselves.
    assert 'id="header-search"' not in viewer_client.get("/search").get_data(as_text=True)
    assert 'id="header-search"' not in viewer_client.get("/p/test/search").get_data(as_text=True)


def test_search_returns_the_words_and_three_groups(app, programme):
    results = search("  Hub   ", [programme])
    assert results.words == ["hub"]
    assert [group.kind for group in results.groups] == ["workstream", "project", "action"]
    assert results.total == 4
    assert {hit.programme.short_name for group in results.groups for hit in group.hits} == {"test"}
    assert search("", [programme]).groups == []
    assert search("hub", []).groups == []  # a visitor who may read no programme finds nothing


def test_snippet_cuts_around_the_first_match():
    text = "word " * 100 + "needle in the haystack " + "more " * 100
    piece = snippet(text, ["needle"])
    assert piece is not None and piece.startswith("…") and piece.endswith("…") and "needle" in piece
    assert len(piece) <= 190
    assert snippet("Short text", ["short"]) == "Short text"
    assert snippet("Nothing here", ["absent"]) is None


def test_statement_count_is_fixed_whatever_the_number_of_matches(app, signed_in_client, count_queries, programme):
    from tests.factories import make_actions
    from tracker.programme.models import Project

    client = signed_in_client(make_user("viewer"))

    def statements() -> int:
        client.get("/search?q=routing")  # warm up: sign-in session refresh and the like
        return count_queries(lambda: client.get("/search?q=routing"))

    project = db.session.query(Project).filter_by(ref="E1").one()
    small = statements()
    make_actions(project, 80, title="Bulk routing task")
    db.session.commit()
    assert statements() == small


def test_deadline_and_today_are_not_needed(app, programme):
    # The search reads no dates: the same results whatever day it is.
    assert TODAY  # the fixture programme is dated around TODAY
    assert search("recruit", [programme]).groups[2].hits[0].ref == "A1.1"

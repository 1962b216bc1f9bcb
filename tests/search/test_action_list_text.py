"""`?q=` on the action list: words in the ref, title, lead or progress note, with the other filters."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_action, make_person, make_programme, make_project, make_workstream
from tracker.core.clock import utcnow
from tracker.extensions import db
from tracker.programme.status import Status


def listed_refs(response) -> list[str]:
    return re.findall(r'<span class="app-ref">([^<]+)</span>', response.get_data(as_text=True))


@pytest.fixture
def programme(app):
    make_programme()
    olu, pat = make_person(name="Olu Okafor"), make_person(name="Director of SEND")
    a, e = make_workstream("A"), make_workstream("E")
    a1 = make_project(a, "A1", lead=olu)
    e1 = make_project(e, "E1", lead=pat)
    make_action(a1, "A1.1", title="Recruit hub coordinators", status=Status.AMBER)
    make_action(a1, "A1.2", title="Publish timetable", lead=pat, progress_note="50% agreed with HUB partners")
    make_action(a1, "A1.3", title="Old hub survey", archived_at=utcnow())
    make_action(e1, "E1.1", title="Review routes", status=Status.RED, progress_note="Harbourside hub_route next")
    make_action(e1, "E1.2", title="Plan 5_0 routes", status=Status.GREEN)
    db.session.commit()
    return {"pat": pat}


def test_q_finds_actions_by_ref_title_lead_and_progress_note(viewer_client, programme):
    assert listed_refs(viewer_client.get("/p/test/actions?q=hub")) == ["A1.1", "A1.2", "E1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=E1.")) == ["E1.1", "E1.2"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=OKAFOR")) == ["A1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=harbourside")) == ["E1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=send+timetable")) == ["A1.2"]  # lead + title


def test_q_escapes_like_wildcards(viewer_client, programme):
    assert listed_refs(viewer_client.get("/p/test/actions?q=50%25")) == ["A1.2"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=5_0")) == ["E1.2"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=_")) == ["E1.1", "E1.2"]


def test_q_combines_with_the_other_filters(viewer_client, programme):
    assert listed_refs(viewer_client.get("/p/test/actions?q=hub&status=red")) == ["E1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=hub&workstream=A")) == ["A1.1", "A1.2"]
    assert listed_refs(viewer_client.get(f"/p/test/actions?q=routes&lead={programme['pat'].id}&sort=-deadline")) == [
        "E1.1",
        "E1.2",
    ]


def test_q_is_shown_in_the_filter_panel_and_the_summary(viewer_client, programme):
    page = viewer_client.get("/p/test/actions?q=hub&status=red").get_data(as_text=True)
    assert re.search(r'<label class="govuk-label" for="q">Search actions</label>', page)
    assert 'name="q" type="search" spellcheck="false" value="hub"' in page
    assert "containing “hub”" in page


def test_each_q_is_cached_separately(viewer_client, programme):
    assert listed_refs(viewer_client.get("/p/test/actions?q=hub")) == ["A1.1", "A1.2", "E1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=routes")) == ["E1.1", "E1.2"]
    assert listed_refs(viewer_client.get("/p/test/actions?q=hub")) == ["A1.1", "A1.2", "E1.1"]


def test_page_links_keep_q(app, viewer_client, programme):
    app.config["ACTIONS_PER_PAGE"] = 1
    page = viewer_client.get("/p/test/actions?q=hub").get_data(as_text=True)
    next_link = re.search(r'href="([^"]+)" rel="next"', page)
    assert next_link is not None and "q=hub" in next_link.group(1)
    assert next_link.group(1).startswith("/p/test/actions")


def test_overlong_q_gets_a_message_and_the_whole_list(viewer_client, programme):
    response = viewer_client.get("/p/test/actions?q=" + "x" * 201)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter 200 characters or fewer to search for" in page
    assert listed_refs(response) == ["A1.1", "A1.2", "E1.1", "E1.2"]

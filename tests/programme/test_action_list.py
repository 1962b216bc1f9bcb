"""The action list: filters, sorting, pagination, bookmarkable URLs, and bad filter values."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import TODAY
from tests.factories import make_action, make_person, make_programme, make_project, make_workstream
from tracker.extensions import db
from tracker.programme.status import Status


def listed_refs(response) -> list[str]:
    return re.findall(r'<span class="app-ref">([^<]+)</span>', response.get_data(as_text=True))


@pytest.fixture
def programme(app):
    make_programme()
    lead_a, lead_b = make_person(name="Director of Strategy"), make_person(name="Director of SEND")
    a, e = make_workstream("A"), make_workstream("E")
    e1 = make_workstream("E1", parent=e)
    a1 = make_project(a, ref="A1", lead=lead_a)
    a2 = make_project(a, ref="A2", lead=lead_b)
    e11 = make_project(e1, ref="E1.1", lead=lead_b)
    make_action(a1, ref="A1.1", status=Status.AMBER, deadline=TODAY - timedelta(days=3))  # overdue
    make_action(a1, ref="A1.2", status=Status.GREEN, deadline=TODAY - timedelta(days=30))  # done
    make_action(a1, ref="A1.10", status=Status.GREY, deadline=TODAY + timedelta(days=10))
    make_action(a2, ref="A2.1", status=Status.RED, deadline=TODAY + timedelta(days=40))
    make_action(e11, ref="E1.1.1", status=Status.AMBER, deadline=TODAY + timedelta(days=200))
    db.session.commit()
    return {"lead_a": lead_a, "lead_b": lead_b}


def test_lists_every_action_in_natural_ref_order(viewer_client, programme):
    assert listed_refs(viewer_client.get("/p/test/actions")) == ["A1.1", "A1.2", "A1.10", "A2.1", "E1.1.1"]


def test_filter_by_workstream_includes_its_sub_workstreams(viewer_client, programme):
    assert listed_refs(viewer_client.get("/p/test/actions?workstream=E")) == ["E1.1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?workstream=A")) == ["A1.1", "A1.2", "A1.10", "A2.1"]


def test_filter_by_lead_status_overdue_and_due_within(viewer_client, programme):
    lead_b = programme["lead_b"].id
    assert listed_refs(viewer_client.get(f"/p/test/actions?lead={lead_b}")) == ["A2.1", "E1.1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?status=amber&status=red")) == ["A1.1", "A2.1", "E1.1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?overdue=y")) == ["A1.1"]
    assert listed_refs(viewer_client.get("/p/test/actions?due_within=2")) == ["A1.10"]
    assert listed_refs(viewer_client.get("/p/test/actions?due_within=8")) == ["A1.10", "A2.1"]


def test_sort_by_deadline_both_ways(viewer_client, programme):
    assert listed_refs(viewer_client.get("/p/test/actions?sort=deadline")) == [
        "A1.2",
        "A1.1",
        "A1.10",
        "A2.1",
        "E1.1.1",
    ]
    assert listed_refs(viewer_client.get("/p/test/actions?sort=-deadline")) == [
        "E1.1.1",
        "A2.1",
        "A1.10",
        "A1.1",
        "A1.2",
    ]


def test_filters_are_kept_in_the_form_so_the_url_can_be_bookmarked(viewer_client, programme):
    page = viewer_client.get("/p/test/actions?workstream=A&status=red&sort=deadline").get_data(as_text=True)
    assert re.search(r'<option value="A" selected', page)
    assert re.search(r'value="red" checked', page)
    assert "rated Red" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("status=purple", "Choose statuses from the list"),
        ("due_within=soon", "Enter due within as a whole number of weeks"),
        ("due_within=-3", "Enter due within as a whole number of weeks"),
        ("workstream=ZZ", "Choose a workstream from the list"),
        ("lead=999999", "Choose a lead from the list"),
        ("lead=abc", "Choose a lead from the list"),
        ("sort=sideways", "Choose a sort order from the list"),
    ],
)
def test_nonsense_filters_get_a_message_and_the_unfiltered_list(viewer_client, programme, query, message):
    response = viewer_client.get(f"/p/test/actions?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Some filters could not be used" in page
    assert page.count(message) == 2  # in the error summary and next to the field
    assert listed_refs(response) == ["A1.1", "A1.2", "A1.10", "A2.1", "E1.1.1"]


def test_pagination_keeps_filters_and_clamps_bad_page_numbers(app, viewer_client):
    make_programme()
    project = make_project(make_workstream("A"), ref="A1")
    for n in range(1, 121):
        make_action(project, ref=f"A1.{n}", status=Status.AMBER)
    db.session.commit()
    first = viewer_client.get("/p/test/actions?status=amber")
    assert listed_refs(first)[0] == "A1.1" and len(listed_refs(first)) == 50
    assert "Showing 1 to 50 of 120 actions" in first.get_data(as_text=True)
    assert "status=amber" in re.search(r'href="([^"]*page=2[^"]*)"', first.get_data(as_text=True)).group(1)
    third = viewer_client.get("/p/test/actions?status=amber&page=3")
    assert listed_refs(third) == [f"A1.{n}" for n in range(101, 121)]
    assert listed_refs(viewer_client.get("/p/test/actions?page=999")) == [f"A1.{n}" for n in range(101, 121)]
    assert listed_refs(viewer_client.get("/p/test/actions?page=nonsense"))[0] == "A1.1"


def test_overdue_actions_are_marked_in_words(viewer_client, programme):
    page = viewer_client.get("/p/test/actions?overdue=y").get_data(as_text=True)
    assert '<strong class="app-overdue">Overdue</strong>' in page


def test_due_before_next_board_matches_the_overview_figure(viewer_client, programme):
    # Next board after 25 Nov 2026 (boards every 6 weeks from 13 Nov 2026) is 25 Dec 2026.
    listed = listed_refs(viewer_client.get("/p/test/actions?before_board=y"))
    assert listed == ["A1.10"]
    overview = viewer_client.get("/p/test/").get_data(as_text=True)
    figure = re.search(r'before_board=y[^"]*">\s*<span class="app-key-figure__number">(\d+)<', overview)
    assert figure and int(figure.group(1)) == len(listed)

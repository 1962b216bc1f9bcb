"""Two programmes with the same refs side by side: each rolls up to its own counts and shows only its own items."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tracker.core.errors import InvalidChange
from tracker.extensions import db
from tracker.programme import structure
from tracker.programme.models import Action
from tracker.programme.queries_programmes import portfolio
from tracker.programme.status import Status


@pytest.fixture
def two_programmes(app):
    """Children (3 actions: 1 Red and overdue, 2 Amber) and Education (1 Green action), both with refs A, A1, A1.1."""
    children = make_programme(short_name="children", name="Children and families", board_cycle_weeks=6)
    education = make_programme(
        short_name="education", name="Education delivery", board_cycle_weeks=2, reference_board_date=date(2026, 11, 18)
    )
    pat = make_person(name="Pat Lead")
    a1 = make_project(make_workstream("A", programme=children, title="Help early"), "A1", title="Hubs", lead=pat)
    make_action(a1, "A1.1", title="Recruit coordinators", status=Status.RED, deadline=date(2026, 11, 1), lead=pat)
    make_action(a1, "A1.2", title="Open hubs", status=Status.AMBER)
    make_action(a1, "A1.3", title="Train staff", status=Status.AMBER)
    e1 = make_project(make_workstream("A", programme=education, title="Attainment"), "A1", title="Reading", lead=pat)
    make_action(e1, "A1.1", title="Phonics in every school", status=Status.GREEN)
    db.session.commit()
    return children, education


def test_each_programme_rolls_up_to_its_own_counts(client_for, viewer_user, two_programmes):
    client = client_for(viewer_user)
    children = client.get("/p/children/").get_data(as_text=True)
    education = client.get("/p/education/").get_data(as_text=True)
    assert "Of the 3 actions" in children and "Of the 1 action" in education
    assert "Children and families" in children and "Education delivery" not in children
    # Each programme's next board follows its own cycle.
    assert "every 6 weeks" in children and "every 2 weeks" in education


def test_the_same_ref_opens_each_programmes_own_item(client_for, viewer_user, two_programmes):
    client = client_for(viewer_user)
    pages = {
        "/p/children/actions/A1.1": ("Recruit coordinators", "Phonics in every school"),
        "/p/education/actions/A1.1": ("Phonics in every school", "Recruit coordinators"),
        "/p/children/projects/A1": ("Hubs", "Reading"),
        "/p/education/projects/A1": ("Reading", "Hubs"),
        "/p/children/workstreams/A": ("Help early", "Attainment"),
        "/p/education/workstreams/A": ("Attainment", "Help early"),
    }
    for url, (own, other) in pages.items():
        page = client.get(url).get_data(as_text=True)
        assert own in page and other not in page, url


def test_the_action_list_shows_only_the_programmes_own_actions(client_for, viewer_user, two_programmes):
    client = client_for(viewer_user)
    children = client.get("/p/children/actions").get_data(as_text=True)
    education = client.get("/p/education/actions?q=a1").get_data(as_text=True)
    assert "Recruit coordinators" in children and "Phonics in every school" not in children
    assert "Phonics in every school" in education and "Recruit coordinators" not in education
    # Links on a programme's pages stay in that programme.
    assert 'href="/p/children/actions/a1.1"' in children and "/p/education/" not in children


def test_the_portfolio_lists_each_programme_with_its_headline_counts(client_for, viewer_user, two_programmes):
    rows = {row.programme.short_name: row for row in portfolio(TODAY)}
    assert rows["children"].actions[Status.RED] == 1 and rows["children"].action_total == 3
    assert rows["children"].overdue_actions == 1 and rows["children"].project_total == 1
    assert rows["education"].actions[Status.GREEN] == 1 and rows["education"].overdue_actions == 0
    assert rows["education"].next_board == date(2026, 12, 2)  # every 2 weeks from 18 November
    page = client_for(viewer_user).get("/").get_data(as_text=True)  # several programmes: the home page lists them
    assert '<h1 class="govuk-heading-l">Programmes</h1>' in page
    education_row = re.search(r'href="/p/education/">Education delivery</a></th>(.*?)</tr>', page, re.S)
    assert education_row is not None
    numbers = re.findall(r"numeric\">(\d+)</td>", education_row.group(1))
    # Projects, then Blue, Green, Amber, Red, Grey, then all actions and the overdue ones.
    assert numbers == ["1", "0", "1", "0", "0", "0", "1", "0"]
    assert "2 December 2026" in education_row.group(1)


def test_one_programme_opens_straight_on_it_and_none_says_what_to_do(client_for, admin_user, viewer_user):
    assert client_for(viewer_user).get("/").get_data(as_text=True).count("Nothing has been published yet") >= 1
    make_programme(short_name="children")
    db.session.commit()
    response = client_for(viewer_user).get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/p/children/"
    assert client_for(viewer_user).get("/programmes").status_code == 200  # the list is always there


def test_an_unknown_programme_is_a_404_that_says_so(client_for, viewer_user, two_programmes):
    response = client_for(viewer_user).get("/p/adults/actions")
    assert response.status_code == 404
    assert "There is no programme called adults" in response.get_data(as_text=True)


def test_refs_are_unique_within_a_programme_not_across_them(app, admin_user, two_programmes):
    children, education = two_programmes
    created = structure.create_workstream(
        admin_user, structure.WorkstreamDetails(programme=education, ref="B", title="Inclusion")
    )
    assert created.programme_id == education.id
    with pytest.raises(InvalidChange) as refusal:
        structure.create_workstream(admin_user, structure.WorkstreamDetails(programme=education, ref="a", title="X"))
    assert refusal.value.errors == {"ref": "There is already a workstream A: choose a different reference"}
    db.session.rollback()
    # A project cannot move into another programme's workstream.
    project = (
        db.session.scalars(select(Action).where(Action.programme_id == children.id, Action.ref == "A1.1")).one().project
    )
    other = make_workstream("Z", programme=education)
    details = structure.ProjectDetails(ref=project.ref, title=project.title, workstream=other, lead=project.lead)
    with pytest.raises(InvalidChange) as refusal:
        structure.update_project_details(project, admin_user, details, project.version)
    assert "belongs to another programme" in refusal.value.errors["workstream_id"]


def test_new_items_take_their_parents_programme(app, two_programmes):
    _children, education = two_programmes
    workstream = make_workstream("N", programme=education)
    sub = make_workstream("N1", parent=workstream)
    action = make_action(make_project(sub, "N1.1"), "N1.1.1")
    assert {sub.programme_id, action.project.programme_id, action.programme_id} == {education.id}


def test_export_summary_and_list_name_each_programme(app, runner, two_programmes):
    listed = json.loads(runner.invoke(args=["programme", "list", "--format", "json"]).output)
    assert [(row["short_name"], row["actions"]["total"]) for row in listed] == [("children", 3), ("education", 1)]
    summary = json.loads(runner.invoke(args=["export", "summary", "--programme", "education"]).output)
    assert summary["programme"] == "education" and summary["actions"]["by_status"]["green"] == 1
    assert summary["workstreams"][0]["title"] == "Attainment"


def test_a_lead_sees_my_actions_per_programme(client_for, two_programmes):
    children, _education = two_programmes
    pat = db.session.scalars(select(Action).where(Action.programme_id == children.id, Action.ref == "A1.1")).one().lead
    lead = make_user("lead", person=pat)
    client = client_for(lead)
    children_page = client.get("/p/children/my-actions").get_data(as_text=True)
    education_page = client.get("/p/education/my-actions").get_data(as_text=True)
    assert "Recruit coordinators" in children_page and "Phonics in every school" not in children_page
    assert "Phonics in every school" in education_page and "Recruit coordinators" not in education_page

"""The register, the risk form and the item panel, through the app as people use them."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from tests.risks.world import REVIEW, counts, make_risk, make_world, risk_form, risk_rows
from tracker.extensions import db
from tracker.risks.models import Risk


def _version_field(page: str) -> str:
    tag = re.search(r'<input[^>]*name="version"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def _ids_listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="govuk-table__row" id="risk-(\d+)"', page)]


def test_a_lead_adds_a_risk_to_their_project(app, client_for):
    world = make_world()
    client = client_for(world.lead)
    form_page = client.get("/p/test/risks/new?project=A1").get_data(as_text=True)
    assert "Add a risk" in form_page and "Project A1" in form_page and "Cam Owner" in form_page
    response = client.post(
        "/p/test/risks/new?project=A1", data=risk_form(owner_id=str(world.owner.id), review_on=REVIEW)
    )
    assert response.status_code == 302 and response.location.endswith("/p/test/projects/a1")
    risk = db.session.query(Risk).filter_by(description="A new risk.").one()
    assert (risk.project_id, risk.likelihood, risk.impact, risk.owner_id) == (world.project.id, 3, 4, world.owner.id)
    assert "Risk R" in client.get(response.location).get_data(as_text=True)  # the flash


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"description": ""}, "Describe the risk or challenge"),
        ({"likelihood": ""}, "Choose how likely it is, from 1 to 5"),
        ({"likelihood": "7"}, "Likelihood must be a whole number from 1 to 5"),
        ({"impact": "two"}, "Impact must be a whole number from 1 to 5"),
        ({"owner_id": ""}, "Choose who owns the risk"),
        ({"owner_id": "not-a-person"}, "Choose an owner from the list"),
        ({"review_on": ["31", "2", "2027"]}, "Review date must be a real date"),
        ({"review_on": ["31", "", "2027"]}, "Review date must include a day, month and year"),
        ({"description": "x" * 5001}, "Risk or challenge must be 5,000 characters or fewer"),
    ],
)
def test_bad_input_is_answered_beside_its_field_and_nothing_is_saved(app, client_for, fields, message):
    world = make_world()
    client = client_for(world.lead)
    numbers, before = counts(), risk_rows()
    data = {**risk_form(owner_id=str(world.owner.id)), **fields}
    for url in ("/p/test/risks/new?project=A1", f"/p/test/risks/{world.project_risk.id}/edit"):
        response = client.post(url, data={**data, "version": "1"})
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "There is a problem" in page and message in page and "govuk-error-message" in page
        assert "<title>Error:" in page
    assert counts() == numbers and risk_rows() == before


def test_a_conflict_shows_both_and_keeps_what_was_typed(app, client_for):
    world = make_world()
    url = f"/p/test/risks/{world.project_risk.id}/edit"
    first, second = client_for(world.lead), client_for(world.office)
    assert _version_field(second.get(url).get_data(as_text=True)) == "1"
    saved = first.post(
        url, data=risk_form(description="Alex: agency cover found.", owner_id=str(world.owner.id), version="1")
    )
    assert saved.status_code == 302
    after_first = risk_rows()
    conflict = second.post(
        url,
        data=risk_form(
            description="Pat: worse than thought.", owner_id=str(world.owner.id), likelihood="5", version="1"
        ),
    )
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert f"Someone else changed risk R{world.project_risk.id} while you were editing it" in page
    assert "Alex Lead saved a change on" in page
    theirs = re.findall(r'data-conflict="theirs">(.*?)</td>', page, re.S)
    yours = re.findall(r'data-conflict="yours">(.*?)</td>', page, re.S)
    assert any("Alex: agency cover found." in cell for cell in theirs)
    assert any("Pat: worse than thought." in cell for cell in yours)
    assert ">Pat: worse than thought.</textarea>" in page and 'value="5" checked' in page
    assert _version_field(page) == "2"
    assert risk_rows() == after_first
    again = second.post(
        url,
        data=risk_form(
            description="Pat: worse than thought.", owner_id=str(world.owner.id), likelihood="5", version="2"
        ),
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Risk, world.project_risk.id).description == "Pat: worse than thought."


def test_the_edit_page_shows_the_risk_history(app, client_for):
    world = make_world()
    client = client_for(world.lead)
    url = f"/p/test/risks/{world.project_risk.id}/edit"
    client.post(url, data=risk_form(description="Changed.", owner_id=str(world.owner.id), impact="5", version="1"))
    page = client.get(url).get_data(as_text=True)
    assert "History" in page and "By Alex Lead" in page
    assert "Impact" in page and "Likelihood" in page and "Changed." in page


def test_closing_and_reopening_through_the_buttons(app, client_for):
    world = make_world()
    client = client_for(world.lead)
    risk_id = world.project_risk.id
    edit_page = client.get(f"/p/test/risks/{risk_id}/edit").get_data(as_text=True)
    assert f'action="/p/test/risks/{risk_id}/close"' in edit_page
    closed = client.post(f"/p/test/risks/{risk_id}/close", data={"version": "1"})
    assert closed.status_code == 302 and closed.location.endswith("/p/test/projects/a1")
    db.session.expire_all()
    assert not db.session.get(Risk, risk_id).is_open
    again = client.post(f"/p/test/risks/{risk_id}/close", data={"version": "2"})
    assert again.status_code == 302 and again.location.endswith(f"/p/test/risks/{risk_id}/edit")
    assert "is already closed" in client.get(again.location).get_data(as_text=True)
    stale = client.post(f"/p/test/risks/{risk_id}/reopen", data={"version": "1"})
    assert "Someone changed risk" in client.get(stale.location).get_data(as_text=True)
    assert client.post(f"/p/test/risks/{risk_id}/reopen", data={"version": "2"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Risk, risk_id).is_open


def test_the_register_filters_by_state_and_level(app, client_for):
    world = make_world()
    closed = make_risk(world.programme, world.owner, likelihood=1, impact=4, is_open=False)
    low = make_risk(world.programme, world.owner, likelihood=1, impact=4)
    client = client_for(world.viewer)

    def listed(query: str = "") -> list[int]:
        response = client.get("/p/test/risks" + query)
        assert response.status_code == 200
        return _ids_listed(response.get_data(as_text=True))

    # Open risks by default, highest rating first: 25, 16, 6, 4
    assert listed() == [world.programme_risk.id, world.project_risk.id, world.workstream_risk.id, low.id]
    assert listed("?state=closed") == [closed.id]
    assert listed("?state=all") == [
        world.programme_risk.id,
        world.project_risk.id,
        world.workstream_risk.id,
        low.id,
        closed.id,
    ]
    assert listed("?state=all&level=low") == [low.id, closed.id]
    assert listed("?level=high") == [world.programme_risk.id, world.project_risk.id]
    assert listed("?level=medium") == [world.workstream_risk.id]
    refused = client.get("/p/test/risks?state=sideways&level=huge").get_data(as_text=True)
    assert "There is a problem with the filters" in refused and "Choose a level from the list" in refused
    assert _ids_listed(refused) == listed()


def test_the_register_draws_the_heat_map_with_its_table(app, client_for):
    world = make_world()
    make_risk(world.programme, world.owner, likelihood=4, impact=4)
    page = client_for(world.viewer).get("/p/test/risks").get_data(as_text=True)
    assert '<svg class="app-chart app-heat-map"' in page and 'role="img"' in page
    assert "Likelihood 4, impact 4, rated 16 (High (Red)): 2 risks" in page
    assert 'data-cell="4-4">2<' in page and 'data-cell="5-5">1<' in page and 'data-cell="2-3">1<' in page
    assert 'data-level="high">3<' in page and 'data-level="medium">1<' in page and 'data-level="low">0<' in page
    assert "Add a programme risk" not in page


def test_the_menu_offers_risks_to_readers(app, client_for):
    world = make_world()
    page = client_for(world.viewer).get("/p/test/risks").get_data(as_text=True)
    assert 'href="/p/test/risks"' in page
    anonymous = client_for(None).get("/p/test/risks")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.location


def _panel(item) -> str:
    return render_template_string('{% include "risks/_risk_panel.html" %}', item=item)


def test_the_panel_shows_each_item_its_risks(app):
    world = make_world()
    closed = make_risk(world.programme, world.owner, project=world.project, description="Old one.", is_open=False)
    db.session.commit()
    with app.test_request_context("/p/test/"):
        from flask_login import login_user

        from tracker.programme.context import use_programme

        use_programme(world.programme)
        login_user(world.lead)
        project_panel = _panel(world.project)
        workstream_panel = _panel(world.workstream)
        programme_panel = _panel(world.programme)
    assert _ids_listed(project_panel) == [world.project_risk.id, closed.id]
    assert "1 open risk" in project_panel and "and 1 closed" in project_panel
    assert 'href="/p/test/risks/new?project=a1"' in project_panel
    assert _ids_listed(workstream_panel) == [world.project_risk.id, world.workstream_risk.id, closed.id]
    assert "Project A1" in workstream_panel and "/p/test/risks/new?workstream=a" not in workstream_panel
    assert _ids_listed(programme_panel) == [world.programme_risk.id]
    assert "/p/test/risks/new" not in programme_panel  # the programme's own risks are the office's
    assert f"/p/test/risks/{world.project_risk.id}/edit" in project_panel
    assert f"/p/test/risks/{world.programme_risk.id}/edit" not in programme_panel

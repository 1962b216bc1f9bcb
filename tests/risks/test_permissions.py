"""Who may change a risk: the programme office, and the lead of the item the risk belongs to, by the role held there."""

from __future__ import annotations

import pytest

from tests.risks.world import make_risk, make_world, risk_form, risk_rows
from tracker.core.errors import NotAllowed
from tracker.risks import services
from tracker.risks.permissions import can_edit_risk, can_edit_risks_of, may_read_risks
from tracker.risks.rules import RiskDetails

# (visitor, project risk, workstream risk, programme risk)
EXPECTED = [
    ("office", True, True, True),
    ("lead", True, False, False),  # leads project A1 only
    ("other_lead", False, False, False),  # leads B1, not A1
    ("workstream_editor", True, True, False),  # edits workstream A: its risks and its projects'
    ("viewer", False, False, False),
    ("lead_there", False, False, False),  # a lead in "second", a viewer here
]


@pytest.mark.parametrize("visitor, on_project, on_workstream, on_programme", EXPECTED)
def test_who_may_edit_each_kind_of_risk(app, visitor, on_project, on_workstream, on_programme):
    world = make_world()
    user = getattr(world, visitor)
    assert can_edit_risk(user, world.project_risk) is on_project
    assert can_edit_risk(user, world.workstream_risk) is on_workstream
    assert can_edit_risk(user, world.programme_risk) is on_programme
    # Adding follows the same rule as changing.
    assert can_edit_risks_of(user, world.programme.id, project=world.project) is on_project
    assert can_edit_risks_of(user, world.programme.id, workstream=world.workstream) is on_workstream
    assert can_edit_risks_of(user, world.programme.id) is on_programme


def test_a_lead_in_one_programme_edits_risks_there_and_not_where_they_are_a_viewer(app):
    world = make_world()
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.programme.models import Project

    second_project = db.session.scalars(select(Project).where(Project.programme_id == world.second.id)).one()
    there = make_risk(world.second, world.owner, project=second_project)
    assert can_edit_risk(world.lead_there, there)
    assert not can_edit_risk(world.lead_there, world.project_risk)
    # The office of one programme is not the office of another.
    elsewhere = make_risk(world.second, world.owner)
    assert can_edit_risk(world.office, elsewhere)  # an installation admin is every programme's office


def test_nobody_signed_out_or_deactivated_edits(app):
    world = make_world()
    assert not can_edit_risk(None, world.project_risk)
    world.office.active = False
    assert not can_edit_risk(world.office, world.programme_risk)
    assert not may_read_risks(None)
    assert may_read_risks(world.viewer)


def test_services_refuse_those_who_may_not(app):
    world = make_world()
    details = RiskDetails(description="x", owner_id=world.owner.id, likelihood=1, impact=1)
    with pytest.raises(NotAllowed, match="Only the lead of project A1 or the programme office"):
        services.add_risk(world.other_lead, world.programme, details, project=world.project)
    with pytest.raises(NotAllowed, match="Only the programme office can change risk"):
        services.edit_risk(world.programme_risk, world.lead, details, world.programme_risk.version)
    with pytest.raises(NotAllowed):
        services.close_risk(world.project_risk, world.viewer)


@pytest.mark.parametrize(
    "visitor, url, status",
    [
        ("viewer", "/p/test/risks", 200),
        ("viewer", "/p/test/risks/new?project=A1", 403),
        ("lead", "/p/test/risks/new?project=A1", 200),
        ("lead", "/p/test/risks/new?workstream=A", 403),
        ("workstream_editor", "/p/test/risks/new?workstream=A", 200),
        ("lead", "/p/test/risks/new", 403),
        ("office", "/p/test/risks/new", 200),
        ("other_lead", "/p/test/risks/new?project=A1", 403),
        ("lead_there", "/p/test/risks/new?project=A1", 403),
        ("lead", "/p/test/risks/new?project=Z9", 404),
        ("lead", "/p/test/risks/new?project=A1&workstream=A", 404),
    ],
)
def test_pages_answer_each_visitor(app, client_for, visitor, url, status):
    world = make_world()
    assert client_for(getattr(world, visitor)).get(url).status_code == status


def test_a_refused_post_changes_nothing(app, client_for):
    world = make_world()
    before = risk_rows()
    client = client_for(world.other_lead)
    data = risk_form(owner_id=str(world.owner.id), version="1")
    assert client.post("/p/test/risks/new?project=A1", data=data).status_code == 403
    assert client.post(f"/p/test/risks/{world.project_risk.id}/edit", data=data).status_code == 403
    assert client.post(f"/p/test/risks/{world.project_risk.id}/close").status_code == 403
    assert risk_rows() == before


def test_a_risk_of_another_programme_is_not_found_here(app, client_for):
    world = make_world()
    elsewhere = make_risk(world.second, world.owner)
    client = client_for(world.office)
    assert client.get(f"/p/test/risks/{elsewhere.id}/edit").status_code == 404
    assert client.get(f"/p/second/risks/{elsewhere.id}/edit").status_code == 200

"""Adding, changing, closing and reopening risks: the rules, history, audit and versions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.risks.world import REVIEW_DATE, counts, make_world, risk_rows
from tracker.audit.models import AuditEvent
from tracker.core.errors import InvalidChange, NotFound, VersionConflict
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.risks import services
from tracker.risks.models import Risk
from tracker.risks.rules import RiskDetails


def _details(world, **fields) -> RiskDetails:
    values = {"description": "Social worker vacancies.", "owner_id": world.owner.id, "likelihood": "4", "impact": 5}
    return RiskDetails(**{**values, **fields})


def _history(risk: Risk) -> list[tuple]:
    rows = db.session.scalars(
        select(ChangeRecord)
        .where(ChangeRecord.item_type == "risk", ChangeRecord.item_id == risk.id)
        .order_by(ChangeRecord.id)
    )
    return [(r.field, r.old_value, r.new_value, r.note) for r in rows]


def _audit() -> list[tuple[str, str]]:
    return [(e.event, e.detail) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_adding_a_risk_records_it_its_history_and_the_audit(app):
    world = make_world()
    risk = services.add_risk(
        world.lead, world.programme, _details(world, review_on=REVIEW_DATE, mitigation=" Hire. "), project=world.project
    )
    db.session.commit()
    assert (risk.project, risk.workstream, risk.likelihood, risk.impact, risk.rating) == (world.project, None, 4, 5, 20)
    assert (risk.mitigation, risk.owner, risk.is_open, risk.review_on) == ("Hire.", world.owner, True, REVIEW_DATE)
    assert _history(risk) == [("created", None, f"Risk {risk.ref} added to project A1", "")]
    assert _audit()[-1] == ("risk_added", f"Risk {risk.ref} added to project A1: Social worker vacancies.")


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"description": ""}, "description", "Describe the risk or challenge"),
        ({"description": "x" * 5001}, "description", "The description must be 5,000 characters or fewer"),
        ({"mitigation": "x" * 5001}, "mitigation", "The mitigation must be 5,000 characters or fewer"),
        ({"likelihood": None}, "likelihood", "Choose how likely it is, from 1 to 5"),
        ({"likelihood": "0"}, "likelihood", "Likelihood must be a whole number from 1 to 5"),
        ({"likelihood": "3.5"}, "likelihood", "Likelihood must be a whole number from 1 to 5"),
        ({"impact": ""}, "impact", "Choose how great its impact would be, from 1 to 5"),
        ({"impact": 6}, "impact", "Impact must be a whole number from 1 to 5"),
        ({"review_on": "31/02/2027"}, "review_on", "The review date must be a real date, like 27 3 2027"),
        ({"owner_id": None}, "owner_id", "Choose who owns the risk"),
        ({"owner_id": 999999}, "owner_id", "Choose an owner from the list"),
    ],
)
def test_each_rule_refuses_with_its_message_and_saves_nothing(app, fields, field, message):
    world = make_world()
    before, numbers = risk_rows(), counts()
    with pytest.raises(InvalidChange) as refused:
        services.add_risk(world.office, world.programme, _details(world, **fields), project=world.project)
    assert refused.value.errors == {field: message}
    with pytest.raises(InvalidChange) as refused_edit:
        services.edit_risk(world.project_risk, world.office, _details(world, **fields), world.project_risk.version)
    assert refused_edit.value.errors == {field: message}
    db.session.rollback()
    assert risk_rows() == before and counts() == numbers


def test_a_risk_belongs_to_one_item_of_its_own_programme(app):
    world = make_world()
    with pytest.raises(InvalidChange, match="not both"):
        services.add_risk(world.office, world.programme, _details(world), world.workstream, world.project)
    with pytest.raises(NotFound):
        services.add_risk(world.office, world.second, _details(world), project=world.project)


def test_an_edit_records_each_changed_field_in_one_save(app):
    world = make_world()
    risk = world.project_risk
    changed = _details(world, description="Recruitment may slip.", likelihood=2, impact="5", owner_id=None)
    changed.owner_id = world.lead.person_id
    changed.mitigation = "Agency cover."
    changed.review_on = REVIEW_DATE
    records = services.edit_risk(risk, world.lead, changed, 1)
    db.session.commit()
    assert risk.version == 2
    assert sorted((r.field, r.old_value, r.new_value) for r in records) == [
        ("impact_score", "4", "5"),
        ("likelihood_score", "4", "2"),
        ("mitigation", "", "Agency cover."),
        ("owner", "Cam Owner", "Alex Lead"),
        ("review_date", None, "2027-03-31"),
    ]
    assert len({r.change_set for r in records}) == 1 and {r.user_id for r in records} == {world.lead.id}
    assert _audit()[-1][0] == "risk_changed" and "impact score" in _audit()[-1][1]


def test_saving_unchanged_details_writes_nothing(app):
    world = make_world()
    risk = world.project_risk
    same = RiskDetails(description=" Recruitment may slip. ", owner_id=world.owner.id, likelihood="4", impact="4")
    numbers = counts()
    assert services.edit_risk(risk, world.lead, same, 1) == []
    db.session.commit()
    assert counts() == numbers and risk.version == 1


def test_an_edit_against_an_older_version_is_a_conflict(app):
    world = make_world()
    risk = world.project_risk
    services.edit_risk(risk, world.office, _details(world), 1)
    db.session.commit()
    with pytest.raises(VersionConflict):
        services.edit_risk(risk, world.lead, _details(world, description="Older."), 1)
    with pytest.raises(VersionConflict):
        services.edit_risk(risk, world.lead, _details(world, description="No version."), None)
    with pytest.raises(VersionConflict):
        services.close_risk(risk, world.lead, 1)


def test_closing_and_reopening_are_recorded(app):
    world = make_world()
    risk = world.workstream_risk
    services.close_risk(risk, world.workstream_editor, 1, note="Mitigated.")
    db.session.commit()
    assert not risk.is_open
    with pytest.raises(InvalidChange, match="already closed"):
        services.close_risk(risk, world.workstream_editor)
    db.session.rollback()
    services.reopen_risk(risk, world.office)
    db.session.commit()
    assert risk.is_open and risk.version == 3
    assert _history(risk) == [
        ("open_or_closed", "Open", "Closed", "Mitigated."),
        ("open_or_closed", "Closed", "Open", ""),
    ]
    assert [event for event, _ in _audit()[-2:]] == ["risk_closed", "risk_reopened"]

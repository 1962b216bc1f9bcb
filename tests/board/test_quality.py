"""Data-quality checks: each rule on a case that trips it and one that does not, then the page."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from tests.board.helpers import board_world, make_meeting
from tests.conftest import TODAY
from tracker.board.models import RoundItem, UpdateRound
from tracker.board.quality import CHECKS, next_period_end, round_items_not_updated, run_checks
from tracker.extensions import db
from tracker.programme.models import Action, Project
from tracker.risks.models import Risk


def _action(**fields):
    return {
        "id": 1,
        "ref": "A1.1",
        "slug": "a1.1",
        "title": "Action",
        "lead": "Robin",
        "project_id": 1,
        "status": "amber",
        "start_date": "2026-01-01",
        "deadline": "2027-01-31",
        "completed_on": None,
        "progress_note": "Going well.",
        **fields,
    }


def _project(**fields):
    return {
        "id": 1,
        "ref": "A1",
        "slug": "a1",
        "title": "Project",
        "lead": "Robin",
        "status": "amber",
        "target_date": "2027-03-31",
        "progress": "Going well.",
        **fields,
    }


def _kpi(**fields):
    latest = {"period_end": "2026-09-30", "period_label": "Q2 2026/27", "value": "63"}
    return {
        "id": 1,
        "ref": "KPI 1",
        "slug": "kpi-1",
        "title": "Measure",
        "owner": "Kim",
        "frequency": "quarterly",
        "latest": latest,
        **fields,
    }


def _risk(**fields):
    return {
        "id": 1,
        "ref": "R1",
        "description": "Recruitment",
        "owner": "Kim",
        "is_open": True,
        "review_on": "2026-12-01",
        "project_ref": None,
        "workstream_ref": None,
        **fields,
    }


def clean() -> dict:
    """A position (as at 25 November 2026) that no check flags."""
    return {
        "position_as_at": TODAY.isoformat(),
        "workstreams": [{"id": 1, "ref": "A", "slug": "a", "title": "Workstream"}],
        "projects": [_project()],
        "actions": [_action(), _action(id=2, ref="A1.2", slug="a1.2")],
        "kpis": [_kpi()],
        "risks": [_risk()],
    }


def change(edit: Callable[[dict], None]) -> dict:
    position = copy.deepcopy(clean())
    edit(position)
    return position


def _set(key: str, index: int, **fields) -> Callable[[dict], None]:
    return lambda position: position[key][index].update(fields)


# (check code, a position that trips it, a near miss that does not, the flagged item's ref)
CASES = [
    (
        "complete_without_date",
        _set("actions", 0, status="green"),
        _set("actions", 0, status="green", completed_on="2026-11-01"),
        "A1.1",
    ),
    ("complete_without_date", _set("actions", 0, status="blue"), _set("actions", 0, status="amber"), "A1.1"),
    ("deadline_passed", _set("actions", 0, deadline="2026-11-24"), _set("actions", 0, deadline="2026-11-25"), "A1.1"),
    (
        "deadline_passed",
        _set("projects", 0, target_date="2026-11-01"),
        _set("projects", 0, target_date="2026-11-01", status="blue"),
        "A1",
    ),
    (
        "grey_but_started",
        _set("actions", 0, status="grey", start_date="2026-11-24"),
        _set("actions", 0, status="grey", start_date="2026-11-25"),
        "A1.1",
    ),
    (
        "red_without_note",
        _set("actions", 0, status="red", progress_note="  "),
        _set("actions", 0, status="red", progress_note="Recovery plan agreed."),
        "A1.1",
    ),
    (
        "red_without_note",
        _set("projects", 0, status="red", progress=""),
        _set("projects", 0, status="amber", progress=""),
        "A1",
    ),
    (
        "project_contradicts_actions",
        lambda p: (
            p["projects"][0].update(status="green"),
            p["actions"][0].update(status="red"),
            p["actions"][1].update(status="grey", start_date="2027-01-01"),
        ),
        lambda p: (p["projects"][0].update(status="green"), p["actions"][0].update(status="red")),
        "A1",
    ),
    ("kpi_value_missing", _set("kpis", 0, latest=None), _set("kpis", 0, frequency="annual"), "KPI 1"),
    (
        "kpi_value_missing",
        _set("kpis", 0, latest={"period_end": "2026-06-30", "period_label": "Q1"}),
        _set("kpis", 0, latest={"period_end": "2026-07-31", "period_label": "Q1"}),
        "KPI 1",
    ),
    (
        "kpi_value_missing",
        lambda p: p["kpis"][0].update(frequency="monthly", latest={"period_end": "2026-08-31", "period_label": "Aug"}),
        lambda p: p["kpis"][0].update(frequency="monthly", latest={"period_end": "2026-09-30", "period_label": "Sep"}),
        "KPI 1",
    ),
    (
        "risk_review_overdue",
        _set("risks", 0, review_on="2026-11-24"),
        _set("risks", 0, review_on="2026-11-24", is_open=False),
        "R1",
    ),
]


def _findings(position: dict, code: str, not_updated=None) -> list:
    return next(r for r in run_checks(position, not_updated) if r.check.code == code).findings


def test_a_clean_position_has_no_findings():
    assert all(result.count == 0 for result in run_checks(clean(), set()))


@pytest.mark.parametrize("code, trips, near_miss, ref", CASES, ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)])
def test_each_check_trips_and_does_not(code, trips, near_miss, ref):
    flagged = _findings(change(trips), code)
    assert [f.ref for f in flagged] == [ref]
    assert flagged[0].problem and flagged[0].endpoint and (flagged[0].slug or flagged[0].endpoint.endswith("overview"))
    assert _findings(change(near_miss), code) == []
    # One rule per check: a case trips its own check and no other.
    others = {r.check.code for r in run_checks(change(trips), set()) if r.count and r.check.code != code}
    assert others <= {"deadline_passed", "complete_without_date"} - {code} or code == "project_contradicts_actions"


def test_not_updated_in_the_round_trips_and_does_not():
    assert [f.ref for f in _findings(clean(), "not_updated_in_round", {("action", 2)})] == ["A1.2"]
    assert _findings(clean(), "not_updated_in_round", {("project", 2)}) == []
    result = next(r for r in run_checks(clean(), None) if r.check.code == "not_updated_in_round")
    assert result.not_run and result.count == 0


def test_every_check_says_what_to_do_and_is_tested():
    assert all(check.what_to_do.endswith(".") and check.title for check in CHECKS)
    assert {case[0] for case in CASES} | {"not_updated_in_round"} == {check.code for check in CHECKS}


def test_the_next_period_of_a_kpi():
    assert next_period_end(date(2026, 9, 30), "quarterly") == date(2026, 12, 31)
    assert next_period_end(date(2026, 1, 31), "monthly") == date(2026, 2, 28)
    assert next_period_end(date(2026, 8, 31), "termly") == date(2026, 12, 31)
    assert next_period_end(date(2026, 3, 31), "annual") == date(2027, 3, 31)


def test_a_risk_finding_links_to_its_project():
    position = change(_set("risks", 0, review_on="2026-11-01", project_ref="A1"))
    (finding,) = _findings(position, "risk_review_overdue")
    assert (finding.endpoint, finding.slug) == ("programme.project", "a1")


# --- the round and the page --------------------------------------------------------------------


def test_round_items_with_no_update_since_the_round_opened(app, admin_user):
    world = board_world()
    action_ids = dict(db.session.execute(db.select(Action.ref, Action.id)).all())
    project_id = db.session.scalar(db.select(Project.id).where(Project.ref == "A1"))
    update_round = UpdateRound(
        meeting=world["later"], programme=world["programme"], opened_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    )
    update_round.scope = next(iter(type(update_round).scope.type.enum_class))  # any scope
    update_round.items = [
        RoundItem(item_type="action", item_id=action_ids["A1.1"]),
        RoundItem(item_type="action", item_id=action_ids["A1.2"]),
        RoundItem(item_type="project", item_id=project_id),
    ]
    db.session.add(update_round)
    db.session.commit()
    assert round_items_not_updated(update_round) == {
        ("action", action_ids["A1.1"]),
        ("action", action_ids["A1.2"]),
        ("project", project_id),
    }
    from tracker.history.models import ChangeRecord

    db.session.add(
        ChangeRecord(
            item_type="action",
            item_id=action_ids["A1.1"],
            field="status",
            old_value="amber",
            new_value="green",
            change_set="x",
            changed_at=datetime(2026, 11, 2, tzinfo=UTC),
        )
    )
    db.session.add(
        ChangeRecord(
            item_type="action",
            item_id=action_ids["A1.2"],
            field="status",
            old_value="amber",
            new_value="green",
            change_set="y",
            changed_at=datetime(2026, 10, 2, tzinfo=UTC),
        )
    )
    db.session.commit()
    assert round_items_not_updated(update_round) == {("action", action_ids["A1.2"]), ("project", project_id)}
    assert round_items_not_updated(None) is None


def test_the_quality_page_for_the_programme_office(app, admin_client, signed_in_client, viewer_user):
    world = board_world()
    db.session.add(
        Risk(programme=world["programme"], description="Old risk", likelihood=1, impact=1, review_on=date(2026, 1, 1))
    )
    make_meeting(world["programme"], date(2027, 1, 15))
    db.session.commit()
    page = admin_client.get("/p/test/quality")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Risk past its review date (1)" in html
    assert "No update round is open" in html and 'href="/p/test/workstreams/' not in html
    assert signed_in_client(viewer_user).get("/p/test/quality").status_code == 403

"""Frozen boards: what a snapshot holds, that nothing changes it afterwards, and that a board is frozen once."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from tests.board.helpers import board_world, make_meeting
from tests.conftest import TODAY, wipe_tables
from tests.factories import make_user
from tests.kpis.factories import make_kpi, make_value
from tracker.audit.models import AuditEvent
from tracker.board.models import BoardSnapshot
from tracker.board.snapshots import (
    SCHEMA,
    SnapshotDamaged,
    build_position,
    checksum,
    freeze_board,
    frozen_document,
    load_snapshot,
    snapshot_of,
)
from tracker.core.errors import InvalidChange, NotAllowed
from tracker.demo.scale import build_synthetic_programme
from tracker.extensions import db
from tracker.kpis.models import KpiValue
from tracker.programme.models import Action, Programme, Project
from tracker.risks.models import Risk

TOP_LEVEL_KEYS = {
    "schema",
    "programme",
    "meeting",
    "position_as_at",
    "next_board",
    "frozen",
    "rollup",
    "summary",
    "workstreams",
    "projects",
    "actions",
    "kpis",
    "risks",
}


def test_the_position_holds_every_item_kpi_and_risk(app):
    world = board_world()
    position = build_position(world["programme"], TODAY)

    assert set(position) == TOP_LEVEL_KEYS and position["schema"] == SCHEMA
    assert position["programme"] == {
        "name": "Test improvement programme",
        "short_name": "test",
        "board_name": "Improvement Board",
        "cycle_weeks": 6,
    }
    assert position["position_as_at"] == "2026-11-25" and position["next_board"] == "2026-11-27"
    assert [p["ref"] for p in position["projects"]] == ["A1", "A2", "S1"]
    assert [a["ref"] for a in position["actions"]] == ["A1.1", "A1.2", "A2.1", "A2.2", "S1.1"]
    action = position["actions"][0]
    assert action["lead"] == "Robin Lead" and action["progress_note"] == "Note 1.1" and action["status"] == "amber"
    assert action["deadline"] == "2027-01-31" and action["project_ref"] == "A1" and action["overdue"] is False
    assert position["actions"][-1]["reported_separately_by"] == "SEND Improvement Board"
    assert position["workstreams"][0]["title"] == 'Early help <& "quotes">'
    assert position["workstreams"][0]["counts"]["actions"]["by_status"]["amber"] == 4
    assert position["rollup"]["actions"]["total"] == 5
    assert position["summary"]["actions"][0].startswith("Of the 5 actions: 4 are rated Amber")
    (kpi,) = position["kpis"]
    assert kpi["latest"]["value"] == "63" and kpi["status"] == "amber" and kpi["direction"] == "improving"
    assert [v["value"] for v in kpi["recent"]] == ["58", "61", "63"] and kpi["workstream_refs"] == ["A"]
    (risk,) = position["risks"]
    assert risk["rating"] == 16 and risk["rag"] == "high" and risk["level"] == "workstream"
    assert risk["owner"] == "Robin Lead" and risk["review_on"] == "2026-12-01"


def test_freezing_records_who_and_when_and_the_checksum(app, admin_user):
    world = board_world()
    snapshot = freeze_board(world["programme"], world["later"], admin_user)
    db.session.commit()

    stored = snapshot_of(world["later"])
    assert stored is not None and stored.id == snapshot.id
    assert stored.frozen_by_id == admin_user.id and stored.frozen_by_name == "Pat Director"
    assert stored.frozen_at is not None and stored.position_as_at == TODAY
    assert stored.content_sha256 == checksum(stored.content)
    content = load_snapshot(stored)
    assert content["meeting"] == {"date": "2026-11-27", "update_deadline": "2026-11-20"}
    assert content["frozen"]["by"] == "Pat Director"
    assert json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == stored.content
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "board_frozen")).one()
    assert event.user_id == admin_user.id and "27 November 2026" in event.detail


def test_a_board_is_frozen_once(app, admin_user):
    world = board_world()
    freeze_board(world["programme"], world["later"], admin_user)
    db.session.commit()
    with pytest.raises(InvalidChange) as refused:
        freeze_board(world["programme"], world["later"], admin_user, command_line=True)
    assert "already frozen" in refused.value.errors["meeting"] and "Pat Director" in refused.value.errors["meeting"]
    assert db.session.scalar(select(db.func.count()).select_from(BoardSnapshot)) == 1


def test_only_the_programme_office_or_the_command_line_freezes(app, viewer_user, lead_user):
    world = board_world()
    for user in (viewer_user, lead_user, None):
        with pytest.raises(NotAllowed):
            freeze_board(world["programme"], world["later"], user)
    snapshot = freeze_board(world["programme"], world["later"], None, command_line=True)
    assert snapshot.frozen_by_name == "the command line" and snapshot.frozen_by_id is None


def test_a_meeting_of_another_programme_is_refused(app, admin_user):
    world = board_world()
    other = Programme(name="Other", short_name="other")
    db.session.add(other)
    db.session.flush()
    with pytest.raises(InvalidChange):
        freeze_board(other, world["later"], admin_user)


def test_edits_through_the_app_leave_the_snapshot_as_it_was(app, admin_user, admin_client):
    world = board_world()
    snapshot = freeze_board(world["programme"], world["later"], admin_user)
    db.session.commit()
    before_text, before_sum = snapshot.content, snapshot.content_sha256

    update = {
        "status": "red",
        "status_reason": "Staff left",
        "progress_note": "Changed after the board <&>.",
        "version": "1",
        "deadline": ["31", "3", "2027"],
        "deadline_reason": "Recruitment",
    }
    assert admin_client.post("/p/test/actions/A1.1/update", data=update).status_code == 302
    assert (
        db.session.get(Action, db.session.scalar(select(Action.id).where(Action.ref == "A1.1"))).status.value == "red"
    )

    db.session.expire_all()
    stored = snapshot_of(world["later"])
    assert stored.content == before_text and stored.content_sha256 == before_sum
    assert load_snapshot(stored)["actions"][0]["status"] == "amber"
    assert build_position(world["programme"], TODAY)["actions"][0]["deadline_note"] == "Recruitment"


def test_direct_updates_to_the_live_tables_leave_the_snapshot_as_it_was(app, admin_user):
    world = board_world()
    snapshot = freeze_board(world["programme"], world["later"], admin_user)
    db.session.commit()
    before = (snapshot.content, snapshot.content_sha256)

    db.session.execute(update(Action).values(status="red", progress_note="rewritten", deadline=date(2030, 1, 1)))
    db.session.execute(update(Project).values(title="Renamed", progress="rewritten"))
    db.session.execute(update(KpiValue).values(value=1, commentary="rewritten"))
    db.session.execute(update(Risk).values(description="rewritten", likelihood=1))
    db.session.execute(text("UPDATE person SET name = 'Someone else'"))
    db.session.commit()

    db.session.expire_all()
    stored = snapshot_of(world["later"])
    assert (stored.content, stored.content_sha256) == before
    content = load_snapshot(stored)
    assert content["actions"][0]["lead"] == "Robin Lead" and content["kpis"][0]["latest"]["value"] == "63"
    assert content["risks"][0]["description"] == "Recruitment of social workers"


def test_the_database_refuses_to_change_a_snapshot(app, admin_user):
    world = board_world()
    freeze_board(world["programme"], world["later"], admin_user)
    db.session.commit()
    for statement in ("UPDATE board_snapshot SET content = '{}'", "UPDATE board_snapshot SET frozen_by_name = 'x'"):
        with pytest.raises(DBAPIError) as refused:
            db.session.execute(text(statement))
            db.session.flush()
        assert "cannot be changed" in str(refused.value)
        db.session.rollback()
    assert snapshot_of(world["later"]).frozen_by_name == "Pat Director"


def test_a_document_that_does_not_match_its_checksum_is_refused(app):
    damaged = BoardSnapshot(content='{"schema":1}', content_sha256="0" * 64, position_as_at=TODAY)
    with pytest.raises(SnapshotDamaged):
        load_snapshot(damaged)


def test_a_frozen_document_is_read_and_parsed_once_until_the_cache_is_cleared(app, admin_user, count_queries):
    world = board_world()
    freeze_board(world["programme"], world["later"], admin_user)
    db.session.commit()
    first = snapshot_of(world["later"])
    assert count_queries(lambda: frozen_document(first)) == 1  # the deferred text, read and checked
    again = snapshot_of(world["later"])
    assert count_queries(lambda: frozen_document(again)) == 0
    assert frozen_document(again) == load_snapshot(again)
    app.extensions["tracker_cache"].clear()
    db.session.expire_all()
    assert world["later"].meets_on  # the meeting read afresh, before counting
    assert count_queries(lambda: frozen_document(snapshot_of(world["later"]))) == 2  # the row, then its text


# --- the web and the command line -------------------------------------------------------------


def test_the_freeze_button_freezes_once_and_says_so(app, admin_user, admin_client):
    board_world()
    first = admin_client.post("/p/test/meetings/2026-11-27/freeze", follow_redirects=True)
    assert first.status_code == 200 and "is frozen" in first.get_data(as_text=True)
    second = admin_client.post("/p/test/meetings/2026-11-27/freeze", follow_redirects=True)
    assert "already frozen" in second.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(BoardSnapshot)) == 1
    assert admin_client.post("/p/test/meetings/2026-11-28/freeze").status_code == 404
    assert admin_client.post("/p/test/meetings/not-a-date/freeze").status_code == 404


def test_a_lead_may_not_freeze(app, signed_in_client, lead_user):
    board_world()
    assert signed_in_client(lead_user).post("/p/test/meetings/2026-11-27/freeze").status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(BoardSnapshot)) == 0


def test_the_freeze_command_chooses_the_next_meeting_and_refuses_a_second_freeze(app, runner):
    world = board_world()
    result = runner.invoke(args=["board", "freeze", "--programme", "test"])
    assert result.exit_code == 0, result.output
    assert "Freezing the board of 27 November 2026 (the next meeting on or after today)" in result.output
    assert snapshot_of(world["later"]).frozen_by_name == "the command line"
    again = runner.invoke(args=["board", "freeze", "--programme", "test", "--meeting", "2026-11-27"])
    assert again.exit_code != 0 and "already frozen" in again.output
    past = runner.invoke(args=["board", "freeze", "--meeting", "2026-10-02"])
    assert past.exit_code == 0, past.output
    assert runner.invoke(args=["board", "freeze", "--meeting", "2026-10-03"]).exit_code != 0


def test_without_a_coming_meeting_the_command_freezes_the_latest_past_one_not_frozen(app, runner):
    world = board_world()
    db.session.delete(world["later"])
    make_meeting(world["programme"], date(2026, 8, 20))
    db.session.commit()
    result = runner.invoke(args=["board", "freeze"])
    assert result.exit_code == 0, result.output
    assert "2 October 2026 (the latest past meeting not yet frozen)" in result.output


# --- a fixed number of statements -------------------------------------------------------------


def _scale_world(actions: int, kpis: int, values: int) -> tuple[Programme, object]:
    build_synthetic_programme(workstreams=4, projects=40, actions=actions, today=TODAY)
    programme = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
    for n in range(kpis):
        kpi = make_kpi(f"K{n}", programme=programme, target=50, tolerance_low=40, frequency="monthly")
        for m in range(values):
            make_value(kpi, date(2020 + m // 12, m % 12 + 1, 28), 30 + m)
    db.session.add(Risk(programme=programme, description="Risk", likelihood=2, impact=3))
    meeting = make_meeting(programme, date(2026, 11, 27))
    db.session.commit()
    return programme, meeting


@pytest.mark.slow
def test_freezing_sends_the_same_statements_at_two_sizes(app, count_queries):
    admin = make_user("admin")
    counts = []
    for actions, kpis, values in ((100, 2, 3), (2000, 12, 20)):
        programme, meeting = _scale_world(actions, kpis, values)
        app.extensions["tracker_cache"].clear()
        counts.append(count_queries(lambda p=programme, m=meeting, a=admin: freeze_board(p, m, a)))
        content = load_snapshot(snapshot_of(meeting))
        assert len(content["actions"]) == actions and len(content["kpis"]) == kpis
        db.session.commit()
        wipe_tables()
        admin = make_user("admin")
    assert counts[0] == counts[1], counts

"""Movement since the last board: a hand-made pair of documents with every kind of change, then the page and command."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from sqlalchemy import select, update

from tests.board.helpers import board_world, make_meeting
from tests.conftest import TODAY, wipe_tables
from tests.factories import make_user
from tracker.board.movement import LIST_FOLD, movement, movement_for_meeting
from tracker.board.snapshots import freeze_board
from tracker.demo.scale import build_synthetic_programme
from tracker.extensions import db
from tracker.programme.models import Action, Programme
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, update_action


def _action(id, status="amber", deadline="2026-12-31", overdue=False, note="", deadline_note="", **more):
    return {
        "id": id,
        "ref": f"A1.{id}",
        "slug": f"a1-{id}",
        "title": f"Action {id}",
        "project_id": 1,
        "lead": "Robin Lead",
        "status": status,
        "deadline": deadline,
        "deadline_note": deadline_note,
        "progress_note": note,
        "overdue": overdue,
        **more,
    }


def _project(id, status="amber", target="2027-03-31", **more):
    return {
        "id": id,
        "ref": f"A{id}",
        "slug": f"a{id}",
        "title": f"Project {id}",
        "lead": "Kim",
        "status": status,
        "target_date": target,
        "target_date_note": "",
        "progress": "",
        "overdue": False,
        **more,
    }


def _kpi(id, status, direction):
    return {
        "id": id,
        "ref": f"KPI {id}",
        "slug": f"kpi-{id}",
        "title": f"Measure {id}",
        "owner": "Kim",
        "status": status,
        "direction": direction,
    }


BEFORE = {
    "position_as_at": "2026-10-01",
    "meeting": {"date": "2026-10-02"},
    "workstreams": [
        {"id": 1, "ref": "A", "slug": "a", "title": "Early help"},
        {"id": 2, "ref": "B", "slug": "b", "title": "Closing"},
    ],
    "projects": [_project(1), _project(2, status="green"), _project(3)],
    "actions": [
        *(_action(n, status="amber") for n in range(1, 10)),  # 1-9: Amber, become Green
        _action(10, status="grey"),  # becomes Red
        _action(11, deadline="2026-11-01", note="old"),  # deadline moves, reason in history
        _action(12, deadline="2026-11-01", note="Waiting for the contract"),  # moves, reason only in the note
        _action(13, deadline="2026-11-30"),  # becomes overdue
        _action(14, deadline="2026-09-01", overdue=True),  # was already overdue
        _action(15),  # archived before the later board
    ],
    "kpis": [_kpi(1, "amber", "improving"), _kpi(2, "green", "no change"), _kpi(3, "red", "worsening")],
}


def after_document() -> dict:
    after = copy.deepcopy(BEFORE)
    after["position_as_at"], after["meeting"] = "2026-11-26", {"date": "2026-11-27"}
    after["workstreams"] = [after["workstreams"][0], {"id": 3, "ref": "C", "slug": "c", "title": "New one"}]
    actions = {a["id"]: a for a in after["actions"]}
    for n in range(1, 10):
        actions[n].update(status="green", completed_on="2026-11-01")
    actions[10]["status"] = "red"
    actions[11].update(deadline="2027-02-28", deadline_note="Supplier went bust", progress_note="Retendering")
    actions[12].update(deadline="2027-01-31")
    actions[13]["overdue"] = True
    del actions[15]
    actions[16] = _action(16, status="grey")
    after["actions"] = list(actions.values())
    after["projects"][1]["status"] = "blue"
    after["projects"][2]["target_date"] = "2027-06-30"
    after["projects"].append(_project(4, status="grey"))
    after["kpis"] = [_kpi(1, "green", "improving"), _kpi(2, "green", "worsening"), _kpi(3, "red", "worsening")]
    return after


def test_movement_across_a_hand_made_pair_of_documents():
    result = movement(BEFORE, after_document())

    assert [t.sentence for t in result.transitions] == [
        "1 project Green → Blue",
        "9 actions Amber → Green",
        "1 action Grey → Red",
    ]
    assert len(result.status_changes) == 11
    assert [(ref.kind, ref.ref) for ref in result.new] == [("workstream", "C"), ("project", "A4"), ("action", "A1.16")]
    assert [(ref.kind, ref.ref) for ref in result.closed] == [("workstream", "B"), ("action", "A1.15")]
    moves = {m.item.ref: m for m in result.date_moves}
    assert set(moves) == {"A3", "A1.11", "A1.12"}
    assert (moves["A1.11"].before, moves["A1.11"].after) == ("2026-11-01", "2027-02-28") and moves["A1.11"].slipped
    assert (moves["A1.11"].reason, moves["A1.11"].reason_source) == ("Supplier went bust", "history")
    assert (moves["A1.12"].reason, moves["A1.12"].reason_source) == ("Waiting for the contract", "progress note")
    assert (moves["A3"].field_label, moves["A3"].reason, moves["A3"].reason_source) == ("target date", "", "")
    assert [o.item.ref for o in result.newly_overdue] == ["A1.13"]
    assert [(k.item.ref, k.status_changed) for k in result.kpi_changes] == [("KPI 1", True), ("KPI 2", False)]
    assert result.before_meeting == "2026-10-02" and result.after_meeting == "2026-11-27"


def test_movement_as_json_and_text():
    result = movement(BEFORE, after_document())
    data = json.loads(json.dumps(result.to_json()))
    assert data["transitions"][1] == {
        "kind": "action",
        "from": "amber",
        "to": "green",
        "count": 9,
        "sentence": "9 actions Amber → Green",
    }
    assert data["dates_moved"][1]["reason"] == "Supplier went bust"
    text = "\n".join(result.lines())
    assert "Movement from the board of 2 October 2026" in text and "9 actions Amber → Green" in text
    assert "A1.11: deadline 1 November 2026 → 28 February 2027 (history: Supplier went bust)" in text


def test_nothing_moved():
    result = movement(BEFORE, copy.deepcopy(BEFORE))
    assert result.is_empty and result.lines()[-1] == "Nothing moved."


# --- two real boards -------------------------------------------------------------------------


def _two_boards(admin) -> dict:
    world = board_world()
    freeze_board(world["programme"], world["earlier"], admin)
    db.session.commit()
    db.session.execute(update(Action).where(Action.ref == "A1.1").values(status="red"))
    db.session.commit()
    return world


def test_a_meeting_not_yet_frozen_compares_the_last_frozen_board_with_the_live_position(app, admin_user):
    world = _two_boards(admin_user)
    result = movement_for_meeting(world["programme"], world["later"], TODAY)
    assert result is not None and result.after_meeting is None and result.before_meeting == "2026-10-02"
    assert [t.sentence for t in result.transitions] == ["1 action Amber → Red"]


def test_a_frozen_meeting_compares_with_the_board_before(app, admin_user):
    world = _two_boards(admin_user)
    freeze_board(world["programme"], world["later"], admin_user)
    db.session.commit()
    db.session.execute(update(Action).values(status="grey"))  # after the freeze: not in the movement
    db.session.commit()
    result = movement_for_meeting(world["programme"], world["later"], TODAY)
    assert result.after_meeting == "2026-11-27" and [t.sentence for t in result.transitions] == ["1 action Amber → Red"]
    assert movement_for_meeting(world["programme"], world["earlier"], TODAY) is None


def test_the_movement_page(app, admin_user, viewer_client):
    world = _two_boards(admin_user)
    page = viewer_client.get("/p/test/meetings/2026-11-27/movement")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Status changes by transition" in html
    assert 'href="/p/test/actions/a1.1"' in html and "the live position" in html
    first = viewer_client.get("/p/test/meetings/2026-10-02/movement").get_data(as_text=True)
    assert "no earlier frozen board" in first
    assert viewer_client.get("/p/test/meetings/2026-10-03/movement").status_code == 404
    assert world["programme"].short_name == "test"


def test_the_movement_command(app, admin_user, runner):
    _two_boards(admin_user)
    as_json = runner.invoke(args=["board", "movement", "--programme", "test", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["transitions"][0]["sentence"] == "1 action Amber → Red"
    assert "Movement for the board of 27 November 2026" in as_json.stderr
    text = runner.invoke(args=["board", "movement", "--meeting", "2026-11-27"])
    assert text.exit_code == 0 and "1 action Amber → Red" in text.output
    none = runner.invoke(args=["board", "movement", "--meeting", "2026-10-02"])
    assert none.exit_code != 0 and "no earlier frozen board" in none.output


# --- a fixed number of statements -------------------------------------------------------------


def _page_counts(app, signed_in_client, count_queries, actions: int) -> tuple[int, int]:
    build_synthetic_programme(workstreams=4, projects=40, actions=actions, today=TODAY)
    programme = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
    admin = make_user("admin")
    earlier, later = make_meeting(programme, date(2026, 10, 2)), make_meeting(programme, date(2026, 11, 27))
    db.session.commit()
    freeze_board(programme, earlier, admin)
    db.session.commit()
    db.session.execute(
        update(Action).where(Action.programme_id == programme.id, Action.id % 7 == 0).values(status="red")
    )
    db.session.commit()
    client = signed_in_client(make_user("viewer"))
    app.extensions["tracker_cache"].clear()
    live = count_queries(lambda: client.get("/p/scale/meetings/2026-11-27/movement"))
    freeze_board(programme, later, admin)
    db.session.commit()
    app.extensions["tracker_cache"].clear()
    frozen = count_queries(lambda: client.get("/p/scale/meetings/2026-11-27/movement"))
    assert client.get("/p/scale/meetings/2026-11-27/movement").status_code == 200
    return live, frozen


@pytest.mark.slow
def test_the_movement_page_sends_the_same_statements_at_two_sizes(app, signed_in_client, count_queries):
    small = _page_counts(app, signed_in_client, count_queries, 100)
    wipe_tables()
    large = _page_counts(app, signed_in_client, count_queries, 2000)
    assert small == large, (small, large)


# --- the live position after a write, and long lists ------------------------------------------

LIVE_URL = "/p/{}/meetings/2026-11-27/movement"


def _save_status(action: Action, user, status: Status) -> None:
    """Save a lead's update the way the action page does: through the update service."""
    change = ActionUpdate(
        status=status,
        progress_note="Supplier late",
        deadline=action.deadline,
        completed_on=action.completed_on,
        status_reason="The supplier is three weeks late",
    )
    update_action(action, user, change, action.version, TODAY)
    db.session.commit()


def test_the_live_movement_follows_each_write_through_the_update_service(app, admin_user, viewer_client):
    _two_boards(admin_user)
    url = LIVE_URL.format("test")
    assert "Items whose status changed (1)" in viewer_client.get(url).get_data(as_text=True)
    _save_status(db.session.scalars(select(Action).where(Action.ref == "A1.2")).one(), admin_user, Status.RED)
    html = viewer_client.get(url).get_data(as_text=True)
    assert "Items whose status changed (2)" in html and 'href="/p/test/actions/a1.2"' in html


def _after_write_count(app, signed_in_client, count_queries, actions: int) -> int:
    build_synthetic_programme(workstreams=4, projects=40, actions=actions, today=TODAY)
    programme = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
    admin = make_user("admin")
    earlier, _later = make_meeting(programme, date(2026, 10, 2)), make_meeting(programme, date(2026, 11, 27))
    db.session.commit()
    freeze_board(programme, earlier, admin)
    db.session.commit()
    app.extensions["tracker_cache"].clear()  # nothing kept from the other size
    client = signed_in_client(make_user("viewer"))
    url = LIVE_URL.format("scale")
    assert client.get(url).status_code == 200  # the frozen board is read and parsed once
    open_action = db.session.scalars(
        select(Action)
        .where(Action.programme_id == programme.id, Action.status == Status.AMBER)
        .order_by(Action.id)
        .limit(1)
    ).one()
    _save_status(open_action, admin, Status.RED)
    return count_queries(lambda: client.get(url))


@pytest.mark.slow
def test_the_first_live_movement_after_a_write_sends_the_same_statements_at_two_sizes(
    app, signed_in_client, count_queries
):
    small = _after_write_count(app, signed_in_client, count_queries, 100)
    wipe_tables()
    large = _after_write_count(app, signed_in_client, count_queries, 2000)
    assert small == large, (small, large)


def test_long_lists_show_the_first_entries_and_link_to_them_all(app, admin_user, viewer_client):
    world = board_world(actions_per_project=30, projects=2)
    freeze_board(world["programme"], world["earlier"], admin_user)
    db.session.commit()
    db.session.execute(update(Action).values(status="red"))
    db.session.commit()
    url = LIVE_URL.format("test")
    folded = viewer_client.get(url).get_data(as_text=True)
    changed = _list_items(folded, "status-changes")
    assert len(changed) == LIST_FOLD and "Items whose status changed (61)" in folded
    assert f"Showing the first {LIST_FOLD} of 61." in folded
    assert 'href="?full=1#status-changes">Show all 61 items whose status changed</a>' in folded
    full = viewer_client.get(url + "?full=1").get_data(as_text=True)
    assert len(_list_items(full, "status-changes")) == 61 and "Showing the first" not in full
    odd = viewer_client.get(url + "?full=everything")
    assert odd.status_code == 200 and len(_list_items(odd.get_data(as_text=True), "status-changes")) == LIST_FOLD


def _list_items(html: str, labelled_by: str) -> list[str]:
    """Return the entries of the list labelled by the heading with that id."""
    start = html.index(f'aria-labelledby="{labelled_by}"')
    return html[start : html.index("</ul>", start)].split("<li>")[1:]

"""Update rounds: what opening one records, who has updated since, the round page and My actions' list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template
from sqlalchemy import func, select

from tests.conftest import TODAY
from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tracker.board.models import RoundItem, RoundScope, UpdateRound
from tracker.board.round_queries import last_update, owed_by, round_of, round_status
from tracker.board.rounds import open_round
from tracker.core.errors import InvalidChange, NotAllowed
from tracker.extensions import db
from tracker.history.services import FieldChange, record_changes
from tracker.programme.context import use_programme
from tracker.programme.models import BoardMeeting, Programme
from tracker.programme.status import Status

MEETS_ON = date(2026, 12, 10)  # TODAY is 25 November 2026
DEADLINE = date(2026, 12, 3)
ROUND_URL = "/p/test/meetings/2026-12-10/round"


def make_meeting(programme: Programme, meets_on: date = MEETS_ON, deadline: date = DEADLINE) -> BoardMeeting:
    meeting = BoardMeeting(programme=programme, meets_on=meets_on, update_deadline=deadline)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def recorded(update_round: UpdateRound) -> set[tuple[str, str]]:
    """(item type, ref) of every item the round recorded."""
    from tracker.programme.models import Action, Project

    rows = db.session.execute(
        select(RoundItem.item_type, RoundItem.item_id).where(RoundItem.round_id == update_round.id)
    )
    refs = set()
    for item_type, item_id in rows:
        model = Action if item_type == "action" else Project
        refs.add((item_type, db.session.get(model, item_id).ref))
    return refs


def updated_at(item, user, moment: datetime, field: str = "progress_note") -> None:
    """Write a history record on the item, as a save at `moment` would."""
    for record in record_changes(item, [FieldChange(field, "old", "new")], user):
        record.changed_at = moment
    db.session.flush()


@pytest.fixture
def world(app):
    """Two leads: Alex leads project P1 and its actions, Blake leads project P2's; items of every timing."""
    programme = make_programme()
    alex, blake = make_person(name="Alex Lead"), make_person(name="Blake Lead")
    workstream = make_workstream("W")
    p1 = make_project(workstream, "P1", lead=alex, target_date=date(2027, 3, 31))
    p2 = make_project(workstream, "P2", lead=blake, target_date=date(2026, 12, 1))  # due before the board
    done = make_project(workstream, "P3", lead=alex, status=Status.GREEN)  # complete: never owed
    actions = {
        "due": make_action(p1, "P1.1", lead=alex, deadline=date(2026, 12, 5)),
        "on_the_day": make_action(p1, "P1.2", lead=alex, deadline=MEETS_ON),
        "overdue": make_action(p1, "P1.3", lead=alex, deadline=date(2026, 11, 1), start_date=date(2026, 1, 1)),
        "later": make_action(p1, "P1.4", lead=alex, deadline=date(2027, 2, 1)),
        "no_deadline": make_action(p1, "P1.5", lead=alex, deadline=None),
        "complete": make_action(p1, "P1.6", lead=alex, status=Status.GREEN, deadline=date(2026, 11, 1)),
        "archived": make_action(p1, "P1.7", lead=alex, archived_at=datetime(2026, 10, 1, tzinfo=UTC)),
        "blakes": make_action(p2, "P2.1", lead=blake, deadline=date(2026, 12, 8)),
        "nobodys": make_action(p2, "P2.2", lead=None, deadline=date(2027, 1, 8)),
    }
    # Another programme's items are never in this one's round.
    other = make_programme(short_name="other", name="Other programme")
    make_action(make_project(make_workstream("W", programme=other), "P1", lead=alex), "P1.1", lead=alex)
    meeting = make_meeting(programme)
    admin = make_user("admin", name="Pat Director")
    alex_user = make_user("lead", person=alex, name="Alex Lead")
    db.session.commit()
    return {
        "programme": programme,
        "meeting": meeting,
        "admin": admin,
        "alex": alex,
        "blake": blake,
        "alex_user": alex_user,
        "p1": p1,
        "p2": p2,
        "done": done,
        **actions,
    }


# --- opening a round ---------------------------------------------------------------------------


def test_a_round_of_open_items_records_every_open_item_with_its_lead(world):
    opened = open_round(world["admin"], world["meeting"], RoundScope.OPEN, TODAY)
    db.session.commit()
    assert recorded(opened.round) == {
        ("project", "P1"),
        ("project", "P2"),
        *(("action", ref) for ref in ("P1.1", "P1.2", "P1.3", "P1.4", "P1.5", "P2.1", "P2.2")),
    }
    assert (opened.projects, opened.actions) == (2, 7)
    leads = dict(
        db.session.execute(select(RoundItem.item_id, RoundItem.lead_id).where(RoundItem.item_type == "action")).all()
    )
    assert leads[world["due"].id] == world["alex"].id
    assert leads[world["blakes"].id] == world["blake"].id
    assert leads[world["nobodys"].id] is None
    assert opened.round.opened_by_id == world["admin"].id and opened.round.scope is RoundScope.OPEN


def test_a_round_of_items_due_before_the_board_records_only_those_and_the_overdue(world):
    opened = open_round(world["admin"], world["meeting"], RoundScope.DUE_BEFORE_BOARD, TODAY)
    db.session.commit()
    # Due on or before the meeting (the day itself included), overdue; not later, undated, complete or archived.
    assert recorded(opened.round) == {
        ("project", "P2"),
        ("action", "P1.1"),
        ("action", "P1.2"),
        ("action", "P1.3"),
        ("action", "P2.1"),
    }


def test_a_second_round_for_the_same_meeting_is_refused_with_a_message(world):
    open_round(world["admin"], world["meeting"], RoundScope.OPEN, TODAY)
    db.session.commit()
    with pytest.raises(InvalidChange) as refusal:
        open_round(world["admin"], world["meeting"], RoundScope.DUE_BEFORE_BOARD, TODAY)
    assert "already opened" in refusal.value.errors["scope"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(UpdateRound)) == 1


def test_only_the_programme_office_opens_a_round(world):
    with pytest.raises(NotAllowed):
        open_round(world["alex_user"], world["meeting"], RoundScope.OPEN, TODAY)


def test_no_round_for_a_board_that_has_met(world):
    past = make_meeting(world["programme"], date(2026, 11, 1), date(2026, 10, 25))
    with pytest.raises(InvalidChange):
        open_round(world["admin"], past, RoundScope.OPEN, TODAY)


# --- who has updated -------------------------------------------------------------------------------


def test_round_status_per_lead_counts_only_history_since_the_round_opened(world):
    opened = open_round(world["admin"], world["meeting"], RoundScope.DUE_BEFORE_BOARD, TODAY).round
    db.session.commit()
    before = opened.opened_at - timedelta(days=2)
    updated_at(world["overdue"], world["alex_user"], before)  # before the round: does not count
    updated_at(world["due"], world["alex_user"], opened.opened_at + timedelta(minutes=5))
    updated_at(world["p2"], None, before, field="progress")
    db.session.commit()

    status = round_status(round_of(world["meeting"]))
    by_lead = {lead.name: lead for lead in status.leads}
    assert set(by_lead) == {"Alex Lead", "Blake Lead"}
    alex = by_lead["Alex Lead"]
    assert [item.ref for item in alex.updated] == ["P1.1"]
    assert sorted(item.ref for item in alex.not_updated) == ["P1.2", "P1.3"]
    last = {item.ref: item.last_update for item in alex.items}
    assert last["P1.1"].by == "Alex Lead" and last["P1.3"].at.date() == before.date() and last["P1.2"] is None
    blake = by_lead["Blake Lead"]
    assert not blake.updated and {item.ref for item in blake.not_updated} == {"P2", "P2.1"}
    assert next(item for item in blake.items if item.ref == "P2").last_update.by == "The system"
    assert (status.item_count, status.updated_count, status.leads_behind) == (5, 1, 2)


def test_an_update_through_the_page_counts_and_the_round_page_shows_it(world, signed_in_client):
    open_round(world["admin"], world["meeting"], RoundScope.DUE_BEFORE_BOARD, TODAY)
    db.session.commit()
    lead = signed_in_client(world["alex_user"])
    form = {"status": "amber", "progress_note": "Moving on.", "version": "1", "deadline": ["5", "12", "2026"]}
    assert lead.post("/p/test/actions/P1.1/update", data=form).status_code == 302

    page = lead.get(ROUND_URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Alex Lead" in html and "(1 of 3 updated)" in html and "Blake Lead" in html and "(0 of 2 updated)" in html
    assert html.count(">Updated<") == 1 and html.count(">Not updated<") == 4
    assert "25 November 2026" in html or "by Alex Lead" in html
    assert "Open the update round" not in html  # open already; and not the office


def test_the_office_opens_the_round_from_the_page_once(world, signed_in_client):
    office = signed_in_client(world["admin"])
    page = office.get(ROUND_URL).get_data(as_text=True)
    assert "No update round has been opened" in page and "Open the update round" in page
    response = office.post(ROUND_URL + "/open", data={"scope": "due"})
    assert response.status_code == 302 and response.location.endswith(ROUND_URL)
    again = office.post(ROUND_URL + "/open", data={"scope": "open"})
    assert again.status_code == 200 and "already opened" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(UpdateRound)) == 1
    assert db.session.scalar(select(UpdateRound.scope)) is RoundScope.DUE_BEFORE_BOARD


def test_bad_choices_and_addresses_answer_with_a_message_or_404(world, signed_in_client):
    office = signed_in_client(world["admin"])
    bad = office.post(ROUND_URL + "/open", data={"scope": "everything"})
    assert bad.status_code == 200 and "Select which items leads must update" in bad.get_data(as_text=True)
    assert office.get("/p/test/meetings/2026-12-11/round").status_code == 404
    assert office.get("/p/test/meetings/not-a-date/round").status_code == 404
    assert office.get("/p/other/meetings/2026-12-10/round").status_code == 404  # the meeting is test's
    assert db.session.scalar(select(func.count()).select_from(UpdateRound)) == 0


def test_a_lead_may_not_open_a_round(world, signed_in_client):
    lead = signed_in_client(world["alex_user"])
    assert lead.post(ROUND_URL + "/open", data={"scope": "open"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(UpdateRound)) == 0


# --- a fixed number of statements --------------------------------------------------------------


def _round_of_size(leads: int, actions_each: int) -> None:
    programme = make_programme()
    workstream = make_workstream("W")
    writer = make_user("lead", name="Writer")
    meeting = make_meeting(programme)
    people = [make_person(name=f"Lead {n}") for n in range(leads)]
    actions = []
    for n, person in enumerate(people):
        project = make_project(workstream, f"P{n}", lead=person)
        actions += [make_action(project, f"P{n}.{m}", lead=person) for m in range(actions_each)]
    db.session.commit()
    opened = open_round(make_user("admin"), meeting, RoundScope.OPEN, TODAY).round
    db.session.commit()
    for n, action in enumerate(actions):
        updated_at(action, writer, opened.opened_at + timedelta(minutes=n % 3 - 1))
    db.session.commit()


def test_the_round_page_sends_the_same_number_of_statements_at_two_sizes(app, signed_in_client, count_queries):
    from tests.conftest import wipe_tables

    counts = []
    for leads, actions_each in ((2, 3), (12, 25)):
        _round_of_size(leads, actions_each)
        client = signed_in_client(make_user("viewer"))
        assert client.get(ROUND_URL).status_code == 200
        counts.append(count_queries(lambda client=client: client.get(ROUND_URL)))
        wipe_tables()
    assert counts[0] == counts[1], counts


# --- My actions and item pages ---------------------------------------------------------------------


def test_what_a_lead_owes_this_round_for_my_actions(world, app):
    opened = open_round(world["admin"], world["meeting"], RoundScope.DUE_BEFORE_BOARD, TODAY).round
    db.session.commit()
    updated_at(world["due"], world["alex_user"], opened.opened_at + timedelta(minutes=1))
    db.session.commit()
    mine = owed_by(world["alex_user"], world["programme"], TODAY)
    assert mine is not None and mine.meeting.meets_on == MEETS_ON
    assert sorted(item.ref for item in mine.not_updated) == ["P1.2", "P1.3"]
    assert [item.ref for item in mine.updated] == ["P1.1"]
    assert owed_by(world["admin"], world["programme"], TODAY) is None  # leads nothing
    assert owed_by(world["alex_user"], world["programme"], MEETS_ON + timedelta(days=1)) is None  # the board has met

    with app.test_request_context("/p/test/my-actions"):
        use_programme(world["programme"])
        html = render_template("board/_my_round.html", programme=world["programme"], current_user=world["alex_user"])
    assert "Updates owed this round" in html and "(2 of 3 to do)" in html
    assert f'href="/p/test/actions/{world["on_the_day"].slug}/update"' in html


def test_an_item_shows_when_it_was_last_updated_and_by_whom(world, app):
    assert last_update(world["due"]) is None
    updated_at(world["due"], None, datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    updated_at(world["due"], world["alex_user"], datetime(2026, 11, 20, 14, 30, tzinfo=UTC))
    updated_at(world["later"], world["admin"], datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    db.session.commit()
    latest = last_update(world["due"])
    assert latest is not None and latest.by == "Alex Lead" and latest.at == datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        html = render_template("board/_last_updated.html", item=world["due"])
        never = render_template("board/_last_updated.html", item=world["p1"])
    assert "Last updated on 20 November 2026 at 14:30 by Alex Lead." in html
    assert "Not updated through the tracker yet." in never


# --- the command ------------------------------------------------------------------------------------


def test_the_command_opens_a_round_once(world, runner):
    result = runner.invoke(
        args=["board", "open-round", "--programme", "test", "--meeting", "2026-12-10", "--scope", "due"]
    )
    assert result.exit_code == 0, result.output
    assert "2 projects" not in result.output and "1 project and 4 actions" in result.output
    again = runner.invoke(args=["board", "open-round", "--programme", "test", "--meeting", "2026-12-10"])
    assert again.exit_code != 0 and "already opened" in again.output
    missing = runner.invoke(args=["board", "open-round", "--programme", "test", "--meeting", "2026-12-11"])
    assert missing.exit_code != 0 and "no board meeting on 2026-12-11" in missing.output
    assert db.session.scalar(select(UpdateRound.opened_by_id)) is None

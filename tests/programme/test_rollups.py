"""Roll-ups: counts by status at every level, separately reported lines, overdue, board sentences."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import TODAY
from tests.factories import make_action, make_programme, make_project, make_workstream
from tracker.extensions import db
from tracker.programme.rollups import programme_rollup, summary_sentences
from tracker.programme.status import Status

TRAVEL = "Travel Service programme"
SEND = "SEND Improvement Board"


def build_march_2023_board():
    """The counts reported to the board on 17 March 2023 (seed 004, section 3.19)."""
    programme = make_programme()
    a, b = make_workstream("A"), make_workstream("B")
    c = make_workstream("C", reported_separately_by=SEND)
    d = make_workstream("D", reported_separately_by=TRAVEL)
    e = make_workstream("E")
    e1 = make_workstream("E1", parent=e)
    here = [a, b, e1]
    projects = []
    statuses = [Status.AMBER] * 20 + [Status.GREEN, Status.GREY]
    for n, status in enumerate(statuses):
        projects.append(make_project(here[n % 3], status=status))
    travel_projects = [make_project(d) for _ in range(7)]
    send_projects = [make_project(c) for _ in range(5)]
    action_statuses = [Status.BLUE] * 12 + [Status.GREEN] * 30 + [Status.AMBER] * 128 + [Status.GREY] * 48
    for n, status in enumerate(action_statuses):
        make_action(projects[n % len(projects)], status=status)
    for n in range(36):
        make_action(travel_projects[n % 7])
    for n in range(33):
        make_action(send_projects[n % 5])
    db.session.commit()
    return programme


def test_march_2023_board_counts_and_sentences(app):
    programme = build_march_2023_board()
    rollup = programme_rollup(programme, TODAY)

    assert rollup.projects.total == 34
    assert rollup.actions.total == 287
    assert rollup.actions.by_status == {
        Status.BLUE: 12,
        Status.GREEN: 30,
        Status.AMBER: 128,
        Status.RED: 0,
        Status.GREY: 48,
    }
    assert summary_sentences(rollup.projects, "project", "projects") == [
        "Of the 34 projects: 1 is rated Green (project completed but continues to be monitored to ensure it embeds), "
        "20 are rated Amber (project started and progress is being made), "
        "1 is rated Grey (project not yet started or due to start).",
        "7 projects are led by the Travel Service programme and 5 by the SEND Improvement Board "
        "and are reported separately.",
    ]
    assert summary_sentences(rollup.actions, "action", "actions") == [
        "Of the 287 actions: 12 are rated Blue (action delivered, embedded and sustained), "
        "30 are rated Green (action completed but continues to be monitored to ensure it embeds), "
        "128 are rated Amber (action started and progress is being made), "
        "48 are rated Grey (action not yet started or due to start).",
        "36 actions are led by the Travel Service programme and 33 by the SEND Improvement Board "
        "and are reported separately.",
    ]


def test_overview_page_shows_the_board_sentences(app, viewer_client):
    build_march_2023_board()
    page = viewer_client.get("/p/test/").get_data(as_text=True)
    assert "Of the 287 actions: 12 are rated Blue" in page
    assert "36 actions are led by the Travel Service programme and 33 by the SEND Improvement Board" in page


def test_sub_workstreams_roll_into_their_parent(app):
    programme = make_programme()
    e = make_workstream("E")
    e1, e2 = make_workstream("E1", parent=e), make_workstream("E2", parent=e)
    make_action(make_project(e1), status=Status.RED)
    make_action(make_project(e2), status=Status.GREEN)
    db.session.commit()
    rollup = programme_rollup(programme, TODAY)
    assert [ws.ref for ws in rollup.workstreams] == ["E"]
    assert rollup.workstreams[0].actions.by_status[Status.RED] == 1
    assert rollup.workstreams[0].actions.by_status[Status.GREEN] == 1
    assert rollup.workstreams[0].projects.total == 2


def test_overdue_and_due_before_next_board(app):
    # Boards every 6 weeks from 13 Nov 2026: the next after 25 Nov 2026 is 25 Dec 2026.
    programme = make_programme(reference_board_date=date(2026, 11, 13))
    assert programme.next_board_date(TODAY) == date(2026, 12, 25)
    project = make_project(make_workstream("A"))
    yesterday, soon, later = TODAY - timedelta(days=1), date(2026, 12, 20), date(2027, 2, 1)
    make_action(project, deadline=yesterday, status=Status.AMBER)  # overdue
    make_action(project, deadline=yesterday, status=Status.RED)  # overdue
    make_action(project, deadline=yesterday, status=Status.GREEN)  # done: not overdue
    make_action(project, deadline=yesterday, status=Status.BLUE)  # done: not overdue
    make_action(project, deadline=TODAY, status=Status.AMBER)  # due today: not overdue, due before board
    make_action(project, deadline=soon, status=Status.GREY)  # due before board
    make_action(project, deadline=date(2026, 12, 25), status=Status.AMBER)  # on board day: counts
    make_action(project, deadline=later, status=Status.AMBER)
    db.session.commit()
    rollup = programme_rollup(programme, TODAY)
    assert rollup.actions.overdue == 2
    assert rollup.actions.due_before_board == 3


def test_archived_items_are_not_counted(app):
    programme = make_programme()
    project = make_project(make_workstream("A"))
    make_action(project)
    gone = make_action(project)
    gone.archived_at = gone.updated_at
    db.session.commit()
    assert programme_rollup(programme, TODAY).actions.total == 1


def test_projects_by_ambition(app):
    programme = make_programme()
    ws = make_workstream("A")
    make_project(ws, ambitions=["INCLUSIVE", "SAFE"], status=Status.AMBER)
    make_project(ws, ambitions=["INCLUSIVE"], status=Status.GREEN)
    db.session.commit()
    ambitions = {a.value: counts for a, counts in programme_rollup(programme, TODAY).ambitions.items()}
    assert ambitions["INCLUSIVE"][Status.AMBER] == 1
    assert ambitions["INCLUSIVE"][Status.GREEN] == 1
    assert ambitions["SAFE"][Status.AMBER] == 1
    assert sum(ambitions["PROSPEROUS"].values()) == 0


def test_export_summary_prints_the_roll_up_as_json(app, runner):
    build_march_2023_board()
    result = runner.invoke(args=["export", "summary", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["projects"]["total"] == 34
    assert summary["projects"]["by_status"] == {"blue": 0, "green": 1, "amber": 20, "red": 0, "grey": 1}
    assert summary["projects"]["reported_separately"] == [{"by": TRAVEL, "count": 7}, {"by": SEND, "count": 5}]
    assert summary["actions"]["by_status"] == {"blue": 12, "green": 30, "amber": 128, "red": 0, "grey": 48}
    assert summary["actions"]["reported_separately"] == [{"by": TRAVEL, "count": 36}, {"by": SEND, "count": 33}]
    assert "overdue" in summary["actions"]
    refs = [ws["ref"] for ws in summary["workstreams"]]
    assert refs == ["A", "B", "C", "D", "E"]
    d = next(ws for ws in summary["workstreams"] if ws["ref"] == "D")
    assert d["reported_separately_by"] == TRAVEL and d["actions"]["total"] == 36


def test_export_summary_without_a_programme_reports_zeros(app, runner):
    # More cases (a new programme, --programme SHORT) in tests/programme/test_setup.py.
    result = runner.invoke(args=["export", "summary"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["actions"]["total"] == 0


@pytest.mark.parametrize(
    "counts, expected",
    [
        ({Status.RED: 1}, "Of the 1 action: 1 is rated Red (action off track or at risk of missing its deadline)."),
        ({}, "Of the 0 actions: none is rated yet."),
    ],
)
def test_sentence_grammar_for_one_and_none(counts, expected):
    from tracker.programme.rollups import StatusCounts

    status_counts = StatusCounts()
    status_counts.by_status.update(counts)
    assert summary_sentences(status_counts, "action", "actions")[0] == expected


def test_single_separate_item_reads_naturally():
    from tracker.programme.rollups import StatusCounts

    counts = StatusCounts(reported_separately={SEND: 1})
    assert summary_sentences(counts, "project", "projects")[1] == (
        "1 project is led by the SEND Improvement Board and is reported separately."
    )

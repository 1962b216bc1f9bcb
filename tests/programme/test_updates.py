"""Leads update their actions and projects: the status rules, permissions and bad input.

The rules live once in tracker.programme.status_rules (applied by tracker.programme.updates); the
tables below drive them through the service and, for each rule, through the web form a lead uses.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import TODAY
from tests.factories import make_action, make_actions, make_project, make_workstream
from tests.programme.editing import action_form, database_snapshot, history_of, make_plan, project_form
from tracker.auth.models import WorkstreamEditor
from tracker.core.errors import InvalidChange
from tracker.extensions import db
from tracker.programme import structure, updates
from tracker.programme.limits import MAX_LONG_TEXT, MAX_NOTE, MAX_REASON
from tracker.programme.status import Status

AMBER, BLUE, GREEN, GREY, RED = Status.AMBER, Status.BLUE, Status.GREEN, Status.GREY, Status.RED
DONE = date(2026, 11, 1)  # a completed date in the past
TOMORROW = TODAY + timedelta(days=1)

# (case, starting status, new status, completed date typed, reason given, fields refused)
ACTION_STATUS_RULES = [
    ("amber to green with a completed date", AMBER, GREEN, DONE, "", set()),
    ("green needs a completed date", AMBER, GREEN, None, "", {"completed_on"}),
    ("completed today is fine", AMBER, GREEN, TODAY, "", set()),
    ("completed date cannot be in the future", AMBER, GREEN, TOMORROW, "", {"completed_on"}),
    ("blue needs a completed date too", GREEN, BLUE, None, "", {"completed_on"}),
    ("blue only from green", AMBER, BLUE, DONE, "", {"status"}),
    ("blue not from grey either", GREY, BLUE, DONE, "", {"status"}),
    ("green to blue", GREEN, BLUE, DONE, "", set()),
    ("back from green needs a reason", GREEN, AMBER, None, "", {"status_reason"}),
    ("back from green with a reason", GREEN, AMBER, None, "Funding withdrawn; new bid in March.", set()),
    ("back from blue to green needs a reason", BLUE, GREEN, DONE, "", {"status_reason"}),
    ("back from blue to red needs a reason", BLUE, RED, None, "", {"status_reason"}),
    ("to red needs a reason", AMBER, RED, None, "", {"status_reason"}),
    ("to red with a reason", AMBER, RED, None, "Supplier failed; re-tendering by May.", set()),
    ("grey to red needs a reason", GREY, RED, None, "", {"status_reason"}),
    ("staying red needs no new reason", RED, RED, None, "", set()),
    ("red back to amber is progress", RED, AMBER, None, "", set()),
    ("grey to amber", GREY, AMBER, None, "", set()),
    ("a typed completed date on an open status is refused", AMBER, AMBER, DONE, "", {"completed_on"}),
    ("a completed date on red is refused", AMBER, RED, DONE, "Late.", {"completed_on"}),
]


def _starting_fields(status: Status) -> dict:
    return {"status": status, "completed_on": date(2026, 10, 1) if status.is_complete else None}


@pytest.mark.parametrize(
    ("case", "old", "new", "completed", "reason", "refused"),
    ACTION_STATUS_RULES,
    ids=[row[0] for row in ACTION_STATUS_RULES],
)
def test_action_status_rules_in_the_service(app, case, old, new, completed, reason, refused):
    plan = make_plan(**_starting_fields(old))
    before = database_snapshot()
    update = updates.ActionUpdate(
        status=new,
        progress_note="Progress.",
        deadline=plan.action.deadline,
        completed_on=completed,
        status_reason=reason,
    )
    if refused:
        with pytest.raises(InvalidChange) as refusal:
            updates.update_action(plan.action, plan.lead, update, plan.action.version, TODAY)
        assert set(refusal.value.errors) == refused
        db.session.rollback()
        assert database_snapshot() == before
    else:
        updates.update_action(plan.action, plan.lead, update, plan.action.version, TODAY)
        db.session.commit()
        assert plan.action.status is new
        assert plan.action.completed_on == (completed if new.is_complete else None)


@pytest.mark.parametrize(
    ("case", "old", "new", "completed", "reason", "refused"),
    ACTION_STATUS_RULES,
    ids=[row[0] for row in ACTION_STATUS_RULES],
)
def test_action_status_rules_through_the_form(app, client_for, case, old, new, completed, reason, refused):
    plan = make_plan(**_starting_fields(old))
    before = database_snapshot()
    form = action_form(
        plan.action,
        status=new.value,
        status_reason=reason,
        completed_on=completed,
        progress_note="Progress this month.",
    )
    if completed is None:
        form["completed_on"] = ["", "", ""]
    response = client_for(plan.lead).post("/p/test/actions/A1.1/update", data=form)
    if refused:
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "There is a problem" in page
        for field in refused:
            target = f"#{field}-day" if field == "completed_on" else f"#{field}"
            assert f'href="{target}"' in page, f"the error summary should link to {target}"
        assert database_snapshot() == before
    else:
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/p/test/actions/a1.1")  # the slug
        after = database_snapshot()
        assert after != before
        assert plan.action.status is new


def test_moving_back_from_green_clears_the_completed_date_the_form_carried_over(app, client_for):
    plan = make_plan(status=GREEN, completed_on=date(2026, 10, 1))
    form = action_form(
        plan.action, status="amber", status_reason="The new process has not embedded; re-training in January."
    )
    assert form["completed_on"] == ["1", "10", "2026"]  # pre-filled, as the lead saw it
    response = client_for(plan.lead).post("/p/test/actions/A1.1/update", data=form)
    assert response.status_code == 302
    db.session.refresh(plan.action)
    assert plan.action.status is AMBER and plan.action.completed_on is None
    fields = {record.field: record for record in history_of(plan.action)}
    assert fields["completed_on"].old_value == "2026-10-01" and fields["completed_on"].new_value is None
    assert fields["status"].note == "The new process has not embedded; re-training in January."


# (case, new deadline, reason, fields refused)
DEADLINE_RULES = [
    ("unchanged deadline needs no reason", date(2027, 1, 31), "", set()),
    ("a new deadline needs a reason", date(2027, 3, 31), "", {"deadline_reason"}),
    ("a new deadline with a reason", date(2027, 3, 31), "Recruitment took longer.", set()),
    ("an earlier deadline needs a reason too", date(2026, 12, 15), "", {"deadline_reason"}),
    ("the deadline cannot be before the start", date(2025, 12, 31), "Typo.", {"deadline"}),
    ("the deadline cannot be removed", None, "No longer time-bound.", {"deadline"}),
]


@pytest.mark.parametrize(("case", "deadline", "reason", "refused"), DEADLINE_RULES, ids=[r[0] for r in DEADLINE_RULES])
def test_deadline_rules(app, client_for, case, deadline, reason, refused):
    plan = make_plan()
    before = database_snapshot()
    form = action_form(plan.action, deadline=deadline, deadline_reason=reason)
    if deadline is None:
        form["deadline"] = ["", "", ""]
    response = client_for(plan.lead).post("/p/test/actions/A1.1/update", data=form)
    page = response.get_data(as_text=True)
    if refused:
        assert response.status_code == 200 and "There is a problem" in page
        assert database_snapshot() == before
        if "deadline" in refused:
            assert 'href="#deadline-day"' in page
    else:
        assert response.status_code == 302
        db.session.refresh(plan.action)
        assert plan.action.deadline == deadline
        if deadline != date(2027, 1, 31):
            record = next(r for r in history_of(plan.action) if r.field == "deadline")
            assert (record.old_value, record.new_value, record.note) == ("2027-01-31", "2027-03-31", reason)


# (case, starting status, new status, reason, fields refused) — projects have no completed date.
PROJECT_STATUS_RULES = [
    ("amber to green", AMBER, GREEN, "", set()),
    ("blue only from green", AMBER, BLUE, "", {"status"}),
    ("green to blue", GREEN, BLUE, "", set()),
    ("back from green needs a reason", GREEN, AMBER, "", {"status_reason"}),
    ("back from blue needs a reason", BLUE, GREEN, "", {"status_reason"}),
    ("to red needs a reason", AMBER, RED, "", {"status_reason"}),
    ("to red with a reason", AMBER, RED, "Two hubs lost their sites; new sites by April.", set()),
]


@pytest.mark.parametrize(
    ("case", "old", "new", "reason", "refused"), PROJECT_STATUS_RULES, ids=[r[0] for r in PROJECT_STATUS_RULES]
)
def test_project_status_rules_through_the_form(app, client_for, case, old, new, reason, refused):
    plan = make_plan()
    plan.project.status = old
    db.session.commit()
    before = database_snapshot()
    response = client_for(plan.lead).post(
        "/p/test/projects/A1/update",
        data=project_form(
            plan.project,
            status=new.value,
            status_reason=reason,
            progress="Two hubs open.",
            next_steps="Open the third.",
        ),
    )
    if refused:
        assert response.status_code == 200 and "There is a problem" in response.get_data(as_text=True)
        assert database_snapshot() == before
    else:
        assert response.status_code == 302
        db.session.refresh(plan.project)
        assert (plan.project.status, plan.project.progress, plan.project.next_steps) == (
            new,
            "Two hubs open.",
            "Open the third.",
        )


def test_a_lead_updates_an_action_and_sees_it_on_the_action_page(app, client_for):
    plan = make_plan()
    lead = client_for(plan.lead)
    form = lead.get("/p/test/actions/A1.1/update").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form or 'value="1"' in form
    for status in Status:  # each status offered with its meaning as hint text
        assert status.describe("action").capitalize() in form
    response = lead.post(
        "/p/test/actions/A1.1/update",
        follow_redirects=True,
        data=action_form(
            plan.action,
            progress_note="Two coordinators appointed.",
            deadline=date(2027, 2, 28),
            deadline_reason="Interviews moved.",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Action A1.1 updated." in page
    assert "Two coordinators appointed." in page
    assert "28 February 2027" in page
    assert "Interviews moved." in page  # the reason is in the history timeline


def test_saving_an_unchanged_form_changes_nothing(app, client_for):
    plan = make_plan()
    before = database_snapshot()
    response = client_for(plan.lead).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action), follow_redirects=True
    )
    assert "Nothing changed on action A1.1." in response.get_data(as_text=True)
    assert database_snapshot() == before


# --- who may update ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/p/test/actions/A1.1/update", "/p/test/projects/A1/update"])
@pytest.mark.parametrize("who", ["other_lead", "viewer"])
def test_people_who_may_not_edit_get_403_and_nothing_changes(app, client_for, url, who):
    plan = make_plan()
    form = (
        action_form(plan.action, status="red", status_reason="x")
        if "actions" in url
        else project_form(plan.project, progress="Hijacked.")
    )
    before = database_snapshot()
    user_client = client_for(getattr(plan, who))
    assert user_client.get(url).status_code == 403
    response = user_client.post(url, data=form)
    assert response.status_code == 403
    assert "You do not have permission to do that" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_changes(app, client_for):
    plan = make_plan()
    before = database_snapshot()
    response = client_for(None).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Anon.")
    )
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert database_snapshot() == before


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_the_lead_and_the_programme_office_may_update(app, client_for, who):
    plan = make_plan()
    response = client_for(getattr(plan, who)).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note=f"By {who}.")
    )
    assert response.status_code == 302
    db.session.refresh(plan.action)
    assert plan.action.progress_note == f"By {who}."
    assert history_of(plan.action)[0].user_id == getattr(plan, who).id


def test_the_project_lead_may_update_an_action_led_by_someone_else(app, client_for):
    plan = make_plan()
    plan.action.lead = plan.other_lead.person
    db.session.commit()
    response = client_for(plan.lead).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="PL.")
    )
    assert response.status_code == 302


def test_a_workstream_editor_may_update_its_items(app, client_for):
    plan = make_plan()
    db.session.add(WorkstreamEditor(user_id=plan.other_lead.id, workstream_id=plan.project.workstream_id))
    db.session.commit()
    assert (
        client_for(plan.other_lead)
        .post("/p/test/projects/A1/update", data=project_form(plan.project, progress="Editor."))
        .status_code
        == 302
    )


def test_update_buttons_show_only_to_people_who_may_edit(app, client_for):
    plan = make_plan()
    for who, expected in [("lead", True), ("admin", True), ("other_lead", False), ("viewer", False)]:
        user_client = client_for(getattr(plan, who))
        action_page = user_client.get("/p/test/actions/A1.1").get_data(as_text=True)
        project_page = user_client.get("/p/test/projects/A1").get_data(as_text=True)
        assert ('href="/p/test/actions/a1.1/update"' in action_page) is expected, who
        assert ('href="/p/test/projects/a1/update"' in project_page) is expected, who


# --- fields a role may not change -------------------------------------------------------------


def test_extra_form_fields_cannot_change_what_an_update_may_not(app, client_for):
    plan = make_plan()
    before = database_snapshot()
    form = action_form(plan.action, progress_note="Legitimate note.")
    form.update(
        {
            "lead_id": str(plan.other_lead.person_id),
            "role": "admin",
            "project_id": str(plan.other_project.id),
            "ref": "Z9",
            "title": "Renamed",
            "start_date": ["1", "1", "2020"],
            "person_id": str(plan.other_lead.person_id),
            "archived_at": "2026-01-01",
            "workstream_id": "999",
        }
    )
    assert client_for(plan.lead).post("/p/test/actions/A1.1/update", data=form).status_code == 302
    after = database_snapshot()
    db.session.refresh(plan.action)
    assert plan.action.progress_note == "Legitimate note."
    action = plan.action
    assert (action.ref, action.title, action.project_id, action.lead_id, action.start_date) == (
        "A1.1",
        "Recruit hub coordinators",
        plan.project.id,
        plan.lead.person_id,
        date(2026, 1, 1),
    )
    assert after["users"] == before["users"]
    assert after["projects"] == before["projects"]
    assert {r.field for r in history_of(plan.action)} == {"progress_note"}


def test_a_forged_version_cannot_overwrite_a_newer_save(app, client_for):
    """`version` decides nothing but whether the lead saw the latest: a made-up one gets 409."""
    plan = make_plan()
    before = database_snapshot()
    for forged in ["2", "999", "-1", "abc", ""]:
        response = client_for(plan.lead).post(
            "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Forged.", version=forged)
        )
        assert response.status_code == 409, forged
    assert database_snapshot() == before


# --- bad input ---------------------------------------------------------------------------------

# (case, form changes, message shown)
BAD_INPUT = [
    ("impossible date", {"deadline": ["31", "2", "2026"], "deadline_reason": "x"}, "Deadline must be a real date"),
    ("month 13", {"deadline": ["1", "13", "2027"], "deadline_reason": "x"}, "Deadline must be a real date"),
    ("words for a date", {"deadline": ["first", "of", "May"], "deadline_reason": "x"}, "Deadline must be a real date"),
    ("two-digit year", {"deadline": ["1", "5", "27"], "deadline_reason": "x"}, "Deadline must be a real date"),
    (
        "missing month",
        {"deadline": ["1", "", "2027"], "deadline_reason": "x"},
        "Deadline must include a day, month and year",
    ),
    ("only one date part", {"completed_on": ["1"]}, "Date completed must include a day, month and year"),
    ("four date parts", {"completed_on": ["1", "2", "2026", "4"]}, "Date completed must include a day, month and year"),
    ("unknown status", {"status": "purple"}, "Choose one of the statuses: Blue, Green, Amber, Red or Grey"),
    ("status in capitals", {"status": "GREEN"}, "Choose one of the statuses"),
    ("no status", {"status": ""}, "Choose"),
    (
        "overlong progress note",
        {"progress_note": "x" * (MAX_NOTE + 1)},
        f"What has happened since the last update must be {MAX_NOTE:,} characters or fewer",
    ),
    (
        "overlong reason",
        {"status": "red", "status_reason": "x" * (MAX_REASON + 1)},
        f"Reason for the change of status must be {MAX_REASON:,} characters or fewer",
    ),
]


@pytest.mark.parametrize(("case", "changes", "message"), BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_bad_input_gets_a_message_and_nothing_is_saved(app, client_for, case, changes, message):
    plan = make_plan()
    before = database_snapshot()
    form = action_form(plan.action, progress_note="This must not be saved.")
    form.update(changes)
    response = client_for(plan.lead).post("/p/test/actions/A1.1/update", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert "Error: " in page.split("</title>")[0]
    assert database_snapshot() == before


def test_a_missing_status_field_is_a_message_not_a_500(app, client_for):
    plan = make_plan()
    form = action_form(plan.action)
    del form["status"], form["deadline"], form["completed_on"]
    response = client_for(plan.lead).post("/p/test/actions/A1.1/update", data=form)
    assert response.status_code == 200 and "Choose a status" in response.get_data(as_text=True)


def test_overlong_project_narrative_is_refused(app, client_for):
    plan = make_plan()
    before = database_snapshot()
    response = client_for(plan.lead).post(
        "/p/test/projects/A1/update", data=project_form(plan.project, progress="y" * (MAX_LONG_TEXT + 1))
    )
    assert response.status_code == 200
    assert f"Progress narrative must be {MAX_LONG_TEXT:,} characters or fewer" in response.get_data(as_text=True)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/p/test/actions/Z9.9/update", 404, "Page not found"),
        ("/p/test/projects/Z9/update", 404, "Page not found"),
        ("/p/test/actions/A1.1%27%20OR%201=1/update", 404, "Page not found"),
        ("/p/test/projects/" + "A" * 500 + "/update", 404, "Page not found"),
        ("/p/test/projects/A%0A1/update", 404, "Page not found"),
        # A NUL byte is refused before routing, with a message (tests/test_bad_requests.py).
        ("/p/test/actions/%00/update", 400, "characters that cannot be used"),
    ],
)
def test_tampered_refs_get_404(app, client_for, url, status, message):
    plan = make_plan()
    user_client = client_for(plan.admin)
    before = database_snapshot()
    for method in ("get", "post"):
        response = getattr(user_client, method)(url, data=action_form(plan.action))
        assert response.status_code == status, (method, url)
        assert message in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_archived_items_cannot_be_updated(app, client_for):
    plan = make_plan()
    structure.archive_action(plan.action, plan.admin)
    db.session.commit()
    before = database_snapshot()
    response = client_for(plan.admin).post(
        "/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Late.")
    )
    assert response.status_code == 404
    assert database_snapshot() == before


# --- grey items whose start date has passed ---------------------------------------------------


def test_a_grey_action_whose_start_date_passed_is_flagged_everywhere(app, client_for):
    plan = make_plan(status=GREY, start_date=date(2026, 9, 1))
    lead = client_for(plan.lead)
    flag = "This action is Grey but its start date, 1 September 2026, has passed"
    assert flag in lead.get("/p/test/actions/A1.1").get_data(as_text=True)
    assert flag in lead.get("/p/test/actions/A1.1/update").get_data(as_text=True)
    my_actions = lead.get("/p/test/my-actions").get_data(as_text=True)
    grey_section = my_actions.split('id="grey-started"')[1]
    assert "A1.1" in grey_section and "Start date passed (1 September 2026)" in grey_section


def test_a_grey_action_not_yet_due_to_start_is_not_flagged(app, client_for):
    plan = make_plan(status=GREY, start_date=date(2027, 1, 1))
    lead = client_for(plan.lead)
    assert "has passed" not in lead.get("/p/test/actions/A1.1/update").get_data(as_text=True)
    assert 'id="grey-started"' not in lead.get("/p/test/my-actions").get_data(as_text=True)


# --- My actions ---------------------------------------------------------------------------------


def _section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    end = page.find("<h2", start + 1)
    return page[start : end if end != -1 else None]


def test_my_actions_groups_what_the_lead_must_look_at(app, client_for):
    plan = make_plan(deadline=date(2026, 11, 1), start_date=date(2026, 1, 1))  # A1.1 is overdue
    # The next board after 25 November 2026 meets on 25 December 2026 (every six weeks from 13 November).
    make_action(plan.project, "A1.2", lead=plan.lead.person, deadline=date(2026, 12, 20), status=AMBER)
    make_action(plan.project, "A1.3", lead=plan.other_lead.person, status=GREY, start_date=date(2026, 10, 1))
    make_action(plan.project, "A1.4", lead=plan.lead.person, deadline=date(2027, 6, 30), status=AMBER)
    make_action(plan.project, "A1.5", lead=plan.lead.person, deadline=date(2026, 10, 1), status=GREEN)
    db.session.commit()
    page = client_for(plan.lead).get("/p/test/my-actions").get_data(as_text=True)
    assert "A1.1" in _section(page, "overdue")
    assert "A1.2" in _section(page, "due-before-board")
    assert "A1.3" in _section(page, "grey-started")  # led by someone else, but in a project Alex leads
    rest = _section(page, "other-actions")
    assert "A1.4" in rest and "A1.5" in rest  # complete items are never overdue
    assert "A2.1" not in page  # Olu's action in Olu's project
    for ref in ["A1.1", "A1.2", "A1.3", "A1.4", "A1.5"]:
        assert f'href="/p/test/actions/{ref.lower()}/update"' in page
    projects = _section(page, "my-projects")
    assert "Early help hubs" in projects and 'href="/p/test/projects/a1/update"' in projects
    assert "Family support" not in projects


def test_my_actions_for_a_viewer_says_they_cannot_update(app, client_for):
    plan = make_plan()
    page = client_for(plan.viewer).get("/p/test/my-actions").get_data(as_text=True)
    assert "Your account can read progress but not update it" in page
    assert "/update" not in page


def test_my_actions_is_in_the_navigation_for_leads_only(app, client_for):
    plan = make_plan()
    assert 'href="/p/test/my-actions"' in client_for(plan.lead).get("/p/test/").get_data(as_text=True)
    assert 'href="/p/test/my-actions"' not in client_for(plan.viewer).get("/p/test/").get_data(as_text=True)


# --- a fixed number of SQL statements whatever the size ----------------------------------------


def _grow(plan, projects: int, actions_each: int) -> None:
    workstream = make_workstream()
    for _ in range(projects):
        project = make_project(workstream, lead=plan.lead.person)
        make_actions(project, actions_each, lead=plan.lead.person)
    db.session.commit()


@pytest.mark.parametrize(
    "url",
    [
        "/p/test/my-actions",
        "/p/test/actions/A1.1/update",
        "/p/test/projects/A1/update",
        "/p/test/actions/A1.1",
        "/p/test/projects/A1",
    ],
)
def test_pages_issue_the_same_number_of_statements_at_any_size(app, client_for, count_queries, url):
    """Both when the page is rendered again after an update of the action, and when it is served cached."""
    plan = make_plan()
    lead = client_for(plan.lead)
    lead.get(url)  # warm up: first-request work is not what is measured

    def after_an_update(n: int) -> tuple[int, int]:
        updates.update_action(
            plan.action,
            plan.lead,
            updates.ActionUpdate(status=AMBER, progress_note=f"Note {n}", deadline=plan.action.deadline),
            plan.action.version,
            TODAY,
        )
        db.session.commit()
        return count_queries(lambda: lead.get(url)), count_queries(lambda: lead.get(url))

    small = after_an_update(0)
    _grow(plan, projects=12, actions_each=8)
    for n in range(1, 3):  # and history grows too
        after_an_update(n)
    large = after_an_update(3)
    assert small == large, f"{url}: {small} statements (rendered, cached) with a small plan, {large} with a large one"


def test_saving_an_update_issues_the_same_number_of_statements_at_any_size(app, client_for, count_queries):
    plan = make_plan()
    lead = client_for(plan.lead)

    def save(note):
        db.session.refresh(plan.action)
        return lambda: lead.post("/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note=note))

    save("warm")()
    small = count_queries(save("small"))
    _grow(plan, projects=10, actions_each=10)
    large = count_queries(save("large"))
    assert small == large


def test_control_characters_are_dropped_not_sent_to_the_database(app, client_for):
    """Control characters are stripped from a tampered note; a NUL byte is refused whole, never a 500."""
    plan = make_plan()
    lead = client_for(plan.lead)
    before = database_snapshot()
    refused = lead.post("/p/test/actions/A1.1/update", data=action_form(plan.action, progress_note="Line one\x00"))
    assert refused.status_code == 400
    assert database_snapshot() == before
    response = lead.post(
        "/p/test/actions/A1.1/update",
        data=action_form(
            plan.action, progress_note="Line one\x07\nLine two", status="red", status_reason="Because\x1b."
        ),
    )
    assert response.status_code == 302
    db.session.refresh(plan.action)
    assert plan.action.progress_note == "Line one\nLine two"
    assert next(r for r in history_of(plan.action) if r.field == "status").note == "Because."

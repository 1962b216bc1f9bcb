"""Setting up without the demo: the programme service, `flask programme`, the settings page and the welcome page."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.auth.services import user_by_email
from tracker.core.errors import InvalidChange, NotAllowed
from tracker.extensions import db
from tracker.programme.models import Programme
from tracker.programme.programmes import ProgrammeDetails, create_programme, details_of, update_programme
from tracker.programme.status import Status

ZEROS = {status.value: 0 for status in Status}


def details(**fields) -> ProgrammeDetails:
    values = {
        "name": "Adult Social Care Improvement",
        "short_name": "adults",
        "vision": "People live well at home.",
        "board_name": "Adults Improvement Board",
        "board_cycle_weeks": 4,
        "reference_board_date": date(2026, 12, 3),
    }
    return ProgrammeDetails(**{**values, **fields})


def refusal(call) -> dict[str, str]:
    with pytest.raises(InvalidChange) as caught:
        call()
    db.session.rollback()
    return caught.value.errors


def audit_details(event: str) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == event)))


# --- the service ----------------------------------------------------------------------------------


def test_an_admin_creates_the_programme_and_it_is_audited(app, admin_user):
    programme = create_programme(admin_user, details())
    db.session.commit()
    assert (programme.short_name, programme.board_cycle_weeks) == ("adults", 4)
    assert programme.next_board_date(TODAY) == date(2026, 12, 3)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "programme_created")).one()
    assert event.user_id == admin_user.id and "adults" in event.detail


def test_the_command_line_may_create_only_when_it_says_so(app, lead_user, viewer_user):
    for user in (lead_user, viewer_user, None):
        with pytest.raises(NotAllowed, match="Only an admin of the installation"):
            create_programme(user, details())
    with pytest.raises(NotAllowed):
        create_programme(lead_user, details(), command_line=True)  # a person is never the command line
    programme = create_programme(None, details(), command_line=True)
    assert programme.id is not None
    assert audit_details("programme_created") == ["Programme adults set up: Adult Social Care Improvement"]


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"name": "  "}, "name", "Enter the programme's name"),
        ({"name": "x" * 201}, "name", "The programme's name must be 200 characters or fewer"),
        ({"short_name": ""}, "short_name", "Enter a short name, like children"),
        ({"short_name": "a"}, "short_name", "The short name must be 2 to 30 characters long"),
        ({"short_name": "a" * 31}, "short_name", "The short name must be 2 to 30 characters long"),
        (
            {"short_name": "Children"},
            "short_name",
            "The short name can only contain lowercase letters, numbers and hyphens, like children",
        ),
        (
            {"short_name": "child_ren"},
            "short_name",
            "The short name can only contain lowercase letters, numbers and hyphens, like children",
        ),
        ({"vision": "x" * 10_001}, "vision", "The vision must be 10,000 characters or fewer"),
        ({"board_name": ""}, "board_name", "Enter the name of the board the programme reports to"),
        ({"board_name": "x" * 201}, "board_name", "The board's name must be 200 characters or fewer"),
        ({"board_cycle_weeks": None}, "board_cycle_weeks", "Enter how many weeks there are between board meetings"),
        ({"board_cycle_weeks": 0}, "board_cycle_weeks", "The board cycle must be a whole number of weeks from 1 to 52"),
        (
            {"board_cycle_weeks": 53},
            "board_cycle_weeks",
            "The board cycle must be a whole number of weeks from 1 to 52",
        ),
        (
            {"board_cycle_weeks": "six"},
            "board_cycle_weeks",
            "The board cycle must be a whole number of weeks from 1 to 52",
        ),
        ({"reference_board_date": None}, "reference_board_date", "Enter the date of a board meeting"),
        (
            {"reference_board_date": "2026-02-30"},
            "reference_board_date",
            "The board date must be a real date, like 2027-03-27",
        ),
    ],
)
def test_each_rule_refuses_with_its_own_message(app, admin_user, fields, field, message):
    errors = refusal(lambda: create_programme(admin_user, details(**fields)))
    assert errors == {field: message}
    assert db.session.scalars(select(Programme)).all() == []


def test_cycle_and_date_may_arrive_as_typed(app, admin_user):
    programme = create_programme(admin_user, details(board_cycle_weeks=" 8 ", reference_board_date="2026-12-10"))
    assert (programme.board_cycle_weeks, programme.reference_board_date) == (8, date(2026, 12, 10))


def test_the_short_name_is_unique_and_further_programmes_sit_beside_the_first(app, admin_user):
    first = make_programme(short_name="children")
    make_programme(short_name="adults")
    db.session.commit()
    errors = refusal(lambda: update_programme(admin_user, first, details(short_name="adults")))
    assert errors == {"short_name": "There is already a programme with the short name adults: choose another"}
    errors = refusal(lambda: create_programme(admin_user, details(short_name="children")))
    assert errors == {"short_name": "There is already a programme with the short name children: choose another"}
    third = create_programme(admin_user, details(short_name="education"))
    assert [p.short_name for p in db.session.scalars(select(Programme).order_by(Programme.id))] == [
        "children",
        "adults",
        "education",
    ]
    assert third.id is not None


def test_update_changes_only_what_differs_and_audits_it(app, admin_user, lead_user):
    programme = make_programme(short_name="children")
    with pytest.raises(NotAllowed):
        update_programme(lead_user, programme, details())
    assert update_programme(admin_user, programme, details_of(programme)) == []
    assert audit_details("programme_updated") == []
    changed = update_programme(admin_user, programme, details(short_name="children", board_cycle_weeks=8))
    assert changed == ["name", "vision", "board_name", "board_cycle_weeks", "reference_board_date"]
    assert update_programme(admin_user, programme, details(short_name="children", board_cycle_weeks=8)) == []
    (detail,) = audit_details("programme_updated")
    assert detail == "Programme children: changed name, vision, board name, board cycle, first board date"


# --- the command line ------------------------------------------------------------------------------


def test_programme_create_edit_and_list(app, runner):
    result = runner.invoke(
        args=[
            "programme",
            "create",
            "--name",
            "Children's Services",
            "--short-name",
            "children",
            "--first-board",
            "2026-12-01",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created programme children: Children's Services." in result.output
    programme = db.session.scalars(select(Programme)).one()
    assert (programme.board_name, programme.board_cycle_weeks) == ("Programme board", 6)

    result = runner.invoke(args=["programme", "edit", "--programme", "children", "--cycle-weeks", "4"])
    assert result.exit_code == 0 and "Changed the board cycle of programme children." in result.output
    result = runner.invoke(args=["programme", "edit", "--cycle-weeks", "4"])  # the only programme needs no name
    assert result.exit_code == 0 and "Nothing changed in programme children." in result.output
    db.session.expire_all()
    assert programme.board_cycle_weeks == 4

    ws = make_workstream("A")
    make_action(make_project(ws, status=Status.AMBER), status=Status.RED)
    db.session.commit()
    result = runner.invoke(args=["programme", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["short_name"], row["name"]) == ("children", "Children's Services")
    assert row["projects"]["by_status"] == {**ZEROS, "amber": 1}
    assert row["actions"]["by_status"] == {**ZEROS, "red": 1}
    result = runner.invoke(args=["programme", "list"])
    assert "children  Children's Services" in result.output
    assert "projects: 1 (blue 0, green 0, amber 1, red 0, grey 0)" in result.output


def test_programme_commands_refuse_with_the_services_words(app, runner):
    result = runner.invoke(args=["programme", "create", "--name", "X", "--short-name", "X!", "--cycle-weeks", "60"])
    assert result.exit_code == 1
    assert "--short-name: The short name can only contain lowercase letters" in result.output
    assert "--cycle-weeks: The board cycle must be a whole number of weeks from 1 to 52." in result.output
    result = runner.invoke(
        args=["programme", "create", "--name", "X", "--short-name", "xx", "--first-board", "2026-13-01"]
    )
    assert "--first-board: The board date must be a real date" in result.output
    assert db.session.scalars(select(Programme)).all() == []

    result = runner.invoke(args=["programme", "edit", "--name", "Y"])
    assert result.exit_code == 1 and "No programme has been set up yet" in result.output
    make_programme(short_name="children")
    db.session.commit()
    result = runner.invoke(args=["programme", "edit", "--programme", "nope", "--name", "Y"])
    assert (
        result.exit_code == 1
        and "There is no programme with the short name nope (programmes: children)" in result.output
    )
    result = runner.invoke(args=["programme", "create", "--name", "Z", "--short-name", "zz"])
    assert result.exit_code == 0 and "Created programme zz: Z." in result.output
    result = runner.invoke(args=["programme", "edit", "--name", "Y"])  # two programmes: which one?
    assert result.exit_code == 1 and "There is more than one programme: name one with --programme" in result.output
    result = runner.invoke(args=["export", "summary"])
    assert result.exit_code == 1 and "name one with --programme (children, zz)" in result.output
    result = runner.invoke(args=["export", "summary", "--programme", "zz"])
    assert result.exit_code == 0 and json.loads(result.output)["programme"] == "zz"


def test_programme_list_on_an_empty_installation(app, runner):
    assert json.loads(runner.invoke(args=["programme", "list", "--format", "json"]).output) == []
    assert "No programme has been set up yet" in runner.invoke(args=["programme", "list"]).output


def test_export_summary_on_an_empty_installation_reports_zeros(app, runner):
    result = runner.invoke(args=["export", "summary"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["programme"] is None and summary["next_board"] is None
    for kind in ("projects", "actions"):
        assert summary[kind]["total"] == 0 and summary[kind]["by_status"] == ZEROS
    assert summary["workstreams"] == []


def test_export_summary_of_a_new_programme_and_by_short_name(app, runner):
    runner.invoke(
        args=["programme", "create", "--name", "Children", "--short-name", "children", "--first-board", "2026-12-01"]
    )
    for args in ([], ["--programme", "children"]):
        result = runner.invoke(args=["export", "summary", *args])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output)
        assert (summary["programme"], summary["next_board"]) == ("children", "2026-12-01")
        assert summary["actions"]["by_status"] == ZEROS
    result = runner.invoke(args=["export", "summary", "--programme", "adults"])
    assert result.exit_code == 1 and "There is no programme with the short name adults" in result.output


def test_users_create_makes_the_first_admin_on_an_empty_database(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "first@council.example.gov.uk", "--name", "First Admin", "--role", "admin"],
        input="a decent first passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert user_by_email("first@council.example.gov.uk").role is Role.ADMIN


# --- pages -----------------------------------------------------------------------------------------


def test_the_welcome_page_tells_an_admin_what_to_do_next(app, client_for, admin_user):
    response = client_for(admin_user).get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Set up a programme" in page and "Nothing has been published yet" in page
    for link in ('href="/admin/programmes/new"', 'href="/admin/users"'):
        assert link in page


@pytest.mark.parametrize("role", ["lead", "viewer"])
def test_others_see_that_nothing_has_been_published(app, client_for, role):
    user = make_user(role, person=make_person() if role == "lead" else None)
    response = client_for(user).get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nothing has been published yet" in page and "/admin/programmes/new" not in page


def test_anonymous_visitors_are_asked_to_sign_in(app, client_for):
    response = client_for().get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client_for().get("/sign-in").status_code == 200


def test_a_programme_with_nothing_in_it_still_shows_next_steps(app, client_for, admin_user, viewer_user):
    make_programme(name="Children's Services")
    response = client_for(admin_user).get("/")  # the only programme: the home page opens on it
    assert response.status_code == 302 and response.headers["Location"] == "/p/test/"
    page = client_for(admin_user).get("/p/test/").get_data(as_text=True)
    assert "<strong>Done:</strong> the programme, Children&#39;s Services, has been created" in page
    for link in ('href="/p/test/admin/settings"', 'href="/p/test/admin/structure"', 'href="/admin/users"'):
        assert link in page
    page = client_for(viewer_user).get("/p/test/").get_data(as_text=True)
    assert "Nothing has been published yet" in page
    make_workstream("A")
    page = client_for(admin_user).get("/p/test/").get_data(as_text=True)
    assert "What to do next" not in page


def test_no_page_fails_on_an_empty_installation(app, client_for, admin_user):
    """Every page without parameters, and some with, answers without a 500 (404s say what is missing)."""
    client = client_for(admin_user)
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    ]
    paths += [
        "/p/test/",
        "/p/test/actions",
        "/p/test/my-actions",
        "/p/test/kpis",
        "/p/test/admin/settings",
        "/p/test/workstreams/A",
        "/p/test/projects/A1",
        "/p/test/actions/A1.1",
        "/p/test/actions/A1.1/update",
        "/p/test/admin/structure/workstreams/A",
    ]
    assert {"/", "/programmes", "/admin/programmes/new"} <= set(paths)
    for path in paths:
        response = client.get(path)
        if path == "/readyz":  # not ready: the test schema comes from create_all, not the migrations
            assert response.status_code == 503 and response.json["database"] == "behind"
            continue
        assert response.status_code in (200, 302, 404), (path, response.status_code)
        if path.startswith("/p/test/"):  # no programme has that short name yet
            assert response.status_code == 404
            assert "There is no programme called test" in response.get_data(as_text=True), path


def test_settings_offers_to_create_the_programme(app, client_for, admin_user):
    client = client_for(admin_user)
    page = client.get("/admin/programmes/new").get_data(as_text=True)
    assert "Set up programme" in page and 'action="/admin/programmes/new"' in page
    form = {
        "programme-name": "Children's Services",
        "programme-short_name": "Children",
        "programme-board_name": "Improvement Board",
        "programme-board_cycle_weeks": "6",
        "programme-reference_board_date": ["27", "11", "2026"],
    }
    response = client.post("/admin/programmes/new", data=form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and 'href="#programme-short_name"' in page
    assert db.session.scalars(select(Programme)).all() == []

    response = client.post("/admin/programmes/new", data={**form, "programme-short_name": "children"})
    assert response.status_code == 302 and response.headers["Location"] == "/p/children/"
    programme = db.session.scalars(select(Programme)).one()
    assert (programme.short_name, programme.reference_board_date) == ("children", date(2026, 11, 27))
    page = client.get("/p/children/").get_data(as_text=True)
    assert "Programme Children&#39;s Services set up. Next, add its workstreams." in page
    response = client.post("/admin/programmes/new", data={**form, "programme-short_name": "children"})
    assert "There is already a programme with the short name children" in response.get_data(as_text=True)
    response = client.post("/admin/programmes/new", data={**form, "programme-short_name": "other"})
    assert response.status_code == 302 and response.headers["Location"] == "/p/other/"
    page = client.get("/").get_data(as_text=True)  # two programmes: the home page lists them
    assert "Programmes" in page and 'href="/p/children/"' in page and 'href="/p/other/"' in page


def test_settings_edits_the_programme_beside_the_public_pages_setting(app, client_for, admin_user):
    programme = make_programme(short_name="children", name="Children")
    client = client_for(admin_user)
    page = client.get("/p/children/admin/settings").get_data(as_text=True)
    assert "Programme details" in page and 'value="children"' in page and "Public progress pages" in page
    form = {
        "programme-name": "Children and Families",
        "programme-short_name": "children",
        "programme-vision": "",
        "programme-board_name": "Improvement Board",
        "programme-board_cycle_weeks": "60",
        "programme-reference_board_date": ["13", "11", "2026"],
    }
    response = client.post("/p/children/admin/settings/details", data=form)
    assert response.status_code == 200
    assert "The board cycle must be a whole number of weeks from 1 to 52" in response.get_data(as_text=True)
    response = client.post("/p/children/admin/settings/details", data={**form, "programme-board_cycle_weeks": "4"})
    assert response.status_code == 302 and response.headers["Location"] == "/p/children/admin/settings"
    db.session.expire_all()
    assert (programme.name, programme.board_cycle_weeks, programme.vision) == ("Children and Families", 4, "")
    assert audit_details("programme_updated") == ["Programme children: changed name, vision, board cycle"]
    response = client.post("/p/children/admin/settings", data={"public_progress_pages": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert programme.public_progress_pages


def test_only_admins_reach_the_programme_forms(app, client_for, viewer_user):
    programme = make_programme()
    client = client_for(viewer_user)
    assert client.get("/p/test/admin/settings").status_code == 403
    assert client.post("/admin/programmes/new", data={"programme-name": "X"}).status_code == 403
    assert db.session.scalars(select(Programme)).all() == [programme]


def test_a_programmes_own_office_edits_its_settings_but_sets_up_no_other(app, client_for):
    from tracker.auth.models import ProgrammeRole

    children, adults = make_programme(short_name="children"), make_programme(short_name="adults")
    office = make_user("viewer")
    db.session.add(ProgrammeRole(user_id=office.id, programme_id=children.id, role=Role.ADMIN))
    client = client_for(office)
    assert client.get("/p/children/admin/settings").status_code == 200
    assert client.get("/p/children/admin/structure").status_code == 200
    assert client.get("/p/adults/admin/settings").status_code == 403
    assert client.get("/p/adults/admin/structure").status_code == 403
    assert client.get("/admin/programmes/new").status_code == 403
    assert client.get("/admin/users").status_code == 403
    assert adults.public_progress_pages is False

"""Route × role matrix: every rule in app.url_map, GET and POST, for five kinds of visitor.

HOW TO ADD A ROUTE (a new route without a row here FAILS the suite, naming it):

1. Add a row to EXPECTED, keyed by endpoint name:

       "kpis.scorecard": Route("/p/test/kpis", GET=signed_in(200)),
       "updates.update_action": Route("/p/test/actions/{action}/update", GET=lead_of_item(200),
                                      POST=lead_of_item(REDIRECT), data={"status": "green", ...}),

   `url` is a format string filled from the world below ({project}, {action}, {workstream},
   {other_project}, {other_action}, {target_user}, {reset_token}, ...). `data` (also formatted)
   is what the POST sends. Methods a rule does not accept need no entry: they must answer 405.
2. Outcomes per visitor: an int status code, SIGN_IN (302 to /sign-in) or REDIRECT (302/303
   anywhere else) or redirect_to("/path") (done, then sent there). Helpers: everyone(x), signed_in(x),
   admin_only(x), lead_of_item(x), or
   Expect(anonymous=..., viewer=..., lead=..., other_lead=..., admin=...).
3. If your route needs data that the world lacks (a KPI, say), add it in build_world().

Visitors: anonymous; viewer; lead = the lead of {project}/{action}; other_lead = the lead of
{other_project}/{other_action} (not of {project}); admin; and two whose roles differ by programme
(the world has a second programme, "second", with the same refs):
office_elsewhere = the programme office (admin) of "second" only, a viewer here; lead_there =
a lead who may edit the whole of workstream {workstream}, but who holds a viewer's role in this
programme ("test"), so edits nothing here. Both answer as a viewer does unless Expect says otherwise.
URLs are of programme "test". CSRF is off here (tests/auth/test_csrf.py covers it), and public
progress pages are off (the default).

After every GET, and after every request that is refused (sign-in redirect, 400, 403, 404, 405,
409, 429), the database must be exactly as before: every table's rows are hashed and compared.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import make_test_config, sign_in, wipe_tables
from tests.factories import make_action, make_person, make_programme, make_project, make_user, make_workstream
from tracker import create_app
from tracker.auth.models import ProgrammeRole, Role, WorkstreamEditor
from tracker.extensions import db
from tracker.programme.models import Action, Programme

SIGN_IN = "sign-in"  # refused: 302 to /sign-in?next=..., nothing changed
REDIRECT = "redirect"  # done: 302/303 anywhere but the sign-in page


def redirect_to(path: str) -> str:
    """Done, then sent to this path (e.g. signing out sends you to /sign-in)."""
    return "redirect:" + path


VISITORS = ("anonymous", "viewer", "lead", "other_lead", "admin", "office_elsewhere", "lead_there")
REFUSED = {SIGN_IN, 400, 403, 404, 405, 409, 429}


@dataclass(frozen=True)
class Expect:
    anonymous: int | str
    viewer: int | str
    lead: int | str
    other_lead: int | str
    admin: int | str
    # Roles held in another programme give nothing here: by default they answer as the viewer does.
    office_elsewhere: int | str | None = None
    lead_there: int | str | None = None

    def for_visitor(self, visitor: str) -> int | str:
        outcome = getattr(self, visitor)
        return self.viewer if outcome is None else outcome


@dataclass(frozen=True)
class Route:
    url: str
    GET: Expect | None = None
    POST: Expect | None = None
    data: dict = field(default_factory=dict)


def everyone(outcome) -> Expect:
    return Expect(outcome, outcome, outcome, outcome, outcome)


def signed_in(outcome) -> Expect:
    return Expect(SIGN_IN, outcome, outcome, outcome, outcome)


def admin_only(outcome) -> Expect:
    return Expect(SIGN_IN, 403, 403, 403, outcome)


def lead_of_item(outcome) -> Expect:
    return Expect(SIGN_IN, 403, outcome, 403, outcome)


NEW_PASSWORD = "matrix test passphrase"

EXPECTED: dict[str, Route] = {
    # Open to everyone
    "static": Route("/static/app.css", GET=everyone(200)),
    "health.healthz": Route("/healthz", GET=everyone(200)),
    # 503: the test schema is made by create_all, not the migrations (tests/core/test_production_serving.py)
    "health.readyz": Route("/readyz", GET=everyone(503)),
    "site.accessibility": Route("/accessibility", GET=everyone(200)),
    "site.status_definitions": Route("/statuses", GET=everyone(200)),
    # The home page lists the programmes (two in this world); nothing is public, so visitors sign in first
    "site.home": Route("/", GET=signed_in(200)),
    "site.programmes": Route("/programmes", GET=signed_in(200)),
    # Sign-in, sign-out, passwords
    "auth.sign_in": Route(
        "/sign-in",
        GET=Expect(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        POST=everyone(200),
        data={"email": "someone@council.example.gov.uk", "password": "not the password"},
    ),
    "auth.sign_out": Route("/sign-out", POST=signed_in(redirect_to("/sign-in"))),
    "auth.change_password": Route(
        "/account/password",
        GET=signed_in(200),
        POST=signed_in(200),
        data={
            "current_password": "wrong",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "role": "admin",
        },
    ),
    "auth.reset_password": Route(
        "/reset-password/{reset_token}",
        GET=everyone(200),
        POST=everyone(redirect_to("/sign-in")),
        data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    ),
    # The second factor: no sign-in is waiting for a code here, and nobody has set one up
    "two_factor.sign_in_code": Route(
        "/sign-in/code", GET=signed_in(REDIRECT), POST=signed_in(REDIRECT), data={"code": "123456"}
    ),
    "two_factor.status": Route("/account/two-factor", GET=signed_in(200)),
    "two_factor.set_up": Route(
        "/account/two-factor/set-up", GET=signed_in(200), POST=signed_in(200), data={"code": "not-a-code"}
    ),
    "two_factor.new_recovery_codes": Route(
        "/account/two-factor/recovery-codes",
        GET=signed_in(REDIRECT),
        POST=signed_in(REDIRECT),
        data={"current_password": "wrong", "code": "123456"},
    ),
    "two_factor.turn_off": Route(
        "/account/two-factor/turn-off",
        GET=signed_in(REDIRECT),
        POST=signed_in(REDIRECT),
        data={"current_password": "wrong", "code": "123456"},
    ),
    # Read-only progress pages (public only when the admin turns that on)
    "programme.overview": Route("/p/test/", GET=signed_in(200)),
    "programme.workstream": Route("/p/test/workstreams/{workstream}", GET=signed_in(200)),
    "programme.project": Route("/p/test/projects/{project}", GET=signed_in(200)),
    "programme.action": Route("/p/test/actions/{action}", GET=signed_in(200)),
    "programme.action_list": Route("/p/test/actions", GET=signed_in(200)),
    # Search: read like the progress pages
    "search.search": Route("/search?q={project}", GET=signed_in(200)),
    # People, settings and the audit log: the programme office only
    "people.user_list": Route("/admin/users", GET=admin_only(200)),
    "people.new_user": Route(
        "/admin/users/new",
        GET=admin_only(200),
        POST=admin_only(200),
        data={"email": "new.person@council.example.gov.uk", "name": "New Person", "role": "viewer", "person_id": ""},
    ),
    "people.edit_user": Route(
        "/admin/users/{target_user}",
        GET=admin_only(200),
        POST=admin_only(REDIRECT),
        data={"name": "Renamed", "role": "lead", "person_id": ""},
    ),
    "people.deactivate_user": Route("/admin/users/{target_user}/deactivate", POST=admin_only(REDIRECT)),
    "people.reactivate_user": Route("/admin/users/{target_user}/reactivate", POST=admin_only(REDIRECT)),
    "people.reset_password_link": Route("/admin/users/{target_user}/reset-password", POST=admin_only(200)),
    # Nobody in the world has a second factor: the reset says so and goes back to the account
    "people.reset_two_factor": Route("/admin/users/{target_user}/reset-two-factor", POST=admin_only(REDIRECT)),
    "settings.settings": Route(
        "/p/test/admin/settings", GET=admin_only(200), POST=admin_only(REDIRECT), data={"public_progress_pages": "y"}
    ),
    # Setting up a programme is for an installation admin (the short name "second" is taken: 200 with a message)
    "programmes_admin.new_programme": Route(
        "/admin/programmes/new",
        GET=admin_only(200),
        POST=admin_only(200),
        data={"programme-name": "Second", "programme-short_name": "second", "programme-board_name": "Board"},
    ),
    # A programme's details: its office (a new short name moves its pages)
    "settings.edit_programme_page": Route(
        "/p/test/admin/settings/details",
        POST=admin_only(redirect_to("/p/matrix/admin/settings")),
        data={
            "programme-name": "Renamed programme",
            "programme-short_name": "matrix",
            "programme-board_name": "Improvement Board",
            "programme-board_cycle_weeks": "6",
            "programme-reference_board_date": ["13", "11", "2026"],
        },
    ),
    "audit.audit_log": Route("/admin/audit", GET=admin_only(200)),
    # Board meetings: read like the progress pages; planned and changed by the programme office
    "meetings.meeting_page": Route("/p/test/meetings/{meeting}", GET=signed_in(200)),
    "meetings.meeting_list": Route("/p/test/meetings", GET=signed_in(200)),
    "meetings.plan": Route("/p/test/meetings/plan", POST=admin_only(redirect_to("/p/test/meetings"))),
    "meetings.edit_meeting": Route(
        "/p/test/meetings/{meeting}/edit",
        GET=admin_only(200),
        POST=admin_only(redirect_to("/p/test/meetings")),
        data={"meets_on": ["19", "3", "2027"], "update_deadline": "", "note": "Matrix note.", "version": "1"},
    ),
    # Frozen boards: the office freezes; movement is read like the progress pages; data quality is the office's
    "board.freeze": Route("/p/test/meetings/{meeting}/freeze", POST=admin_only(REDIRECT)),
    "board.movement": Route("/p/test/meetings/{meeting}/movement", GET=signed_in(200)),
    "board.quality": Route("/p/test/quality", GET=admin_only(200)),
    # The board pack: read like the progress pages (web page and PDF)
    "pack.pack_page": Route("/p/test/meetings/{meeting}/pack", GET=signed_in(200)),
    "pack.pack_pdf": Route("/p/test/meetings/{meeting}/pack.pdf", GET=signed_in(200)),
    "pack.latest_pack_page": Route("/p/test/board-pack", GET=signed_in(REDIRECT)),
    "pack.latest_pack_pdf": Route("/p/test/board-pack.pdf", GET=signed_in(REDIRECT)),
    "pack.project_report_pdf": Route("/p/test/projects/{project}/highlight-report.pdf", GET=signed_in(200)),
    # Update rounds: everyone signed in reads who has updated; the programme office opens the round
    "rounds.round_page": Route("/p/test/meetings/{meeting}/round", GET=signed_in(200)),
    "rounds.open_round_page": Route(
        "/p/test/meetings/{meeting}/round/open",
        POST=admin_only(REDIRECT),
        data={"scope": "due"},
    ),
    # Progress updates: the lead of the item (and the programme office)
    "updates.my_actions": Route("/p/test/my-actions", GET=signed_in(200)),
    "updates.update_action": Route(
        "/p/test/actions/{action}/update",
        GET=lead_of_item(200),
        POST=lead_of_item(REDIRECT),
        data={
            "status": "amber",
            "progress_note": "Matrix note.",
            "version": "1",
            "deadline": ["31", "1", "2027"],
            "lead_id": "",
            "role": "admin",
        },
    ),
    "updates.update_project": Route(
        "/p/test/projects/{project}/update",
        GET=lead_of_item(200),
        POST=lead_of_item(REDIRECT),
        data={"status": "amber", "progress": "Matrix narrative.", "version": "1", "lead_id": "", "workstream_id": ""},
    ),
    # Programme structure: the programme office only. POSTs without a parent id answer 200 with a message.
    "structure.index": Route("/p/test/admin/structure", GET=admin_only(200)),
    "structure.workstream": Route("/p/test/admin/structure/workstreams/{workstream}", GET=admin_only(200)),
    "structure.project": Route("/p/test/admin/structure/projects/{project}", GET=admin_only(200)),
    "structure.new_workstream": Route(
        "/p/test/admin/structure/workstreams/new",
        GET=admin_only(200),
        POST=admin_only(REDIRECT),
        data={"ref": "MX", "title": "Matrix workstream"},
    ),
    "structure.edit_workstream": Route(
        "/p/test/admin/structure/workstreams/{workstream}/edit",
        GET=admin_only(200),
        POST=admin_only(REDIRECT),
        data={"ref": "{workstream}", "title": "Renamed"},
    ),
    "structure.new_project": Route(
        "/p/test/admin/structure/projects/new",
        GET=admin_only(200),
        POST=admin_only(200),
        data={"ref": "M9", "title": "No workstream chosen"},
    ),
    "structure.edit_project": Route(
        "/p/test/admin/structure/projects/{project}/edit",
        GET=admin_only(200),
        POST=admin_only(200),
        data={"ref": "{project}", "title": "No workstream chosen", "version": "1"},
    ),
    "structure.new_action": Route(
        "/p/test/admin/structure/actions/new",
        GET=admin_only(200),
        POST=admin_only(200),
        data={"ref": "M1.9", "title": "No project chosen"},
    ),
    "structure.edit_action": Route(
        "/p/test/admin/structure/actions/{action}/edit",
        GET=admin_only(200),
        POST=admin_only(200),
        data={"ref": "{action}", "title": "No project chosen", "version": "1"},
    ),
    "structure.move": Route(
        "/p/test/admin/structure/actions/{action}/move", POST=admin_only(REDIRECT), data={"direction": "down"}
    ),
    "structure.archive": Route("/p/test/admin/structure/actions/{other_action}/archive", POST=admin_only(REDIRECT)),
    "structure.delete": Route("/p/test/admin/structure/actions/{other_action}/delete", POST=admin_only(REDIRECT)),
    # KPIs: everyone signed in reads; values by the KPI's owner (the lead here) and the programme office
    "kpis.scorecard": Route("/p/test/kpis", GET=signed_in(200)),
    "kpis.scorecard_json": Route("/p/test/kpis.json", GET=signed_in(200)),
    "kpis.scorecard_csv": Route("/p/test/kpis.csv", GET=signed_in(200)),
    # Exports: everyone who may read the programme downloads it (tracker/exports)
    "exports.programme_xlsx": Route("/p/test/export/programme.xlsx", GET=signed_in(200)),
    "exports.programme_csv_zip": Route("/p/test/export/programme-csv.zip", GET=signed_in(200)),
    "exports.actions_xlsx": Route("/p/test/export/actions.xlsx?status=amber", GET=signed_in(200)),
    "exports.actions_csv": Route("/p/test/export/actions.csv?sort=deadline", GET=signed_in(200)),
    "exports.kpis_xlsx": Route("/p/test/export/kpis.xlsx", GET=signed_in(200)),
    # Update returns (tracker/returns): the office for every lead, a lead for their own workbook
    "returns.returns_page": Route(
        "/p/test/meetings/{returns_meeting}/returns", GET=Expect(SIGN_IN, 403, 200, 200, 200)
    ),
    "returns.return_download": Route(
        "/p/test/meetings/{returns_meeting}/returns/{returns_lead}.xlsx", GET=lead_of_item(200)
    ),
    "returns.all_returns": Route("/p/test/meetings/{returns_meeting}/returns/all.zip", GET=admin_only(200)),
    "returns.upload_return": Route(
        "/p/test/meetings/{returns_meeting}/returns/{returns_lead}/upload",
        GET=lead_of_item(200),
        POST=lead_of_item(200),
    ),
    "returns.apply_return": Route(
        "/p/test/meetings/{returns_meeting}/returns/{returns_lead}/apply",
        POST=lead_of_item(200),
        data={"rows": "forged"},
    ),
    "kpis.kpi_page": Route("/p/test/kpis/{kpi}", GET=signed_in(200)),
    "kpis.new_value": Route(
        "/p/test/kpis/{kpi}/values/new",
        GET=lead_of_item(200),
        POST=lead_of_item(REDIRECT),
        data={"period_end": ["31", "12", "2022"], "period_label": "Q3 2022/23", "value": "66"},
    ),
    "kpis.edit_value": Route(
        "/p/test/kpis/{kpi}/values/{kpi_period}/edit",
        GET=lead_of_item(200),
        POST=lead_of_item(REDIRECT),
        data={"period_end": ["30", "9", "2022"], "period_label": "Q2 2022/23", "value": "64", "version": "1"},
    ),
    # Plan import: the programme office. No file chosen: 200 with a message; an unknown upload token: 404
    "imports.upload": Route("/p/test/admin/import", GET=admin_only(200), POST=admin_only(200)),
    "imports.preview": Route("/p/test/admin/import/" + "0" * 32, GET=admin_only(404)),
    "imports.confirm": Route(
        "/p/test/admin/import/" + "0" * 32 + "/confirm", POST=admin_only(404), data={"previewed": "x"}
    ),
    "imports.choose_columns": Route("/p/test/admin/import/" + "0" * 32 + "/columns", POST=admin_only(404)),
    "kpis.import_upload": Route(
        "/p/test/admin/kpis/import", GET=admin_only(200), POST=admin_only(200), data={"kind": "kpis"}
    ),
    # Risk register: read like the progress pages; a risk is changed by the lead of its item and the office
    "risks.register": Route("/p/test/risks?state=all&level=high", GET=signed_in(200)),
    "risks.new_risk": Route(
        "/p/test/risks/new?project={project}",
        GET=lead_of_item(200),
        POST=lead_of_item(REDIRECT),
        data={"description": "Matrix risk.", "owner_id": "{risk_owner}", "likelihood": "3", "impact": "4"},
    ),
    "risks.edit_risk": Route(
        "/p/test/risks/{risk}/edit",
        GET=lead_of_item(200),
        POST=lead_of_item(REDIRECT),
        data={"description": "Changed.", "owner_id": "{risk_owner}", "likelihood": "5", "impact": "4", "version": "1"},
    ),
    "risks.close_risk": Route("/p/test/risks/{risk}/close", POST=lead_of_item(REDIRECT), data={"version": "1"}),
    "risks.reopen_risk": Route(
        "/p/test/risks/{closed_risk}/reopen", POST=lead_of_item(REDIRECT), data={"version": "1"}
    ),
    # The read API: everyone signed in reads (a session here; tokens in tests/api); 401, never a sign-in redirect
    "api.programmes": Route("/api/v1/programmes", GET=Expect(401, 200, 200, 200, 200)),
    "api.summary": Route("/api/v1/programmes/test/summary", GET=Expect(401, 200, 200, 200, 200)),
    "api.workstreams": Route("/api/v1/programmes/test/workstreams", GET=Expect(401, 200, 200, 200, 200)),
    "api.projects": Route("/api/v1/programmes/test/projects", GET=Expect(401, 200, 200, 200, 200)),
    "api.actions": Route("/api/v1/programmes/test/actions?status=grey", GET=Expect(401, 200, 200, 200, 200)),
    "api.kpis": Route("/api/v1/programmes/test/kpis", GET=Expect(401, 200, 200, 200, 200)),
    "api.meetings": Route("/api/v1/programmes/test/meetings", GET=Expect(401, 200, 200, 200, 200)),
    # The world's meeting has not been frozen: 404 (problem details) for everyone who may read
    "api.snapshot": Route("/api/v1/programmes/test/meetings/{meeting}/snapshot", GET=Expect(401, 404, 404, 404, 404)),
    # What the API offers is open; API tokens are each person's own (revoking a token that is not yours: 404)
    "api-docs.openapi_json": Route("/api/v1/openapi.json", GET=everyone(200)),
    "api_pages.api_page": Route("/api", GET=everyone(200)),
    "api_pages.token_list": Route(
        "/account/api-tokens",
        GET=signed_in(200),
        POST=signed_in(200),
        data={"name": "Matrix token", "expires_in_days": "30"},
    ),
    "api_pages.revoke": Route("/account/api-tokens/999999/revoke", POST=signed_in(404)),
}


def build_world() -> dict:
    """Make the data every route needs; return the values URL templates and form data may use."""
    from tracker.auth import services

    programme = make_programme()
    lead_person = make_person(name="Matrix Lead")
    other_person = make_person(name="Other Matrix Lead")
    workstream = make_workstream("M")
    project = make_project(workstream, "M1", lead=lead_person)
    action = make_action(project, "M1.1", lead=lead_person, start_date=date(2026, 1, 1))
    other_project = make_project(workstream, "M2", lead=other_person)
    other_action = make_action(other_project, "M2.1", lead=other_person)
    users = {
        "viewer": make_user("viewer"),
        "lead": make_user("lead", person=lead_person),
        "other_lead": make_user("lead", person=other_person),
        "admin": make_user("admin"),
        "office_elsewhere": make_user("viewer"),
        "lead_there": make_user("lead"),
    }
    # A second programme with the same refs, where two visitors hold roles they do not hold here.
    second = make_programme(short_name="second", name="Second programme")
    second_workstream = make_workstream("M", programme=second)
    make_action(make_project(second_workstream, "M1", lead=lead_person), "M1.1", lead=lead_person)
    db.session.add_all(
        [
            ProgrammeRole(user_id=users["office_elsewhere"].id, programme_id=second.id, role=Role.ADMIN),
            ProgrammeRole(user_id=users["lead_there"].id, programme_id=programme.id, role=Role.VIEWER),
            WorkstreamEditor(user_id=users["lead_there"].id, workstream_id=workstream.id),
            WorkstreamEditor(user_id=users["lead_there"].id, workstream_id=second_workstream.id),
        ]
    )
    from tests.kpis.factories import make_kpi, make_value

    kpi = make_kpi("MK1", target=65, tolerance_low=60, owner=lead_person, workstreams=[workstream])
    kpi_value = make_value(kpi, date(2022, 9, 30), 63, "Q2 2022/23")
    from tracker.risks.models import Risk

    risk = Risk(
        programme=programme, project=project, description="Matrix risk", owner=lead_person, likelihood=3, impact=4
    )
    closed_risk = Risk(
        programme=programme,
        project=project,
        description="Closed",
        owner=lead_person,
        likelihood=1,
        impact=1,
        is_open=False,
    )
    db.session.add_all([risk, closed_risk])
    db.session.flush()
    from tracker.programme.models import BoardMeeting

    meeting = BoardMeeting(programme_id=programme.id, meets_on=date(2027, 2, 5), update_deadline=date(2027, 1, 29))
    db.session.add(meeting)
    # A later board whose update round is open, for the update returns (the first board's round is opened by a route).
    from tracker.board.models import RoundScope
    from tracker.board.rounds import open_round

    returns_meeting = BoardMeeting(
        programme_id=programme.id, meets_on=date(2027, 4, 30), update_deadline=date(2027, 4, 23)
    )
    db.session.add(returns_meeting)
    db.session.flush()
    open_round(None, returns_meeting, RoundScope.OPEN, date(2026, 11, 25), command_line=True)
    target = make_user("viewer", name="Target User")
    token = services.create_reset_link_token(target, users["admin"])
    db.session.commit()
    return {
        "users": users,
        "workstream": workstream.ref,
        "project": project.ref,
        "action": action.ref,
        "other_project": other_project.ref,
        "other_action": other_action.ref,
        "target_user": target.id,
        "reset_token": token,
        "kpi": kpi.ref,
        "kpi_period": kpi_value.period_end.isoformat(),
        "meeting": meeting.meets_on.isoformat(),
        "returns_meeting": returns_meeting.meets_on.isoformat(),
        "returns_lead": lead_person.id,
        "risk": risk.id,
        "closed_risk": closed_risk.id,
        "risk_owner": lead_person.id,
    }


def database_fingerprint() -> str:
    """Hash of every row of every table: any write, however small, changes it."""
    db.session.expire_all()
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        digest.update(table.name.encode())
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def matrix_app(_schema, database_url):
    """One app for the module: compiling every template afresh for each of hundreds of cases is slow."""
    return create_app(make_test_config(database_url))


@pytest.fixture
def app(matrix_app):
    from tracker.core.cache import get_cache

    with matrix_app.app_context():
        wipe_tables()
        get_cache().clear()  # ids and data versions restart with the tables
        yield matrix_app
        wipe_tables()


def _rules():
    app = create_app(make_test_config("sqlite://"))
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


RULES = _rules()
CASES = [
    pytest.param(rule.rule, rule.endpoint, method, visitor, id=f"{method} {rule.rule} as {visitor}")
    for rule in RULES
    for method in ("GET", "POST")
    for visitor in VISITORS
]


def expected_outcome(endpoint: str, method: str, visitor: str, rule_methods: set[str]):
    route = EXPECTED.get(endpoint)
    if route is None:
        pytest.fail(
            f"No expected outcomes declared for route {endpoint!r}: add a row to EXPECTED in tests/test_route_matrix.py"
        )
    if method not in rule_methods:
        return route, 405
    expect = getattr(route, method)
    if expect is None:
        pytest.fail(f"Route {endpoint!r} accepts {method} but EXPECTED declares no {method} outcome for it")
    return route, expect.for_visitor(visitor)


def test_every_route_has_declared_expectations():
    missing = sorted({rule.endpoint for rule in RULES} - set(EXPECTED))
    assert not missing, "Routes without a row in EXPECTED (tests/test_route_matrix.py): " + ", ".join(missing)
    undeclared_methods = [
        f"{rule.endpoint} {method}"
        for rule in RULES
        for method in ("GET", "POST")
        if method in rule.methods and rule.endpoint in EXPECTED and getattr(EXPECTED[rule.endpoint], method) is None
    ]
    assert not undeclared_methods, "Methods without declared outcomes: " + ", ".join(undeclared_methods)
    stale = sorted(set(EXPECTED) - {rule.endpoint for rule in RULES})
    assert not stale, "EXPECTED has rows for routes that no longer exist: " + ", ".join(stale)


def assert_security_headers(response, private: bool) -> None:
    """Every answer, refusals and redirects included, carries the security headers (tracker/core/security.py);
    what a signed-in visitor is shown (the service's own files aside) is never kept in a cache."""
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy, (directive, policy)
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy")
    if private and response.status_code == 200:
        cache_control = response.headers.get("Cache-Control", "")
        assert "no-store" in cache_control or "private" in cache_control, cache_control


@pytest.mark.parametrize("rule_text, endpoint, method, visitor", CASES)
def test_route_answers_each_visitor_as_declared(app, rule_text, endpoint, method, visitor):
    rule_methods = next(
        rule.methods for rule in app.url_map.iter_rules() if rule.rule == rule_text and rule.endpoint == endpoint
    )
    route, outcome = expected_outcome(endpoint, method, visitor, rule_methods)
    world = build_world()
    client = app.test_client()
    if visitor != "anonymous":
        assert sign_in(client, world["users"][visitor]).status_code == 302
    url = route.url.format(**world)
    data = {key: value.format(**world) if isinstance(value, str) else value for key, value in route.data.items()}
    before = database_fingerprint()

    response = client.open(url, method=method, data=data if method == "POST" else None)

    if outcome == SIGN_IN:
        assert response.status_code == 302 and response.location.startswith("/sign-in"), (
            response.status_code,
            response.location,
        )
    elif isinstance(outcome, str) and outcome.startswith("redirect:"):
        assert response.status_code in (302, 303) and response.location == outcome.removeprefix("redirect:"), (
            response.status_code,
            response.location,
        )
    elif outcome == REDIRECT:
        assert response.status_code in (302, 303) and not response.location.startswith("/sign-in"), (
            response.status_code,
            response.location,
        )
    else:
        assert response.status_code == outcome, response.status_code
    assert b"Traceback" not in response.data
    assert_security_headers(response, private=visitor != "anonymous" and endpoint != "static")
    if method == "GET" or outcome in REFUSED:
        assert database_fingerprint() == before, f"{method} {url} as {visitor} changed the database"


def test_a_lead_in_one_programme_edits_there_and_not_where_they_are_a_viewer(app):
    """lead_there edits the whole of workstream M in both programmes, but holds a viewer's role in "test"."""
    world = build_world()
    client = app.test_client()
    assert sign_in(client, world["users"]["lead_there"]).status_code == 302
    update = {"status": "amber", "progress_note": "Moving.", "version": "1", "deadline": ["31", "1", "2027"]}
    assert client.get("/p/test/actions/M1.1/update").status_code == 403
    assert client.get("/p/second/actions/M1.1/update").status_code == 200
    assert client.post("/p/second/actions/M1.1/update", data=update).status_code == 302
    assert client.post("/p/test/actions/M1.1/update", data=update).status_code == 403
    notes = dict(db.session.execute(select(Programme.short_name, Action.progress_note).join(Action.programme)).all())
    assert notes == {"second": "Moving.", "test": ""}

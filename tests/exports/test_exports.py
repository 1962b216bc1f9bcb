"""Downloads of a programme: what a reader opens in Excel, and that nothing in them runs as a formula."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import make_action, make_person, make_project, make_user, make_workstream
from tests.kpis.factories import make_kpi, make_value
from tracker.extensions import db
from tracker.kpis.export import EXPORT_FIELDS
from tracker.programme.models import Programme
from tracker.programme.status import Status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def plan(app):
    """A small plan with a lead, a Red action, a date, and text a spreadsheet would run as a formula."""
    lead = make_person(name="Jo Lead")
    workstream = make_workstream("A", title="Strong directorate")
    project = make_project(
        workstream,
        "A1",
        title='=HYPERLINK("http://evil.example","Click")',
        lead=lead,
        deliverables="One\nTwo",
        impact="+cmd|' /C calc'!A0",
        target_date=date(2027, 3, 31),
        ambitions=["SAFE", "INCLUSIVE"],
        status=Status.AMBER,
    )
    make_action(
        project,
        "A1.1",
        title="@SUM(1+1)",
        status=Status.RED,
        deadline=date(2027, 1, 15),
        lead=lead,
        progress_note="-2 weeks behind",
    )
    make_action(project, "A1.2", title="Recruit staff", status=Status.GREEN, deadline=date(2026, 10, 1))
    kpi = make_kpi("K1", target=65, tolerance_low=60, workstreams=[workstream])
    make_value(kpi, date(2026, 9, 30), 70, "Q2 2026/27")
    db.session.commit()


def _day(value):
    """Return a date cell's day (Excel stores date-times), anything else as it is."""
    return value.date() if isinstance(value, datetime) else value


def _workbook(response):
    assert response.status_code == 200
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data))


def test_the_whole_programme_is_a_workbook_a_reader_can_filter_and_trust(viewer_client, plan):
    response = viewer_client.get("/p/test/export/programme.xlsx")
    book = _workbook(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-programme-2026-11-25.xlsx"'
    assert book.sheetnames == ["Workstreams", "Projects", "Actions", "KPIs"]
    projects = book["Projects"]
    assert [c.value for c in projects[1]] == [
        "Workstream",
        "Ref",
        "Project",
        "Project Lead",
        "Deliverables include",
        "Impact/benefits",
        "Overall Target Date",
        "Contributes to",
        "Status",
        "Progress",
    ]
    actions = book["Actions"]
    assert [c.value for c in actions[1]] == [
        "Project Ref",
        "Ref",
        "Action",
        "Lead",
        "Start date",
        "Deadline",
        "Status",
        "Progress",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
    assert actions.auto_filter.ref == "A1:H3"
    # A status is its word on its colour; a date is a date cell shown the UK way.
    red = actions["G2"]
    assert red.value == "Red"
    assert red.fill.fgColor.rgb == "FFD4351C"
    deadline = actions["F2"]
    assert deadline.value.date() == date(2027, 1, 15)  # Excel has date-times only: midnight
    assert deadline.number_format == "dd/mm/yyyy"
    assert [_day(c.value) for c in projects[2]][1:] == [
        "A1",
        '=HYPERLINK("http://evil.example","Click")',
        "Jo Lead",
        "One\nTwo",
        "+cmd|' /C calc'!A0",
        date(2027, 3, 31),
        "Inclusive, Safe",
        "Amber",
        None,
    ]
    # Text that would run as a formula stays text, exactly as typed.
    for cell in (projects["C2"], projects["F2"], actions["C2"], actions["H2"]):
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert [c.value for c in book["KPIs"][1]] == list(EXPORT_FIELDS)
    assert book["KPIs"]["K2"].value == "Green"


def test_the_whole_programme_as_csv_files_neutralises_formulas(viewer_client, plan):
    response = viewer_client.get("/p/test/export/programme-csv.zip")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["workstreams.csv", "projects.csv", "actions.csv", "kpis.csv"]
    projects = list(csv.reader(io.StringIO(archive.read("projects.csv").decode("utf-8-sig"))))
    assert projects[1] == [
        "A",
        "A1",
        '\'=HYPERLINK("http://evil.example","Click")',
        "Jo Lead",
        "One\nTwo",
        "'+cmd|' /C calc'!A0",
        "31/03/2027",
        "Inclusive, Safe",
        "Amber",
        "",
    ]
    actions = list(csv.reader(io.StringIO(archive.read("actions.csv").decode("utf-8-sig"))))
    assert actions[1][2] == "'@SUM(1+1)"
    assert actions[1][7] == "'-2 weeks behind"


def test_the_action_list_downloads_every_page_of_what_its_filters_match(app, viewer_client, plan):
    project = make_project(make_workstream("B"), "B1")
    for number in range(1, 61):  # more than a page of the list (50)
        make_action(project, f"B1.{number}", status=Status.RED if number % 2 else Status.AMBER)
    db.session.commit()
    page = viewer_client.get("/p/test/actions?status=red&sort=deadline&page=2")
    assert b"/p/test/export/actions.xlsx?status=red&amp;sort=deadline" in page.data
    book = _workbook(viewer_client.get("/p/test/export/actions.xlsx?status=red&sort=deadline"))
    rows = list(book["Actions"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 31  # A1.1 and the thirty odd-numbered B1 actions
    assert {row[6] for row in rows} == {"Red"}
    text = viewer_client.get("/p/test/export/actions.csv?status=red&q=A1").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Ref", "Action", "Project Ref", "Lead", "Start date", "Deadline", "Status"],
        ["A1.1", "'@SUM(1+1)", "A1", "Jo Lead", "01/01/2026", "15/01/2027", "Red"],
    ]
    # Filters the page refuses show every action there, and so in the download.
    everything = viewer_client.get("/p/test/export/actions.csv?due_within=nonsense").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(everything)))) == 1 + 62


def test_the_kpi_scorecard_downloads_as_a_workbook(viewer_client, plan):
    book = _workbook(viewer_client.get("/p/test/export/kpis.xlsx"))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == tuple(EXPORT_FIELDS)
    assert rows[1][:2] == ("K1", "Measure K1")


def test_downloads_are_linked_where_readers_look(viewer_client, plan):
    overview = viewer_client.get("/p/test/").data.decode()
    for url in ("/p/test/export/programme.xlsx", "/p/test/export/programme-csv.zip", "/p/test/export/kpis.xlsx"):
        assert url in overview


def test_a_download_needs_a_signed_in_reader(client, plan):
    response = client.get("/p/test/export/programme.xlsx")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def _grow(prefix: str, actions_per_project: int) -> None:
    """Add three workstreams of three projects, each with its actions, and a KPI with values per workstream."""
    lead = make_person()
    for w in range(3):
        workstream = make_workstream(f"{prefix}{w}")
        kpi = make_kpi(f"{prefix}K{w}", target=50, workstreams=[workstream])
        for quarter, month in enumerate((3, 6, 9)):
            make_value(kpi, date(2026, month, 30), 40 + quarter, f"Q{quarter + 1}")
        for p in range(3):
            project = make_project(workstream, f"{prefix}{w}.{p}", lead=lead, ambitions=["SAFE"])
            for _ in range(actions_per_project):
                make_action(project, lead=lead)
    db.session.commit()


@pytest.mark.parametrize(
    "url",
    [
        "/p/test/export/programme.xlsx",
        "/p/test/export/programme-csv.zip",
        "/p/test/export/actions.xlsx?status=amber&sort=lead",
        "/p/test/export/actions.csv",
        "/p/test/export/kpis.xlsx",
    ],
)
def test_a_download_sends_the_same_statements_whatever_the_size(app, signed_in_client, count_queries, url):
    client = signed_in_client(make_user("viewer"))
    _grow("S", 2)
    client.get(url)  # fills the caches the list's filters use, as any earlier visit would
    small = count_queries(lambda: client.get(url))
    _grow("L", 40)
    client.get(url)
    large = count_queries(lambda: client.get(url))
    assert small == large


def test_the_command_writes_the_same_workbook_and_csv_files(app, runner, plan, tmp_path):
    target = tmp_path / "plan.xlsx"
    result = runner.invoke(args=["export", "programme", str(target), "--programme", "test"])
    assert result.exit_code == 0, result.output
    assert "1 workstreams, 1 projects, 2 actions, 1 kpis" in result.output
    book = load_workbook(target)
    assert book.sheetnames == ["Workstreams", "Projects", "Actions", "KPIs"]
    assert book["Actions"]["C2"].value == "@SUM(1+1)"
    archive = tmp_path / "plan.zip"
    result = runner.invoke(args=["export", "programme", str(archive), "--programme", "test", "--format", "csv-zip"])
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(archive).namelist() == ["workstreams.csv", "projects.csv", "actions.csv", "kpis.csv"]
    unknown = runner.invoke(args=["export", "programme", str(target), "--programme", "nowhere"])
    assert unknown.exit_code != 0


def test_while_progress_pages_are_public_anyone_downloads_the_action_list_but_not_the_programme(client, plan):
    programme = db.session.scalars(select(Programme)).first()
    programme.public_progress_pages = True
    db.session.commit()
    listed = client.get("/p/test/actions").data.decode()
    assert "/p/test/export/actions.xlsx" in listed
    assert client.get("/p/test/export/actions.csv").status_code == 200
    assert client.get("/p/test/export/actions.xlsx").status_code == 200
    assert "/p/test/export/programme.xlsx" not in client.get("/p/test/").data.decode()
    assert client.get("/p/test/export/programme.xlsx").status_code == 302
    assert client.get("/p/test/export/kpis.xlsx").status_code == 302


@pytest.mark.parametrize(
    "query",
    ["lead=%00&status=amber", "workstream=" + "Z" * 500, "status=purple&due_within=-3", "sort=%27;drop", "page=x"],
)
def test_filters_no_person_could_type_never_give_a_server_error(viewer_client, plan, query):
    response = viewer_client.get(f"/p/test/export/actions.csv?{query}")
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.get_data(as_text=True)

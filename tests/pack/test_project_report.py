"""The project highlight report: one A4 page from the project page, parsed back from the real PDF."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from tests.board.helpers import board_world
from tests.conftest import TODAY, wipe_tables
from tests.factories import make_action, make_person, make_project, make_user, make_workstream
from tests.kpis.factories import make_kpi, make_value
from tracker.extensions import db
from tracker.pack.content import ACTIONS_LISTED_IN_FULL, project_report
from tracker.pack.project_pdf import render_project_report
from tracker.programme.models import Programme, Project
from tracker.programme.status import Status
from tracker.risks.models import Risk

PAYLOAD = '<script>alert("x")</script> & \'quoted\' "text"'
URL = "/p/test/projects/a1/highlight-report.pdf"


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _report_world() -> dict:
    """board_world, with project A1 given hostile text, a project risk, a closed risk and a linked KPI."""
    world = board_world(actions_per_project=6)
    project = db.session.scalars(select(Project).where(Project.ref == "A1")).one()
    project.title = "Hostile " + PAYLOAD
    project.progress, project.next_steps = "Progress " + PAYLOAD, "Next " + PAYLOAD
    project.deliverables, project.impact = "A new front door", "Fewer re-referrals"
    project.actions[0].title = "Action " + PAYLOAD
    project.actions[1].status, project.actions[1].progress_note = Status.RED, "Late"
    owner = make_person(name="Olu Owner")
    for description, is_open in (("Open risk " + PAYLOAD, True), ("Closed risk", False)):
        db.session.add(
            Risk(
                programme=world["programme"],
                project=project,
                description=description,
                mitigation="Mitigation " + PAYLOAD,
                owner=owner,
                likelihood=5,
                impact=4,
                is_open=is_open,
                review_on=date(2026, 12, 1),
            )
        )
    kpi = make_kpi("KPI 2", title="Linked " + PAYLOAD, target=70, tolerance_low=60, projects=[project])
    for month, value in ((3, 50), (6, 62), (9, 71)):
        make_value(kpi, date(2026, month, 30 if month in (6, 9) else 31), value, f"Q{month // 3} 2026")
    db.session.commit()
    return world


def test_the_report_holds_every_section_the_actions_and_text_literally(app, viewer_client):
    _report_world()
    response = viewer_client.get(URL)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="project-a1-highlight-report-')
    pages = _pages(response.data)
    assert len(pages) == 1, "a normal project fits one A4 page"
    text = _flat(pages[0])
    for words in (
        "Project A1: Hostile",
        'Workstream A: Early help <& "quotes">',
        "Lead Target date Status Actions",
        "Robin Lead",
        "Green",
        "Deliverables Impact A new front door Fewer re-referrals",
        "Progress Progress " + PAYLOAD,
        "Next steps Next " + PAYLOAD,
        "Actions",
        "Risks and mitigations",
        "Open risk " + PAYLOAD,
        "Olu Owner",
        "20 (High)",
        "Linked KPIs",
        "Q3 2026",
        "Page 1 of 1",
    ):
        assert words in text, words
    for ref in ("A1.1", "A1.2", "A1.3", "A1.4", "A1.5", "A1.6"):
        assert ref in text
    assert "Action " + PAYLOAD in text and "Red" in text
    assert "Closed risk" not in text and "A2.1" not in text  # only this project's open risks and actions
    reader = PdfReader(io.BytesIO(response.data))
    assert (
        reader.metadata.title.startswith("Project A1: Hostile <script>") and reader.trailer["/Root"]["/Lang"] == "en-GB"
    )


def test_the_same_data_gives_the_same_bytes(app, viewer_client):
    _report_world()
    first = viewer_client.get(URL).data
    assert viewer_client.get(URL).data == first
    project = db.session.scalars(select(Project).where(Project.ref == "A1")).one()
    project.next_steps = "Changed after the first download"
    db.session.commit()
    again = viewer_client.get(URL).data
    assert again != first and "Changed after the first download" in _flat(_pages(again)[0])


def test_a_project_with_many_actions_lists_every_open_one_and_counts_the_finished(app, viewer_client):
    programme_world = board_world(actions_per_project=0, projects=0)
    lead = make_person(name="Big Lead")
    big = make_project(make_workstream("B", title="Big"), "B1", lead=lead, title="Eighty actions")
    for n in range(1, 81):
        status = Status.BLUE if n <= 60 else Status.AMBER
        make_action(big, f"B1.{n}", lead=lead, status=status, title=f"Step {n}")
    make_action(big, "B1.81", lead=lead, status=Status.RED, title="The red one", deadline=date(2027, 6, 1))
    db.session.commit()
    assert programme_world["programme"].short_name == "test"
    report = project_report(_position(), "b1")
    assert report is not None and len(report.actions) == 21 and report.finished_not_listed == 60
    assert report.actions[0].ref == "B1.81"  # Red and overdue first
    pages = _pages(render_project_report(report))
    text = _flat(" ".join(pages))
    assert "B1.81" in text and all(f"B1.{n} " in text for n in range(61, 81))
    assert "B1.1 " not in text and "60 finished (Green or Blue) actions, which the project page shows" in text
    assert "81 actions: 60 Blue, 20 Amber, 1 Red." in text
    assert len(pages) <= 2


def test_a_normal_sized_project_lists_all_its_actions(app):
    board_world(actions_per_project=ACTIONS_LISTED_IN_FULL)
    report = project_report(_position(), "a1")
    assert report is not None and len(report.actions) == ACTIONS_LISTED_IN_FULL and report.finished_not_listed == 0
    assert len(_pages(render_project_report(report))) == 1


def _position() -> dict:
    from tracker.board.snapshots import build_position

    programme = db.session.scalars(select(Programme).where(Programme.short_name == "test")).one()
    return build_position(programme, TODAY)


def test_the_project_page_links_the_report_and_unknown_projects_are_404(app, viewer_client):
    _report_world()
    page = viewer_client.get("/p/test/projects/A1").get_data(as_text=True)
    assert f'href="{URL}"' in page and "Download the highlight report for project A1 (PDF)" in page
    assert viewer_client.get("/p/test/projects/Z9/highlight-report.pdf").status_code == 404


def test_anonymous_visitors_read_the_report_only_while_the_progress_pages_are_public(app, client):
    world = _report_world()
    assert client.get(URL).status_code == 302
    world["programme"].public_progress_pages = True
    db.session.commit()
    response = client.get(URL)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def _statements(count_queries, signed_in_client, actions: int) -> int:
    board_world(actions_per_project=actions, projects=3)
    client = signed_in_client(make_user("viewer"))
    from flask import current_app

    current_app.extensions["tracker_cache"].clear()  # the cold case: the position is read, not cached
    statements = count_queries(lambda: client.get(URL))
    assert client.get(URL).status_code == 200
    return statements


def test_the_report_sends_the_same_statements_at_two_sizes(app, signed_in_client, count_queries):
    small = _statements(count_queries, signed_in_client, 2)
    wipe_tables()
    large = _statements(count_queries, signed_in_client, 60)
    assert small == large, (small, large)

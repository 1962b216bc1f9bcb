"""The board pack: its content, the PDF parsed back, the web page, the command, and hostile text."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from tests.board.helpers import board_world, make_meeting
from tests.conftest import TODAY, wipe_tables
from tests.factories import make_action, make_user
from tracker.board.snapshots import build_position, freeze_board, load_snapshot, snapshot_of
from tracker.demo.scale import build_synthetic_programme
from tracker.extensions import db
from tracker.pack.content import pack_content
from tracker.pack.pdf import render_pdf
from tracker.pack.style import Labelled, register_fonts, render, status_cell, text_table
from tracker.programme.models import Action, Programme, Project
from tracker.programme.status import Status

PAYLOAD = '<script>alert("x")</script> & \'quoted\' "text"'
SECTIONS = [
    "Contents",
    "Executive summary",
    "Movement since the last board",
    "Exceptions: Red and overdue items",
    "KPI scorecard",
    "Risks and mitigations",
    "Appendix: data-quality findings",
]


def _frozen_world() -> dict:
    world = board_world()
    programme = world["programme"]
    red = db.session.scalars(select(Action).where(Action.ref == "A1.1")).one()
    red.status, red.progress_note = Status.RED, "Late: " + PAYLOAD
    red.title = "Hostile " + PAYLOAD
    db.session.commit()
    freeze_board(programme, world["later"], None, command_line=True)
    db.session.commit()
    world["snapshot"] = snapshot_of(world["later"])
    return world


def _outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_content_is_one_pure_function_of_the_document(app):
    world = _frozen_world()
    position = load_snapshot(world["snapshot"])
    pack = pack_content(position, None, [])
    assert [s.title for s in pack.sections if s.level == 0] == SECTIONS
    assert [ws.ref for ws in pack.workstreams] == ["A", "S"]
    separate = pack.workstreams[1]
    assert separate.projects == [] and "led by the SEND Improvement Board and reported separately" in (
        separate.separate_line
    )
    assert [(e.kind, e.ref) for e in pack.exceptions] == [("action", "A1.1")]
    assert pack.exceptions[0].reason.startswith("Late: ")
    assert pack.counts["actions"]["red"] == 1
    on_board = position["rollup"]["projects"]["total"] - pack.separately["projects"]
    assert sum(pack.counts["projects"].values()) == on_board
    assert [p.ref for p in pack.workstreams[0].projects] == ["A1", "A2"]
    assert [a.ref for a in pack.workstreams[0].projects[0].actions] == ["A1.1", "A1.2"]
    assert pack_content(position, None, [], no_appendix=True).appendix is None


def test_the_pdf_has_pages_numbers_an_outline_metadata_and_embedded_fonts(app):
    world = _frozen_world()
    pack = pack_content(load_snapshot(world["snapshot"]), None, [])
    pdf = render_pdf(pack)
    reader, text = _text(pdf)
    pages = len(reader.pages)
    assert pages > 1
    assert f"Page 1 of {pages}" in reader.pages[0].extract_text()
    assert f"Page {pages} of {pages}" in reader.pages[-1].extract_text()
    titles = _outline_titles(reader)
    for section in SECTIONS:
        assert section in titles
    assert 'Workstream A: Early help <& "quotes">' in titles and "Workstream S: Led elsewhere" in titles
    assert reader.metadata.title == "Improvement Board: board pack, 27 November 2026"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
    assert fonts and all("DejaVuSans" in name for name in fonts)
    # the text comes out literally, not interpreted
    assert 'Hostile <script>alert("x")</script> & \'quoted\' "text"' in text.replace("\n", " ")
    for word in ("Red", "Green", "Executive summary", "Robin Lead"):
        assert word in text


def test_the_same_snapshot_renders_the_same_bytes_after_later_edits(app):
    world = _frozen_world()
    first = render_pdf(pack_content(load_snapshot(world["snapshot"]), None, []))
    project = db.session.scalars(select(Project).where(Project.ref == "A1")).one()
    project.title, project.status = "Renamed after the board", Status.RED
    db.session.commit()
    again = render_pdf(pack_content(load_snapshot(snapshot_of(world["later"])), None, []))
    assert first == again
    live = render_pdf(pack_content(build_position(world["programme"], TODAY), None, []))
    assert "Renamed after the board" in _text(live)[1] and "Renamed after the board" not in _text(first)[1]


def test_the_web_page_shows_every_section_escapes_text_and_links_the_pdf(app, viewer_client, admin_client):
    _frozen_world()
    page = viewer_client.get("/p/test/meetings/2026-11-27/pack").get_data(as_text=True)
    for section in SECTIONS[:-1]:
        assert section in page
    assert "Appendix: data-quality findings" not in page  # the programme office's
    office = admin_client.get("/p/test/meetings/2026-11-27/pack").get_data(as_text=True)
    assert "Appendix: data-quality findings" in office
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "The board as frozen on" in page and "<svg" in page and "Reported separately" in page
    assert 'href="/p/test/meetings/2026-11-27/pack.pdf"' in page
    headings = [int(level) for level in re.findall(r"<h([1-6])[ >]", page.split("<main")[1])]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(headings)), headings
    meeting = viewer_client.get("/p/test/meetings/2026-11-27").get_data(as_text=True)
    assert "Download the board pack (PDF)" in meeting and 'href="/p/test/meetings/2026-11-27/pack"' in meeting
    response = viewer_client.get("/p/test/meetings/2026-11-27/pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_a_meeting_not_yet_frozen_shows_the_live_position(app, viewer_client):
    world = board_world()
    page = viewer_client.get("/p/test/meetings/2026-10-02/pack").get_data(as_text=True)
    assert "this board has not been frozen yet" in page
    make_action(db.session.scalars(select(Project).where(Project.ref == "A1")).one(), "A1.9", title="Added live")
    db.session.commit()
    assert "Added live" in viewer_client.get("/p/test/meetings/2026-10-02/pack").get_data(as_text=True)
    assert world["programme"].short_name == "test"
    assert viewer_client.get("/p/test/meetings/2026-10-03/pack").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    board_world()
    assert client.get("/p/test/meetings/2026-11-27/pack.pdf").status_code == 302


def test_the_command_writes_pdf_and_html(app, runner, tmp_path):
    _frozen_world()
    out = tmp_path / "pack.pdf"
    result = runner.invoke(args=["report", "board-pack", "--programme", "test", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "27 November 2026" in result.output and out.read_bytes().startswith(b"%PDF")
    html = tmp_path / "pack.html"
    result = runner.invoke(
        args=["report", "board-pack", "--meeting", "2026-10-02", "--format", "html", "--no-appendix", "--out", html]
    )
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert "Executive summary" in text and "Appendix: data-quality findings" not in text
    assert "this board has not been frozen yet" in text
    bad = runner.invoke(args=["report", "board-pack", "--meeting", "2026-10-03", "--out", str(html)])
    assert bad.exit_code != 0


def _pack_statements(signed_in_client, count_queries, actions: int) -> tuple[int, int]:
    build_synthetic_programme(workstreams=3, projects=12, actions=actions, today=TODAY)
    programme = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
    admin = make_user("admin")
    earlier, later = make_meeting(programme, date(2026, 10, 2)), make_meeting(programme, date(2026, 11, 27))
    db.session.commit()
    freeze_board(programme, earlier, admin)
    db.session.commit()
    client = signed_in_client(admin)
    from flask import current_app

    current_app.extensions["tracker_cache"].clear()
    live = count_queries(lambda: client.get("/p/scale/meetings/2026-11-27/pack"))
    freeze_board(programme, later, admin)
    db.session.commit()
    current_app.extensions["tracker_cache"].clear()
    frozen = count_queries(lambda: client.get("/p/scale/meetings/2026-11-27/pack"))
    assert client.get("/p/scale/meetings/2026-11-27/pack").status_code == 200
    return live, frozen


def test_the_page_sends_the_same_statements_at_two_sizes(app, signed_in_client, count_queries):
    small = _pack_statements(signed_in_client, count_queries, 40)
    wipe_tables()
    large = _pack_statements(signed_in_client, count_queries, 400)
    assert small == large, (small, large)


def test_the_overview_links_the_latest_pack(app, viewer_client):
    _frozen_world()
    overview = viewer_client.get("/p/test/").get_data(as_text=True)
    assert 'href="/p/test/board-pack.pdf"' in overview and 'href="/p/test/board-pack"' in overview
    response = viewer_client.get("/p/test/board-pack.pdf")
    assert response.status_code == 302 and response.headers["Location"] == "/p/test/meetings/2026-11-27/pack.pdf"
    assert viewer_client.get("/p/test/board-pack").headers["Location"] == "/p/test/meetings/2026-11-27/pack"


def test_with_no_meeting_there_is_no_latest_pack(app, viewer_client):
    from tests.factories import make_programme

    make_programme()
    db.session.commit()
    assert viewer_client.get("/p/test/board-pack").status_code == 404


def test_a_frozen_packs_pdf_is_rendered_once_and_then_read_from_its_file(app, viewer_client, admin_client):
    from pathlib import Path

    from tracker.pack.stored import FOLDER

    _frozen_world()
    folder = Path(app.instance_path) / FOLDER
    before = set(folder.glob("*.pdf")) if folder.exists() else set()
    first = viewer_client.get("/p/test/meetings/2026-11-27/pack.pdf").data
    kept = set(folder.glob("*.pdf")) - before
    assert len(kept) == 1 and next(iter(kept)).read_bytes() == first
    assert viewer_client.get("/p/test/meetings/2026-11-27/pack.pdf").data == first
    office = admin_client.get("/p/test/meetings/2026-11-27/pack.pdf").data  # with the appendix: its own file
    assert office != first and "Appendix: data-quality findings" in _text(office)[1]
    assert "Appendix: data-quality findings" not in _text(first)[1]
    assert len(set(folder.glob("*.pdf")) - before) == 2
    # the live pack (a meeting not frozen) is rendered every time and never kept
    viewer_client.get("/p/test/meetings/2026-10-02/pack.pdf")
    assert len(set(folder.glob("*.pdf")) - before) == 2
    for path in set(folder.glob("*.pdf")) - before:
        path.unlink()


def test_anonymous_visitors_read_the_pack_while_the_progress_pages_are_public(app, client):
    world = _frozen_world()
    urls = ["/p/test/meetings/2026-11-27/pack", "/p/test/meetings/2026-11-27/pack.pdf", "/p/test/board-pack"]
    for url in urls:
        assert client.get(url).status_code == 302 and "/sign-in" in client.get(url).headers["Location"]
    world["programme"].public_progress_pages = True
    db.session.commit()
    page = client.get(urls[0])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Executive summary" in text and "Appendix: data-quality findings" not in text  # the office's only
    pdf = client.get(urls[1])
    assert pdf.status_code == 200 and "Appendix: data-quality findings" not in _text(pdf.data)[1]
    assert client.get(urls[2]).headers["Location"] == urls[0]
    assert client.get("/p/test/board-pack.pdf").headers["Location"] == urls[1]


def test_a_long_table_repeats_its_header_on_every_page_and_keeps_each_row_whole():
    """The pack's tables are drawn without ReportLab's Table: read the PDF back to check the header
    on each page, every row once and in order, a row's lines on one page, and literal hostile text."""
    register_fonts()
    rows: list[list] = []
    for n in range(1, 301):
        rows.append([f"R{n:03d}", f"Title {n} " + "word " * (n % 7), PAYLOAD, status_cell("red", n % 2 == 0)])
        if n % 50 == 0:
            rows.append([Labelled("Progress:", f"Row {n} progress " + "long " * 60 + "end")])
    pages: list[int] = []
    pdf = render(
        [text_table(["Ref", "Title", "Lead", "Status"], rows, [60, 200, 150, 80])],
        title="t",
        author="a",
        subject="s",
        header="h",
        pages=pages,
    )
    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() for page in reader.pages]
    assert pages[0] == len(texts) > 3
    seen: list[str] = []
    for text in texts:
        assert "Ref" in text and "Status" in text  # the header, repeated
        seen += re.findall(r"R\d{3}", text)
        # a row's second line ("(overdue)" of an even row) is on the page of the row itself
        assert text.count("(overdue)") == len([r for r in re.findall(r"R(\d{3})", text) if int(r) % 2 == 0])
    assert seen == [f"R{n:03d}" for n in range(1, 301)]
    whole = "\n".join(texts)
    assert PAYLOAD.replace(" ", "") in whole.replace(" ", "").replace("\n", "")
    assert whole.count("Progress:") == 6 and "Row 300 progress" in whole
    # A long labelled row stays on one page: its first and last words are on the same page.
    assert any("Row 150 progress" in text and "end" in text for text in texts)
    assert (
        render(
            [text_table(["Ref", "Title", "Lead", "Status"], rows, [60, 200, 150, 80])],
            title="t",
            author="a",
            subject="s",
            header="h",
        )
        == pdf
    )

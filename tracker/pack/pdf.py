"""The board pack as a PDF (ReportLab platypus): A4, "Page 3 of 20", a running header, bookmarks,
tables that split with repeated headers, status as colour plus word, DejaVu fonts embedded.

``render_pdf(pack)`` returns bytes. ReportLab's invariant mode fixes the creation date and document
id, so the same pack renders to the same bytes every time.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, PolyLine, Rect, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_LEFT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)

from tracker.pack.content import STATUS_ORDER, Pack, day_text, status_label
from tracker.programme.status import Status

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT, BOLD = "PackSans", "PackSans-Bold"
KPI_COLOURS = {"green": ("#00703c", "#ffffff"), "amber": ("#ffdd00", "#0b0c0c"), "red": ("#d4351c", "#ffffff")}
RAG_COLOURS = {"low": KPI_COLOURS["green"], "medium": KPI_COLOURS["amber"], "high": KPI_COLOURS["red"]}
INK = colors.HexColor("#0b0c0c")
MARGIN = 18 * mm
KIND_LABELS = {"kpi": "KPI"}


class FontMissing(RuntimeError):
    """DejaVu Sans is not installed (Debian: fonts-dejavu-core)."""


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
            return
    raise FontMissing("The board pack needs DejaVu Sans: install the Debian package fonts-dejavu-core.")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK, alignment=TA_LEFT)
    return {
        "body": ParagraphStyle("body", parent=base, spaceAfter=4),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2),
        "cellhead": ParagraphStyle("cellhead", parent=base, fontName=BOLD, fontSize=7.5, leading=9.2),
        "h1": ParagraphStyle("h1", parent=base, fontName=BOLD, fontSize=18, leading=23, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=14, leading=18, spaceBefore=6, spaceAfter=6),
        "h3": ParagraphStyle("h3", parent=base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=26, leading=32, spaceAfter=14),
        "cover": ParagraphStyle("cover", parent=base, fontSize=13, leading=18, spaceAfter=6),
    }


def _kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.capitalize())


def _text(value: Any) -> str:
    """Escape item text so '<', '&' and quotes come out literally, and keep its line breaks."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


class Heading(Paragraph):
    """A heading that becomes a bookmark in the document outline."""

    def __init__(self, text: str, style: ParagraphStyle, key: str, level: int) -> None:
        super().__init__(_text(text), style)
        self.outline = (text, key, level)


class PackDoc(BaseDocTemplate):
    def afterFlowable(self, flowable: Any) -> None:
        outline = getattr(flowable, "outline", None)
        if outline:
            text, key, level = outline
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=False)


def numbered_canvas(header: str) -> type[Canvas]:
    """Return a canvas class that writes "Page n of N" and the running header once all pages are known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = FONT  # no page falls back on an unembedded Helvetica
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = A4
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(INK)
            if self._pageNumber > 1:
                self.drawString(MARGIN, height - 12 * mm, header)
                self.setStrokeColor(colors.HexColor("#b1b4b6"))
                self.line(MARGIN, height - 13.5 * mm, width - MARGIN, height - 13.5 * mm)
            self.drawRightString(width - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def _status_cell(value: str, overdue: bool, styles: dict[str, ParagraphStyle], colours=None) -> Paragraph:
    """The status as a word (and "overdue"), in the text colour that contrasts with its cell's fill."""
    word = status_label(value) + (" (overdue)" if overdue else "")
    return _word(word, styles, colours)


def _word(word: str, styles: dict[str, ParagraphStyle], colours: tuple[str, str] | None) -> Paragraph:
    style = styles["cellhead"]
    if colours:
        style = ParagraphStyle("status", parent=style, textColor=colors.HexColor(colours[1]))
    return Paragraph(_text(word), style)


def _status_colours(value: str | None, palette: dict[str, tuple[str, str]] | None = None) -> tuple[str, str] | None:
    if not value:
        return None
    if palette is not None:
        return palette.get(value)
    status = Status(value)
    return status.chart_fill, status.chart_text


def _table(
    header: list[str], rows: list[list[Any]], widths: list[float], styles: dict, colour_cells=(), extra=()
) -> LongTable:
    """A table that splits across pages by row, repeats its header and colours its status cells."""
    data = [[Paragraph(_text(h), styles["cellhead"]) for h in header]]
    for row in rows:
        data.append(
            [
                cell if isinstance(cell, (Flowable, list)) or cell == "" else Paragraph(_text(cell), styles["cell"])
                for cell in row
            ]
        )
    table = LongTable(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=0, hAlign="LEFT")
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for (col, row_index), (fill, _text_colour) in [c for c in colour_cells if c[1]]:
        commands.append(("BACKGROUND", (col, row_index + 1), (col, row_index + 1), colors.HexColor(fill)))
    commands += list(extra)
    table.setStyle(TableStyle(commands))
    return table


def _status_chart(pack: Pack) -> Drawing:
    """Two stacked bars (projects, actions) with counts on the segments and a legend."""
    width, label_w, bar_h = 170 * mm, 60, 22
    drawing = Drawing(width, 2 * (bar_h + 10) + 26, initialFontName=FONT)
    largest = max(sum(pack.counts[k].values()) + pack.separately[k] for k in ("projects", "actions")) or 1
    bar_w = width - label_w - 10
    for index, kind in enumerate(("projects", "actions")):
        y = drawing.height - (index + 1) * (bar_h + 10)
        drawing.add(String(label_w - 6, y + 7, kind.capitalize(), fontName=FONT, fontSize=9, textAnchor="end"))
        x = float(label_w)
        segments = [(s, pack.counts[kind][s]) for s in STATUS_ORDER] + [("separate", pack.separately[kind])]
        for name, count in segments:
            if not count:
                continue
            seg = bar_w * count / largest
            fill, text = ("#ffffff", "#0b0c0c") if name == "separate" else _status_colours(name) or ("#fff", "#000")
            drawing.add(Rect(x, y, seg, bar_h, fillColor=colors.HexColor(fill), strokeColor=colors.white))
            if name == "separate":
                drawing.contents[-1].strokeColor = colors.HexColor("#505a5f")
                drawing.contents[-1].strokeDashArray = [3, 2]
            if seg >= 16:
                drawing.add(
                    String(
                        x + seg / 2,
                        y + 7,
                        str(count),
                        fontName=BOLD,
                        fontSize=8,
                        fillColor=colors.HexColor(text),
                        textAnchor="middle",
                    )
                )
            x += seg
    x = 0.0
    for name in [*STATUS_ORDER, "separate"]:
        fill = "#ffffff" if name == "separate" else Status(name).chart_fill
        drawing.add(Rect(x, 2, 8, 8, fillColor=colors.HexColor(fill), strokeColor=colors.HexColor("#505a5f")))
        label = "Reported separately" if name == "separate" else Status(name).label
        drawing.add(String(x + 11, 3, label, fontName=FONT, fontSize=8))
        x += 60 if name != "separate" else 0
    return drawing


def _trend(values: list[tuple[str, float]], status: str) -> Drawing:
    """A small line of the KPI's recent values (its table of values is in the row beside it)."""
    width, height = 28 * mm, 10 * mm
    drawing = Drawing(width, height, initialFontName=FONT)
    if len(values) < 2:
        drawing.add(String(0, height / 2 - 3, "Too few values", fontName=FONT, fontSize=6))
        return drawing
    numbers = [v for _label, v in values]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    points: list[float] = []
    for index, value in enumerate(numbers):
        points += [2 + index * (width - 4) / (len(numbers) - 1), 2 + (value - low) / span * (height - 4)]
    colour = colors.HexColor(KPI_COLOURS.get(status, ("#1d70b8", ""))[0] if status != "amber" else "#b58800")
    drawing.add(PolyLine(points, strokeColor=colour, strokeWidth=1.2))
    return drawing


def _cover(pack: Pack, styles: dict) -> list:
    story: list = [Spacer(1, 40 * mm), Paragraph(_text(pack.programme), styles["cover"])]
    story.append(Paragraph(_text(pack.board_name), styles["title"]))
    story.append(
        Paragraph(_text("Board pack" + (f": {pack.meeting}" if pack.meeting else ": live position")), styles["h2"])
    )
    for line in (
        f"Position as at {pack.position_as_at}",
        pack.source_line,
        f"Produced by {pack.produced_by}",
    ):
        story.append(Paragraph(_text(line), styles["cover"]))
    story.append(PageBreak())
    story.append(Heading("Contents", styles["h1"], "contents", 0))
    for section in pack.sections[1:]:
        indent = "&nbsp;" * 6 * section.level
        story.append(Paragraph(f'{indent}<a href="#{section.key}">{_text(section.title)}</a>', styles["body"]))
    return story


def _summary(pack: Pack, styles: dict) -> list:
    story: list = [PageBreak(), Heading("Executive summary", styles["h1"], "summary", 0)]
    for kind, sentences in (("Projects", pack.summary_projects), ("Actions", pack.summary_actions)):
        story.append(Paragraph(kind, styles["h3"]))
        story += [Paragraph("• " + _text(s), styles["body"]) for s in sentences]
    story.append(Paragraph("Projects and actions by status", styles["h3"]))
    story.append(_status_chart(pack))
    story.append(Spacer(1, 4))
    header = ["", *[Status(s).label for s in STATUS_ORDER], "Reported separately", "Total"]
    rows = []
    for kind in ("projects", "actions"):
        counts = [pack.counts[kind][s] for s in STATUS_ORDER]
        rows.append([kind.capitalize(), *counts, pack.separately[kind], sum(counts) + pack.separately[kind]])
    story.append(_table(header, rows, [22 * mm] + [17 * mm] * 5 + [30 * mm, 17 * mm], styles))
    return story


def _movement(pack: Pack, styles: dict) -> list:
    story: list = [Heading("Movement since the last board", styles["h2"], "movement", 0)]
    moved = pack.movement
    if not moved:
        return [*story, Paragraph(_text(pack.no_movement_reason), styles["body"])]
    story += [Paragraph("• " + _text(t["sentence"]), styles["body"]) for t in moved["transitions"]] or [
        Paragraph("No status changed.", styles["body"])
    ]
    if moved["dates_moved"]:
        story.append(Paragraph("Deadlines that moved", styles["h3"]))
        rows = [
            [
                f"{m['kind'].capitalize()} {m['ref']}",
                m["title"],
                day_text(m["from"]) or "None",
                day_text(m["to"]) or "None",
                m["reason"] or "No reason given",
            ]
            for m in moved["dates_moved"]
        ]
        story.append(
            _table(
                ["Item", "Title", "Was", "Now", "Reason"], rows, [22 * mm, 50 * mm, 20 * mm, 20 * mm, 62 * mm], styles
            )
        )
    if moved["newly_overdue"]:
        story.append(Paragraph("Newly overdue", styles["h3"]))
        rows = [
            [f"{o['kind'].capitalize()} {o['ref']}", o["title"], o["lead"] or "", day_text(o["due"])]
            for o in moved["newly_overdue"]
        ]
        story.append(_table(["Item", "Title", "Lead", "Due"], rows, [22 * mm, 90 * mm, 40 * mm, 22 * mm], styles))
    return story


def _exceptions(pack: Pack, styles: dict) -> list:
    story: list = [CondPageBreak(60 * mm), Heading("Exceptions: Red and overdue items", styles["h2"], "exceptions", 0)]
    if not pack.exceptions:
        return [*story, Paragraph("No item is Red or overdue.", styles["body"])]
    rows, colour = [], []
    for index, e in enumerate(pack.exceptions):
        c = _status_colours(e.status)
        rows.append(
            [
                f"{e.kind.capitalize()} {e.ref}",
                e.title,
                e.lead,
                e.deadline,
                _status_cell(e.status, e.overdue, styles, c),
                e.reason,
            ]
        )
        colour.append(((4, index), c))
    widths = [20 * mm, 44 * mm, 26 * mm, 20 * mm, 20 * mm, 44 * mm]
    return [*story, _table(["Item", "Title", "Lead", "Deadline", "Status", "Reason"], rows, widths, styles, colour)]


def _project_table(p: Any, styles: dict) -> LongTable:
    """One project as the seed's table: ref, project, lead, deliverables, impact, target date, status,
    then its progress and next steps on full-width rows (the table splits between rows, header repeated)."""
    colour = _status_colours(p.status)
    header = ["Ref", "Project", "Lead", "Deliverables", "Impact", "Target date", "Status"]
    rows: list[list[Any]] = [
        [
            p.ref,
            p.title,
            p.lead,
            p.deliverables,
            p.impact,
            p.target_date,
            _status_cell(p.status, p.overdue, styles, colour),
        ],
        [Paragraph("<b>Progress:</b> " + _text(p.progress or "None given"), styles["cell"]), "", "", "", "", "", ""],
        [
            Paragraph("<b>Next steps:</b> " + _text(p.next_steps or "None given"), styles["cell"]),
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    widths = [13 * mm, 38 * mm, 24 * mm, 31 * mm, 31 * mm, 19 * mm, 18 * mm]
    extra = [("SPAN", (0, 2), (-1, 2)), ("SPAN", (0, 3), (-1, 3))]
    return _table(header, rows, widths, styles, [((6, 0), colour)], extra)


def _workstream(ws: Any, styles: dict) -> list:
    # A workstream reported by another board is one line: it shares a page rather than wasting one.
    brk = CondPageBreak(60 * mm) if ws.separate_line else PageBreak()
    story: list = [brk, Heading(f"Workstream {ws.ref}: {ws.title}", styles["h2"], ws.key, 0)]
    if ws.description:
        story.append(Paragraph(_text(ws.description), styles["body"]))
    if ws.separate_line:
        return [*story, Paragraph(_text(ws.separate_line), styles["body"])]
    story += [Paragraph(_text(line), styles["body"]) for line in ws.counts_lines]
    if not ws.projects:
        return [*story, Paragraph("No projects.", styles["body"])]
    for p in ws.projects:
        story.append(CondPageBreak(45 * mm))
        story.append(Paragraph(_text(f"Project {p.ref}: {p.title}"), styles["h3"]))
        story.append(_project_table(p, styles))
        if not p.actions:
            continue
        rows, colour = [], []
        for index, a in enumerate(p.actions):
            c = _status_colours(a.status)
            rows.append([a.ref, a.title, a.lead, a.deadline, _status_cell(a.status, a.overdue, styles, c)])
            colour.append(((4, index), c))
        story.append(Spacer(1, 3))
        story.append(
            _table(
                ["Ref", "Action", "Lead", "Deadline", "Status"],
                rows,
                [16 * mm, 84 * mm, 34 * mm, 22 * mm, 18 * mm],
                styles,
                colour,
            )
        )
    return story


def _kpis(pack: Pack, styles: dict) -> list:
    story: list = [PageBreak(), Heading("KPI scorecard", styles["h1"], "kpis", 0)]
    if not pack.kpis:
        return [*story, Paragraph("No KPIs are linked to this programme.", styles["body"])]
    rows: list[list[Any]] = []
    colour, extra = [], []
    for index, k in enumerate(pack.kpis):
        values = "; ".join(f"{label}: {value:g}" for label, value in k.trend)
        trend_cell = [_trend(k.trend, k.status), Paragraph(_text(values), styles["cell"])]
        rows.append(
            [
                f"{k.ref}: {k.title}",
                k.target,
                k.tolerance,
                f"{k.latest} ({k.period})" if k.period else k.latest,
                _word(k.status.capitalize() or "Not assessed", styles, KPI_COLOURS.get(k.status)),
                k.direction.capitalize(),
                trend_cell,
            ]
        )
        rows.append([Paragraph("<b>Commentary:</b> " + _text(k.commentary or "None given"), styles["cell"])] + [""] * 6)
        extra.append(("SPAN", (0, 2 * index + 2), (-1, 2 * index + 2)))
        if k.status:
            colour.append(((4, 2 * index), KPI_COLOURS[k.status]))
    widths = [44 * mm, 17 * mm, 20 * mm, 24 * mm, 18 * mm, 19 * mm, 32 * mm]
    header = ["KPI", "Target", "Tolerance", "Latest", "Status", "Direction", "Trend (values)"]
    table = _table(header, rows, widths, styles, colour, extra)
    return [*story, table]


def _risks(pack: Pack, styles: dict) -> list:
    story: list = [CondPageBreak(60 * mm), Heading("Risks and mitigations", styles["h1"], "risks", 0)]
    if not pack.risks:
        return [*story, Paragraph("No open risks.", styles["body"])]
    rows, colour = [], []
    for index, r in enumerate(pack.risks):
        rows.append(
            [
                r.ref,
                r.level,
                r.description,
                r.mitigation,
                r.owner,
                _word(f"{r.rating} ({r.rag.capitalize()})", styles, RAG_COLOURS[r.rag]),
                r.review_on,
            ]
        )
        colour.append(((5, index), RAG_COLOURS[r.rag]))
    widths = [12 * mm, 16 * mm, 48 * mm, 48 * mm, 22 * mm, 16 * mm, 18 * mm]
    header = ["Ref", "Level", "Risk or challenge", "Mitigation", "Owner", "Rating", "Review by"]
    return [*story, _table(header, rows, widths, styles, colour)]


def _appendix(pack: Pack, styles: dict) -> list:
    story: list = [PageBreak(), Heading("Appendix: data-quality findings", styles["h1"], "appendix", 0)]
    for check in pack.appendix or []:
        story.append(Paragraph(_text(f"{check['title']} ({len(check['findings'])})"), styles["h3"]))
        if check["not_run"]:
            story.append(Paragraph(_text(check["not_run"]), styles["body"]))
            continue
        if not check["findings"]:
            story.append(Paragraph("Nothing found.", styles["body"]))
            continue
        story.append(Paragraph(_text(check["what_to_do"]), styles["small"]))
        rows = [
            [f"{_kind(f['kind'])} {f['ref']}", f["title"], f["lead"] or "", f["problem"]] for f in check["findings"]
        ]
        story.append(_table(["Item", "Title", "Lead", "Problem"], rows, [22 * mm, 60 * mm, 30 * mm, 62 * mm], styles))
    return story


def render_pdf(pack: Pack) -> bytes:
    """Return the pack as PDF bytes, the same bytes for the same pack."""
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    doc = PackDoc(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=pack.title,
        author=pack.produced_by,
        subject=f"{pack.programme}: {pack.source_line}",
        creator="Improvement programme tracker",
        lang="en-GB",
        invariant=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = _cover(pack, styles) + _summary(pack, styles) + _movement(pack, styles) + _exceptions(pack, styles)
    for ws in pack.workstreams:
        story += _workstream(ws, styles)
    story += _kpis(pack, styles) + _risks(pack, styles)
    if pack.appendix is not None:
        story += _appendix(pack, styles)
    header = f"{pack.programme} · {pack.board_name}" + (f" · {pack.meeting}" if pack.meeting else " · live position")
    doc.build(story, canvasmaker=numbered_canvas(header))
    return buffer.getvalue()

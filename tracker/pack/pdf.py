"""The board pack as a PDF (ReportLab platypus): A4, "Page 3 of 20", a running header, bookmarks,
tables that split with repeated headers, status as colour plus word, DejaVu fonts embedded.

``render_pdf(pack)`` returns bytes. ReportLab's invariant mode fixes the creation date and document
id, so the same pack renders to the same bytes every time.
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics.shapes import Drawing, Rect, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer  # type: ignore[import-untyped]

from tracker.pack.content import STATUS_ORDER, Pack, day_text
from tracker.pack.style import (
    BOLD,
    FONT,
    Heading,
    Labelled,
    Pictured,
    Story,
    kpi_status,
    markup,
    paragraph_styles,
    register_fonts,
    render,
    risk_rating,
    status_cell,
    status_colours,
    table,
    text_table,
    trend,
)
from tracker.programme.status import Status

KIND_LABELS = {"kpi": "KPI"}


def _kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.capitalize())


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
            fill, text = ("#ffffff", "#0b0c0c") if name == "separate" else status_colours(name) or ("#fff", "#000")
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


def _cover(pack: Pack, styles: dict) -> list:
    story: list = [Spacer(1, 40 * mm), Paragraph(markup(pack.programme), styles["cover"])]
    story.append(Paragraph(markup(pack.board_name), styles["title"]))
    story.append(
        Paragraph(markup("Board pack" + (f": {pack.meeting}" if pack.meeting else ": live position")), styles["h2"])
    )
    for line in (
        f"Position as at {pack.position_as_at}",
        pack.source_line,
        f"Produced by {pack.produced_by}",
    ):
        story.append(Paragraph(markup(line), styles["cover"]))
    story.append(PageBreak())
    story.append(Heading("Contents", styles["h1"], "contents", 0))
    for section in pack.sections[1:]:
        indent = "&nbsp;" * 6 * section.level
        story.append(Paragraph(f'{indent}<a href="#{section.key}">{markup(section.title)}</a>', styles["body"]))
    return story


def _summary(pack: Pack, styles: dict) -> list:
    story: list = [PageBreak(), Heading("Executive summary", styles["h1"], "summary", 0)]
    for kind, sentences in (("Projects", pack.summary_projects), ("Actions", pack.summary_actions)):
        story.append(Paragraph(kind, styles["h3"]))
        story += [Paragraph("• " + markup(s), styles["body"]) for s in sentences]
    story.append(Paragraph("Projects and actions by status", styles["h3"]))
    story.append(_status_chart(pack))
    story.append(Spacer(1, 4))
    header = ["", *[Status(s).label for s in STATUS_ORDER], "Reported separately", "Total"]
    rows = []
    for kind in ("projects", "actions"):
        counts = [pack.counts[kind][s] for s in STATUS_ORDER]
        rows.append([kind.capitalize(), *counts, pack.separately[kind], sum(counts) + pack.separately[kind]])
    story.append(table(header, rows, [22 * mm] + [17 * mm] * 5 + [30 * mm, 17 * mm]))
    return story


def _movement(pack: Pack, styles: dict) -> list:
    story: list = [Heading("Movement since the last board", styles["h2"], "movement", 0)]
    moved = pack.movement
    if not moved:
        return [*story, Paragraph(markup(pack.no_movement_reason), styles["body"])]
    story += [Paragraph("• " + markup(t["sentence"]), styles["body"]) for t in moved["transitions"]] or [
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
            text_table(["Item", "Title", "Was", "Now", "Reason"], rows, [22 * mm, 46 * mm, 24 * mm, 24 * mm, 58 * mm])
        )
    if moved["newly_overdue"]:
        story.append(Paragraph("Newly overdue", styles["h3"]))
        rows = [
            [f"{o['kind'].capitalize()} {o['ref']}", o["title"], o["lead"] or "", day_text(o["due"])]
            for o in moved["newly_overdue"]
        ]
        story.append(text_table(["Item", "Title", "Lead", "Due"], rows, [22 * mm, 90 * mm, 40 * mm, 22 * mm]))
    return story


def _exceptions(pack: Pack, styles: dict) -> Story:
    story: Story = [CondPageBreak(60 * mm), Heading("Exceptions: Red and overdue items", styles["h2"], "exceptions", 0)]
    if not pack.exceptions:
        return [*story, Paragraph("No item is Red or overdue.", styles["body"])]
    rows = [
        [f"{e.kind.capitalize()} {e.ref}", e.title, e.lead, e.deadline, status_cell(e.status, e.overdue), e.reason]
        for e in pack.exceptions
    ]
    widths = [24 * mm, 40 * mm, 26 * mm, 22 * mm, 20 * mm, 42 * mm]
    return [*story, text_table(["Item", "Title", "Lead", "Deadline", "Status", "Reason"], rows, widths)]


PROJECT_WIDTHS = [13 * mm, 38 * mm, 24 * mm, 31 * mm, 31 * mm, 19 * mm, 18 * mm]
ACTION_WIDTHS = [16 * mm, 70 * mm, 32 * mm, 30 * mm, 26 * mm]


def project_table(p: Any, styles: dict) -> Any:
    """One project as the seed's table: ref, project, lead, deliverables, impact, target date, status,
    then its progress and next steps on full-width rows (the table splits between rows, header repeated)."""
    header = ["Ref", "Project", "Lead", "Deliverables", "Impact", "Target date", "Status"]
    rows: list[list[Any]] = [
        [p.ref, p.title, p.lead, p.deliverables, p.impact, p.target_date, status_cell(p.status, p.overdue)],
        [Labelled("Progress:", p.progress or "None given")],
        [Labelled("Next steps:", p.next_steps or "None given")],
    ]
    return text_table(header, rows, PROJECT_WIDTHS)


def action_table(actions: list[Any], widths: list[float] = ACTION_WIDTHS) -> Any:
    rows = [[a.ref, a.title, a.lead, a.deadline, status_cell(a.status, a.overdue)] for a in actions]
    return text_table(["Ref", "Action", "Lead", "Deadline", "Status"], rows, widths)


def _workstream(ws: Any, styles: dict) -> Story:
    # A workstream reported by another board is one line: it shares a page rather than wasting one.
    brk = CondPageBreak(60 * mm) if ws.separate_line else PageBreak()
    story: Story = [brk, Heading(f"Workstream {ws.ref}: {ws.title}", styles["h2"], ws.key, 0)]
    if ws.description:
        story.append(Paragraph(markup(ws.description), styles["body"]))
    if ws.separate_line:
        return [*story, Paragraph(markup(ws.separate_line), styles["body"])]
    story += [Paragraph(markup(line), styles["body"]) for line in ws.counts_lines]
    if not ws.projects:
        return [*story, Paragraph("No projects.", styles["body"])]
    for p in ws.projects:
        story.append(CondPageBreak(45 * mm))
        story.append(Paragraph(markup(f"Project {p.ref}: {p.title}"), styles["h3"]))
        story.append(project_table(p, styles))
        if p.actions:
            story += [Spacer(1, 3), action_table(p.actions)]
    return story


KPI_WIDTHS = [44 * mm, 17 * mm, 20 * mm, 24 * mm, 18 * mm, 19 * mm, 32 * mm]


def kpi_table(kpis: list[Any], styles: dict, widths: list[float] = KPI_WIDTHS) -> Any:
    """Each KPI on a row with its target, tolerance, latest value, status, direction and a small trend
    chart with its values written out, then its commentary on a full-width row."""
    rows: list[list[Any]] = []
    for k in kpis:
        values = "; ".join(f"{label}: {value:g}" for label, value in k.trend)
        latest = f"{k.latest} ({k.period})" if k.period else k.latest
        rows.append(
            [
                f"{k.ref}: {k.title}",
                k.target,
                k.tolerance,
                latest,
                kpi_status(k.status),
                k.direction.capitalize(),
                Pictured(trend(k.trend, k.status, widths[-1] - 4 * mm), values),
            ]
        )
        rows.append([Labelled("Commentary:", k.commentary or "None given")])
    header = ["KPI", "Target", "Tolerance", "Latest", "Status", "Direction", "Trend (values)"]
    return text_table(header, rows, widths)


def _kpis(pack: Pack, styles: dict) -> Story:
    story: Story = [PageBreak(), Heading("KPI scorecard", styles["h1"], "kpis", 0)]
    if not pack.kpis:
        return [*story, Paragraph("No KPIs are linked to this programme.", styles["body"])]
    return [*story, kpi_table(pack.kpis, styles)]


RISK_WIDTHS = [12 * mm, 16 * mm, 48 * mm, 48 * mm, 22 * mm, 16 * mm, 18 * mm]


def risk_table(risks: list[Any], widths: list[float] = RISK_WIDTHS, *, with_level: bool = True) -> Any:
    """The risks with their level (programme, workstream or the project's ref), mitigation, owner,
    rating on its colour and review date; ``with_level=False`` leaves the level out (one project's)."""
    rows = [
        [r.ref, *([r.level] if with_level else []), r.description, r.mitigation, r.owner, risk_rating(r.rating, r.rag)]
        for r in risks
    ]
    rows = [[*row, r.review_on] for row, r in zip(rows, risks, strict=True)]
    header = ["Ref", *(["Level"] if with_level else []), "Risk or challenge", "Mitigation", "Owner", "Rating"]
    return text_table([*header, "Review by"], rows, widths)


def _risks(pack: Pack, styles: dict) -> Story:
    story: Story = [CondPageBreak(60 * mm), Heading("Risks and mitigations", styles["h1"], "risks", 0)]
    if not pack.risks:
        return [*story, Paragraph("No open risks.", styles["body"])]
    return [*story, risk_table(pack.risks)]


def _appendix(pack: Pack, styles: dict) -> list:
    story: list = [PageBreak(), Heading("Appendix: data-quality findings", styles["h1"], "appendix", 0)]
    for check in pack.appendix or []:
        story.append(Paragraph(markup(f"{check['title']} ({len(check['findings'])})"), styles["h3"]))
        if check["not_run"]:
            story.append(Paragraph(markup(check["not_run"]), styles["body"]))
            continue
        if not check["findings"]:
            story.append(Paragraph("Nothing found.", styles["body"]))
            continue
        story.append(Paragraph(markup(check["what_to_do"]), styles["small"]))
        rows = [
            [f"{_kind(f['kind'])} {f['ref']}", f["title"], f["lead"] or "", f["problem"]] for f in check["findings"]
        ]
        story.append(text_table(["Item", "Title", "Lead", "Problem"], rows, [22 * mm, 60 * mm, 30 * mm, 62 * mm]))
    return story


def render_pdf(pack: Pack) -> bytes:
    """Return the pack as PDF bytes, the same bytes for the same pack."""
    register_fonts()
    styles = paragraph_styles()
    story = _cover(pack, styles) + _summary(pack, styles) + _movement(pack, styles) + _exceptions(pack, styles)
    for ws in pack.workstreams:
        story += _workstream(ws, styles)
    story += _kpis(pack, styles) + _risks(pack, styles)
    if pack.appendix is not None:
        story += _appendix(pack, styles)
    header = f"{pack.programme} · {pack.board_name}" + (f" · {pack.meeting}" if pack.meeting else " · live position")
    return render(
        story, title=pack.title, author=pack.produced_by, subject=f"{pack.programme}: {pack.source_line}", header=header
    )

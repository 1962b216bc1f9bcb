"""The project highlight report as a PDF: one A4 page a project lead takes to their own meeting.

Status, progress, next steps, the actions, the project's open risks and its linked KPIs (each with a
small trend chart), in the board pack's house style (``style.py``). A project with many actions
lists every open one and counts the finished ones, so a normal project fits one page; a project
with more open actions than a page holds runs on to a second page rather than leaving any out.
"""

from __future__ import annotations

from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph, Spacer  # type: ignore[import-untyped]

from tracker.pack.content import ProjectReport
from tracker.pack.pdf import action_table, kpi_table, risk_table
from tracker.pack.style import (
    Heading,
    Story,
    markup,
    paragraph_styles,
    register_fonts,
    render,
    status_cell,
    table,
)

# The page is 174 mm wide between the margins.
RISK_WIDTHS = [10 * mm, 52 * mm, 52 * mm, 22 * mm, 16 * mm, 22 * mm]
ACTION_WIDTHS = [13 * mm, 80 * mm, 30 * mm, 31 * mm, 20 * mm]
KPI_WIDTHS = [46 * mm, 17 * mm, 20 * mm, 24 * mm, 18 * mm, 19 * mm, 30 * mm]


def _facts(report: ProjectReport) -> list:
    p = report.project
    rows = [
        [
            p.lead or "No lead",
            p.target_date or "None set",
            status_cell(p.status, p.overdue),
            report.action_counts,
        ]
    ]
    return [table(["Lead", "Target date", "Status", "Actions"], rows, [40 * mm, 30 * mm, 30 * mm, 74 * mm])]


def _text_block(title: str, text: str, empty: str, styles: dict) -> Story:
    return [Paragraph(markup(title), styles["h3"]), Paragraph(markup(text or empty), styles["body"])]


def _actions(report: ProjectReport, styles: dict) -> Story:
    story: Story = [Heading("Actions", styles["h3"], "actions", 0)]
    if report.actions:
        story.append(action_table(report.actions, ACTION_WIDTHS))
    elif not report.finished_not_listed:
        story.append(Paragraph("This project has no actions.", styles["body"]))
    if report.finished_not_listed:
        n = report.finished_not_listed
        line = (
            f"Listed: the {len(report.actions)} open actions, Red and overdue first. Not listed: "
            f"{n} finished (Green or Blue) action{'s' if n != 1 else ''}, which the project page shows."
        )
        story += [Spacer(1, 3), Paragraph(markup(line), styles["small"])]
    return story


def _risks(report: ProjectReport, styles: dict) -> Story:
    story: Story = [Heading("Risks and mitigations", styles["h3"], "risks", 0)]
    if not report.risks:
        return [*story, Paragraph("No open risks are recorded for this project.", styles["body"])]
    # The pack's level column would name this project on every row, so it is left out.
    return [*story, risk_table(report.risks, RISK_WIDTHS, with_level=False)]


def _kpis(report: ProjectReport, styles: dict) -> Story:
    story: Story = [Heading("Linked KPIs", styles["h3"], "kpis", 0)]
    if not report.kpis:
        return [*story, Paragraph("No KPIs are linked to this project.", styles["body"])]
    return [*story, kpi_table(report.kpis, styles, KPI_WIDTHS)]


def render_project_report(report: ProjectReport) -> bytes:
    """Return the report as PDF bytes, the same bytes for the same report: on one page in the house
    style if it fits, else in smaller text and spacing, which usually does (a project with very many
    open actions or long texts runs on to a second page rather than lose any of them)."""
    register_fonts()
    pages: list[int] = []
    data = _render(report, _headings_kept_with_text(paragraph_styles()), pages)
    if pages[-1] > 1:
        data = _render(report, _compact(_headings_kept_with_text(paragraph_styles())), pages)
    return data


def _headings_kept_with_text(styles: dict) -> dict:
    """A section heading never ends a page: it moves with what follows it."""
    styles["h3"].keepWithNext = 1
    return styles


def _compact(styles: dict) -> dict:
    """The house styles a size smaller, with less space around headings."""
    for name, size, leading, before, after in (
        ("h1", 15, 19, 0, 4),
        ("h3", 9.5, 12, 4, 2),
        ("body", 8.5, 10.5, 0, 2),
        ("small", 7.5, 9, 0, 0),
    ):
        style = styles[name]
        style.fontSize, style.leading, style.spaceBefore, style.spaceAfter = size, leading, before, after
    return styles


def _render(report: ProjectReport, styles: dict, pages: list[int]) -> bytes:
    p = report.project
    story: Story = [
        Paragraph(markup(f"{report.programme} · {report.workstream}"), styles["small"]),
        Heading(f"Project {p.ref}: {p.title}", styles["h1"], "project", 0),
        Paragraph(
            markup(
                f"Highlight report: the live position on {report.position_as_at}"
                + (f"; the next {report.board_name} meets on {report.next_board}." if report.next_board else ".")
            ),
            styles["body"],
        ),
    ]
    if report.reported_separately_by:
        line = f"This project is led by the {report.reported_separately_by} and reported to its board, not this one."
        story.append(Paragraph(markup(line), styles["body"]))
    story += _facts(report)
    if p.deliverables or p.impact:
        rows = [[p.deliverables or "None recorded", p.impact or "None recorded"]]
        story += [Spacer(1, 4), table(["Deliverables", "Impact"], rows, [87 * mm, 87 * mm])]
    story += _text_block("Progress", p.progress, "No progress has been reported.", styles)
    story += _text_block("Next steps", p.next_steps, "No next steps have been given.", styles)
    story += _actions(report, styles) + _risks(report, styles) + _kpis(report, styles)
    return render(
        story,
        title=report.title,
        author="The improvement tracker",
        subject=f"{report.programme}: {report.workstream}",
        header=f"{report.programme} · Project {p.ref}: highlight report",
        top=14 * mm,
        pages=pages,
    )

"""What each export holds, column by column: the same headings the plan importer reads.

The workstreams, projects and actions sheets use the headings the plan importer reads
(``tracker.imports.rows.COLUMNS``: ``Ref, Workstream, Part of, Description``; ``Workstream, Ref,
Project, ...``; ``Project Ref, Ref, Action, ...``), so an exported workbook can be imported into an
empty programme and exported again unchanged. "Reported separately by" is exported for readers; the
importer does not read it (yet). The KPI sheet is ``kpis.export``'s scorecard, field for field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.exports import queries
from tracker.kpis import queries as kpi_queries
from tracker.kpis.export import EXPORT_FIELDS, export_record
from tracker.kpis.queries import KpiRow
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.queries import ActionRow
from tracker.programme.status import Status
from tracker.spreadsheets.writing import Column, Sheet

WORKSTREAM_COLUMNS = (
    Column("Ref", 8),
    Column("Workstream", 50, "text"),
    Column("Part of", 10),
    Column("Description", 60, "text"),
    Column("Reported separately by", 30, "text"),
)

PROJECT_COLUMNS = (
    Column("Workstream", 12),
    Column("Ref", 8),
    Column("Project", 50, "text"),
    Column("Project Lead", 28, "text"),
    Column("Deliverables include", 50, "text"),
    Column("Impact/benefits", 50, "text"),
    Column("Overall Target Date", 14, "date"),
    Column("Contributes to", 20, "text"),
    Column("Status", 10, "status"),
    Column("Progress", 60, "text"),
)

ACTION_COLUMNS = (
    Column("Project Ref", 10),
    Column("Ref", 10),
    Column("Action", 60, "text"),
    Column("Lead", 28, "text"),
    Column("Start date", 14, "date"),
    Column("Deadline", 14, "date"),
    Column("Status", 10, "status"),
    Column("Progress", 60, "text"),
)

# The action list's download: what the list shows, a row per action, in the list's order.
ACTION_LIST_COLUMNS = (
    Column("Ref", 10),
    Column("Action", 60, "text"),
    Column("Project Ref", 10),
    Column("Lead", 28, "text"),
    Column("Start date", 14, "date"),
    Column("Deadline", 14, "date"),
    Column("Status", 10, "status"),
)

_KPI_WIDTHS = {"title": 50, "latest_period_label": 16, "latest_value_shown": 14}
KPI_COLUMNS = tuple(
    Column(name, _KPI_WIDTHS.get(name, 12), "text" if name == "title" else "plain") for name in EXPORT_FIELDS
)


def workstream_sheet(workstreams: Iterable[Workstream]) -> Sheet:
    rows = [
        (ws.ref, ws.title, ws.parent.ref if ws.parent else None, ws.description or None, ws.reported_separately_by)
        for ws in workstreams
    ]
    return Sheet("Workstreams", WORKSTREAM_COLUMNS, rows)


def _project_row(project: Project) -> tuple[Any, ...]:
    return (
        project.workstream.ref,
        project.ref,
        project.title,
        project.lead.name if project.lead else None,
        "\n".join(project.deliverable_list) or None,
        project.impact or None,
        project.target_date,
        ", ".join(ambition.label for ambition in project.ambitions) or None,
        project.status,
        project.progress or None,
    )


def project_sheet(projects: Iterable[Project]) -> Sheet:
    return Sheet("Projects", PROJECT_COLUMNS, [_project_row(project) for project in projects])


def _action_row(action: Action) -> tuple[Any, ...]:
    return (
        action.project.ref,
        action.ref,
        action.title,
        action.lead.name if action.lead else None,
        action.start_date,
        action.deadline,
        action.status,
        action.progress_note or None,
    )


def action_sheet(actions: Iterable[Action]) -> Sheet:
    return Sheet("Actions", ACTION_COLUMNS, [_action_row(action) for action in actions])


def action_list_sheet(rows: Iterable[ActionRow]) -> Sheet:
    return Sheet(
        "Actions",
        ACTION_LIST_COLUMNS,
        [(r.ref, r.title, r.project_ref, r.lead_name, r.start_date, r.deadline, r.status) for r in rows],
    )


def kpi_sheet(rows: Iterable[KpiRow]) -> Sheet:
    """The KPI scorecard as ``flask export kpis`` writes it: the same fields, a status cell worded and coloured."""
    return Sheet("KPIs", KPI_COLUMNS, [_kpi_cells(export_record(row), row) for row in rows])


def _kpi_cells(record: dict[str, Any], row: KpiRow) -> list[Any]:
    # A KPI's Red/Amber/Green is drawn in the programme's status colours, worded, like every status cell.
    rating = Status(row.status.value) if row.status is not None else None
    return [rating if name == "status" else record[name] for name in EXPORT_FIELDS]


def programme_sheets(programme: Programme) -> list[Sheet]:
    """Return the whole programme's sheets, level by level: five statements whatever its size."""
    data = queries.programme_data(programme)
    return [
        workstream_sheet(data.workstreams),
        project_sheet(data.projects),
        action_sheet(data.actions),
        kpi_sheet(kpi_queries.scorecard(programme)),
    ]

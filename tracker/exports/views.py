"""Downloads of a programme for everyone who may read it: the whole plan, the filtered action list, the KPIs.

The whole programme is one workbook (a sheet per level: workstreams, projects, actions, KPIs) or a zip
of one CSV per level (``programme-csv.zip``: workstreams.csv, projects.csv, actions.csv, kpis.csv).
The action list downloads take the list page's own query string, so they hold exactly what the list
shows, every page of it. No download is ever cached on the way (``Cache-Control: no-store``): it is
the position now, and it may hold people's names.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from tracker.core.clock import today
from tracker.exports import queries, sheets
from tracker.exports.filters import action_filters
from tracker.kpis import queries as kpi_queries
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.models import Programme
from tracker.spreadsheets.writing import (
    CSV_MIMETYPE,
    XLSX_MIMETYPE,
    ZIP_MIMETYPE,
    Sheet,
    csv_bytes,
    download_name,
    workbook_bytes,
    zip_bytes,
)

bp = Blueprint("exports", __name__, url_prefix=PREFIX + "/export")

PUBLIC_DOWNLOADS = ("exports.actions_xlsx", "exports.actions_csv")


def download(body: bytes, mimetype: str, file_name: str) -> Response:
    """Send a file to save, never stored by a browser or proxy on the way."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _name(programme: Programme, what: str, extension: str) -> str:
    return download_name(programme.short_name, what, today().isoformat(), extension=extension)


@bp.get("/programme.xlsx")
def programme_xlsx() -> Response:
    """Download the whole programme as a workbook, a sheet per level."""
    programme = current_programme()
    body = workbook_bytes(sheets.programme_sheets(programme))
    return download(body, XLSX_MIMETYPE, _name(programme, "programme", "xlsx"))


@bp.get("/programme-csv.zip")
def programme_csv_zip() -> Response:
    """Download the whole programme as a zip of one CSV file per level."""
    programme = current_programme()
    files = [(f"{sheet.title.lower()}.csv", csv_bytes(sheet)) for sheet in sheets.programme_sheets(programme)]
    return download(zip_bytes(files), ZIP_MIMETYPE, _name(programme, "programme-csv", "zip"))


def _action_list() -> tuple[Programme, Sheet]:
    programme = current_programme()
    day = today()
    rows = queries.every_filtered_action(programme, action_filters(programme, day, request.args), day)
    return programme, sheets.action_list_sheet(rows)


@bp.get("/actions.xlsx")
def actions_xlsx() -> Response:
    """Download every action the action list's filters (in the query string) match, as a workbook."""
    programme, sheet = _action_list()
    return download(workbook_bytes([sheet]), XLSX_MIMETYPE, _name(programme, "actions", "xlsx"))


@bp.get("/actions.csv")
def actions_csv() -> Response:
    """Download every action the action list's filters match, as CSV."""
    programme, sheet = _action_list()
    return download(csv_bytes(sheet), CSV_MIMETYPE, _name(programme, "actions", "csv"))


@bp.get("/kpis.xlsx")
def kpis_xlsx() -> Response:
    """Download the KPI scorecard as a workbook: the fields of `flask export kpis`."""
    programme = current_programme()
    body = workbook_bytes([sheets.kpi_sheet(kpi_queries.scorecard(programme))])
    return download(body, XLSX_MIMETYPE, _name(programme, "kpis", "xlsx"))

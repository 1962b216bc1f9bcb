"""Writing workbooks and CSV: the one place that decides how a download looks and stays safe to open.

Every export and update return describes its sheets as ``Sheet``s of ``Column``s and hands them here:

- a status is written as its word (Blue, Green, ...) on its own colour (``Status.chart_fill``), so
  the rating never depends on colour alone;
- dates are real date cells shown dd/mm/yyyy, so Excel sorts and filters them as dates;
- the header row is frozen, filters are on, columns have widths;
- text that a spreadsheet would run as a formula (it begins with ``= + - @``, a tab or a carriage
  return) is neutralised: in a workbook it stays a text cell marked "quote prefix" (the value is
  unchanged, so what is exported is what comes back in); in CSV, which has no cell types, it gets a
  leading apostrophe, as OWASP advises for CSV injection.

Workbooks are written in openpyxl's write-only mode: memory stays flat however many rows there are.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from tracker.programme.status import Status

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"
ZIP_MIMETYPE = "application/zip"

UK_DATE_FORMAT = "dd/mm/yyyy"
# Characters that make Excel, LibreOffice or Sheets read a typed value as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses a sheet name longer than 31 characters.
MAX_SHEET_TITLE = 31

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFF3F2F1")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class Column:
    """One column: its heading, its width in characters, and what its cells hold.

    kind: "text" (wrapped), "date" (a date cell), "status" (a Status, worded and coloured),
    "number", or "plain" (text, unwrapped). A hidden column still travels in the file
    (an update return's version column); an editable one stays unlocked on a protected sheet.
    """

    heading: str
    width: int = 18
    kind: str = "plain"
    hidden: bool = False
    editable: bool = False
    choices: tuple[str, ...] = ()  # offered as a drop-down in the workbook (a new status)


@dataclass
class Sheet:
    """A sheet of rows under one header row; rows hold plain values (str, date, Status, numbers, None)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    protected: bool = False  # lock every cell but the editable columns (an update return)
    notes: list[str] = field(default_factory=list)  # guidance, written to an "About <title>" sheet after it

    @property
    def headings(self) -> list[str]:
        return [column.heading for column in self.columns]


def neutralise_text(value: str) -> str:
    """Return CSV text that no spreadsheet will run as a formula (a leading apostrophe when it could)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _could_run(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_value(value: Any) -> str:
    """Return a value as CSV text: dates dd/mm/yyyy, a status as its word, nothing as blank."""
    if value is None:
        return ""
    if isinstance(value, Status):
        return value.label
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return neutralise_text(str(value))


def csv_text(sheet: Sheet) -> str:
    """Return the sheet as CSV text with its header row, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise_text(heading) for heading in sheet.headings])
    for row in sheet.rows:
        writer.writerow([csv_value(value) for value in row])
    return buffer.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """Return the sheet as UTF-8 CSV with a byte-order mark, so Excel reads accented names correctly."""
    return csv_text(sheet).encode("utf-8-sig")


def _argb(css_colour: str) -> str:
    return "FF" + css_colour.lstrip("#").upper()  # opaque: some readers take a 00 alpha as transparent


class _Styles:
    """The workbook's named styles, made once each and shared by every cell that looks the same.

    Setting a cell's font, fill and alignment one by one costs openpyxl a hash of each per cell
    (about a quarter of a millisecond); one named style per look keeps a 15,000-row export quick.
    """

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.made: set[str] = set()
        self.names: dict[tuple[Column, object, bool], str] = {}

    def name(self, column: Column, value: Any, protected: bool) -> str:
        """Return the named style of a cell: by its column, and by its status or a date-time value."""
        look = value if isinstance(value, Status) else isinstance(value, datetime)
        key = (column, look, protected)
        name = self.names.get(key)
        if name is None:
            parts = [value.label if isinstance(value, Status) else column.kind]
            if isinstance(value, datetime):
                parts.append("time")
            if protected and column.editable:
                parts.append("to fill in")
            name = self.names[key] = " ".join(parts).capitalize()
            if name not in self.made:
                self.workbook.add_named_style(_named_style(name, column, value, protected))
                self.made.add(name)
        return name

    def header(self) -> str:
        if "Heading" not in self.made:
            style = NamedStyle("Heading", font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_WRAP)
            self.workbook.add_named_style(style)
            self.made.add("Heading")
        return "Heading"


def _named_style(name: str, column: Column, value: Any, protected: bool) -> NamedStyle:
    style = NamedStyle(name, alignment=_WRAP if column.kind == "text" else _TOP)
    if isinstance(value, Status):
        style.fill = PatternFill("solid", fgColor=_argb(value.chart_fill))
        style.font = Font(color=_argb(value.chart_text), bold=True)
    if isinstance(value, datetime):
        style.number_format = UK_DATE_FORMAT + " hh:mm"
    elif column.kind == "date":
        style.number_format = UK_DATE_FORMAT  # a blank date cell still takes a date typed into it as a date
    if protected and column.editable:
        style.protection = _UNLOCKED
    return style


def _cell(ws: Worksheet, styles: _Styles, column: Column, value: Any, protected: bool) -> WriteOnlyCell:
    if isinstance(value, Status):
        cell = WriteOnlyCell(ws, value=value.label)
    elif isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value.replace(tzinfo=None))
    else:
        cell = WriteOnlyCell(ws, value=value)
    cell.style = styles.name(column, value, protected)
    if isinstance(value, date) and not isinstance(value, datetime) and column.kind != "date":
        cell.number_format = UK_DATE_FORMAT
    if _could_run(value):
        # openpyxl would store "=..." as a formula: keep it a text cell, marked as typed text.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _header_cell(ws: Worksheet, styles: _Styles, heading: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=heading)
    cell.style = styles.header()
    if _could_run(heading):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _write_sheet(workbook: Workbook, styles: _Styles, sheet: Sheet) -> None:
    ws = workbook.create_sheet(sheet.title[:MAX_SHEET_TITLE])
    last_column = get_column_letter(max(len(sheet.columns), 1))
    for index, column in enumerate(sheet.columns, start=1):
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        dimension.hidden = column.hidden
    ws.freeze_panes = "A2"
    ws.append([_header_cell(ws, styles, heading) for heading in sheet.headings])
    count = 0
    for row in sheet.rows:
        cells = zip(sheet.columns, row, strict=True)
        ws.append([_cell(ws, styles, column, value, sheet.protected) for column, value in cells])
        count += 1
    ws.auto_filter.ref = f"A1:{last_column}{count + 1}"
    for index, column in enumerate(sheet.columns, start=1):
        if column.choices and count:
            letter = get_column_letter(index)
            choice = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not a choice",
                error="Choose one of: " + ", ".join(column.choices),
            )
            choice.add(f"{letter}2:{letter}{count + 1}")
            ws.data_validations.append(choice)
    if sheet.protected:
        # Guidance, not security: the upload checks every value and version again.
        ws.protection.sheet = True
        ws.protection.autoFilter = False
        ws.protection.sort = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
    if sheet.notes:
        about = workbook.create_sheet(f"About {sheet.title}"[:MAX_SHEET_TITLE])
        about.column_dimensions["A"].width = 100
        for line in sheet.notes:
            about.append([WriteOnlyCell(about, value=neutralise_text(line))])


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Return an .xlsx workbook holding the sheets in order."""
    workbook = Workbook(write_only=True)
    styles = _Styles(workbook)
    for sheet in sheets:
        _write_sheet(workbook, styles, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: Iterable[tuple[str, bytes]]) -> bytes:
    """Return a zip archive of (file name, content) pairs; names are ours, never a user's upload."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def download_name(*parts: str, extension: str) -> str:
    """Return a file name made of safe characters only (letters, digits, hyphens) and the extension."""
    words = "-".join(part for part in parts if part)
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in words.lower())
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"{safe.strip('-') or 'export'}.{extension}"

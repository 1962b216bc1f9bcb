"""Read an uploaded .xlsx or .csv safely, and the cells in it as councils write them.

The whole API:

- ``read_upload(data, file_name, limits=Limits()) -> Workbook``: check the file before parsing it
  (size, extension AND content, macros, zip bomb, sheet size), then read every sheet's rows. A file
  that cannot be read at all raises ``UnreadableFile`` carrying every reason found. Formulas come
  back as the value Excel last saved for them (openpyxl ``data_only=True``); nothing is evaluated.
  XML is parsed through defusedxml (openpyxl uses it when it is installed; ``read_upload`` refuses
  workbooks if it is not). The file name is only looked at for its extension, never used as a path.
- ``Problem(sheet, row, column, reason)``: one thing wrong, as a person fixes it in their spreadsheet
  (row 1 is the spreadsheet's first row). Callers collect them all and show them at once.
- ``normalise_header(text)``: a header as it is compared — lower case, "&" read as "and",
  punctuation and spacing made single spaces ("Impact/benefits" and " IMPACT  benefits" match).
- ``Column`` and ``match_header(header, columns, chosen)``: which spreadsheet column holds each
  field, by name or alias, or as the person chose in the column-mapping step.
- ``find_header(sheet, columns)``: the header row (plans often have a title row or two above it).
- ``parse_uk_date(value)``: 31/03/23, 31/03/2023, 31-03-2023, 31 March 2023, 31st Mar 2023,
  31-Mar-23, 2023-03-31 and Excel date cells; raises ValueError with a message to show.
- ``parse_status(value)``: a status by word or initial (``Status.from_word``); raises ValueError.
- ``cell_text(value)``: a cell as text ("12" not "12.0"; dates as 31/03/2023).
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath, PureWindowsPath

from tracker.programme.status import Status

CellValue = str | int | float | bool | date | datetime | time | timedelta | None

XLSX, CSV = "xlsx", "csv"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected workbooks


@dataclass(frozen=True)
class Limits:
    """What an upload may be. The defaults fit a whole council plan many times over."""

    max_bytes: int = 5 * 1024 * 1024
    max_unpacked_bytes: int = 60 * 1024 * 1024
    max_sheet_bytes: int = 40 * 1024 * 1024
    max_ratio: int = 100  # uncompressed / compressed, for any part over 1 MB
    max_parts: int = 500
    max_rows: int = 20_000
    max_columns: int = 60


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a file or row was refused, located as the person will find it in their spreadsheet."""

    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [part for part in (self.sheet and f"Sheet {self.sheet}", self.row and f"row {self.row}") if part]
        if self.column:
            where.append(f"column {self.column}")
        return (", ".join(where) + ": " if where else "") + self.reason


class UnreadableFile(Exception):
    """The file could not be read at all; ``problems`` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet numbers it: 1 is the first row
    cells: tuple[CellValue, ...]

    def get(self, index: int | None) -> CellValue:
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]


@dataclass
class Sheet:
    """A sheet's non-blank rows, in order. A CSV file is one sheet named "CSV"."""

    name: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Workbook:
    kind: str  # XLSX or CSV
    sheets: list[Sheet]

    def sheet_named(self, *names: str) -> Sheet | None:
        """Return the first sheet whose name matches one of names, forgiving case and spacing."""
        wanted = {normalise_header(name) for name in names}
        return next((sheet for sheet in self.sheets if normalise_header(sheet.name) in wanted), None)


# --- the file -----------------------------------------------------------------------------------


def file_kind(file_name: str) -> str | None:
    """Return XLSX or CSV by the name's extension, or None; the name is never used as a path."""
    suffix = PurePosixPath(PureWindowsPath(file_name or "").name).suffix.lower()
    return {".xlsx": XLSX, ".csv": CSV}.get(suffix)


def _refuse(reason: str) -> UnreadableFile:
    return UnreadableFile([Problem("", None, None, reason)])


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_upload(data: bytes, file_name: str, limits: Limits | None = None) -> Workbook:
    """Check an uploaded file before parsing it, then return its sheets; raise UnreadableFile if it is refused."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise _refuse(
            f"The file is {_megabytes(len(data))}; the largest file you can upload is {_megabytes(limits.max_bytes)}"
        )
    if not data:
        raise _refuse("The file is empty")
    kind = file_kind(file_name)
    suffix = PurePosixPath(PureWindowsPath(file_name or "").name).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise _refuse("Macro-enabled workbooks are not accepted: save the workbook as an Excel Workbook (.xlsx)")
    if suffix in (".xls", ".xlsb", ".ods", ".numbers"):
        raise _refuse(
            f"{suffix} files are not accepted: save the file as an Excel Workbook (.xlsx) or CSV UTF-8 (.csv)"
        )
    if kind is None:
        raise _refuse("The file must be an Excel Workbook (.xlsx) or a CSV file (.csv)")
    if kind == XLSX:
        return Workbook(XLSX, _read_xlsx(data, limits))
    return Workbook(CSV, [_read_csv(data, limits)])


def _check_zip(data: bytes, limits: Limits) -> None:
    """Refuse anything but a plain workbook before openpyxl unpacks a byte of it."""
    if data.startswith(_OLE_MAGIC):
        raise _refuse(
            "The file is not an .xlsx workbook (it may be an old .xls file, or protected with a password): "
            "save it as an Excel Workbook (.xlsx) without a password"
        )
    if not data.startswith(_ZIP_MAGIC):
        raise _refuse("The file is named .xlsx but is not an Excel workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("The file is named .xlsx but is damaged or not an Excel workbook") from None
    names = {part.filename for part in parts}
    if len(parts) > limits.max_parts:
        raise _refuse(f"The workbook has {len(parts)} parts; a workbook may have at most {limits.max_parts}")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse("The workbook contains macros: save it as an Excel Workbook (.xlsx) without macros")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _refuse("The file is named .xlsx but is not an Excel workbook")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes or any(
        part.file_size > 1024 * 1024 and part.file_size > limits.max_ratio * max(part.compress_size, 1)
        for part in parts
    ):
        raise _refuse("The workbook unpacks to far more data than a plan holds, so it was not opened")
    for part in parts:
        if part.filename.startswith("xl/worksheets/") and part.file_size > limits.max_sheet_bytes:
            raise _refuse(
                f"A sheet in the workbook holds {_megabytes(part.file_size)} of data; split the plan into smaller files"
            )


def _read_xlsx(data: bytes, limits: Limits) -> list[Sheet]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.xml import DEFUSEDXML  # type: ignore[import-untyped]

    if not DEFUSEDXML:  # without it openpyxl parses XML with the standard library: entities unguarded
        raise _refuse("Workbooks cannot be read on this server (defusedxml is missing); upload a CSV file")
    _check_zip(data, limits)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it skips (data validation, conditional formats);
            # they change no cell value.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                # One column past the limit is enough to know a sheet is too wide, whatever its dimension claims.
                width = limits.max_columns + 1
                return [
                    _read_worksheet(sheet.title, sheet.iter_rows(max_col=width, values_only=True), limits)
                    for sheet in book.worksheets
                ]
            finally:
                book.close()
    except UnreadableFile:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, XML errors, defusedxml's refusals) for a bad file
        raise _refuse("The workbook is damaged or not an Excel workbook, so it could not be read") from None


def _read_worksheet(name: str, rows: Iterable[Sequence[CellValue]], limits: Limits) -> Sheet:
    sheet = Sheet(name)
    for number, values in enumerate(rows, start=1):
        if number > limits.max_rows + 20:  # a few title rows above the header are fine
            raise _refuse(
                f"Sheet {name} has more than {limits.max_rows:,} rows; import at most {limits.max_rows:,} at a time"
            )
        cells = list(values)
        while cells and _blank(cells[-1]):
            cells.pop()
        if not cells:
            continue
        if len(cells) > limits.max_columns:
            raise _refuse(f"Sheet {name} has more than {limits.max_columns} columns; a plan has about ten")
        sheet.rows.append(Row(number, tuple(cells)))
    return sheet


def _read_csv(data: bytes, limits: Limits) -> Sheet:
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise _refuse("The file is named .csv but is a workbook: save it as CSV UTF-8 (.csv), or upload it as .xlsx")
    if b"\x00" in data:
        raise _refuse("The file is named .csv but is not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV (Comma delimited)" on Windows writes this code page.
        text = data.decode("cp1252", errors="replace")
    try:
        records = csv.reader(io.StringIO(text, newline=""))
        return _read_worksheet(
            "CSV", ([cell if cell.strip() else None for cell in record] for record in records), limits
        )
    except csv.Error as error:
        raise _refuse(f"The file is not valid CSV ({error})") from None


def _blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- headers ------------------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise_header(text: object) -> str:
    """Return a header as it is compared: lower case, "&" as "and", punctuation and spacing as single spaces."""
    words = _NOT_WORD.sub(" ", str(text or "").lower().replace("&", " and ")).split()
    return " ".join(words)


@dataclass(frozen=True)
class Column:
    """A field the importer reads, the header it is known by and other names people give it."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def names(self) -> set[str]:
        return {normalise_header(name) for name in (self.label, *self.aliases)}


@dataclass
class HeaderMatch:
    """Which column index holds each field; what is missing; which headers went unused."""

    indexes: dict[str, int]
    missing: list[Column]
    unused: list[str]

    @property
    def complete(self) -> bool:
        return not any(column.required for column in self.missing)


def match_header(header: Row, columns: Sequence[Column], chosen: dict[str, str] | None = None) -> HeaderMatch:
    """Match header cells to columns by name or alias; ``chosen`` maps a field key to the header a person picked."""
    names = [normalise_header(cell) for cell in header.cells]
    indexes: dict[str, int] = {}
    for column in columns:
        wanted = {normalise_header((chosen or {}).get(column.key, ""))} - {""} or column.names()
        index = next((i for i, name in enumerate(names) if name in wanted and i not in indexes.values()), None)
        if index is not None:
            indexes[column.key] = index
    # Then headers with a remark after a known name of two words or more: "Project Lead (in partnership
    # with SEND partners)". One-word names ("Project") are too short to be read this way.
    for column in columns:
        if column.key in indexes or (chosen or {}).get(column.key):
            continue
        prefixes = [name + " " for name in column.names() if " " in name]
        index = next(
            (
                i
                for i, name in enumerate(names)
                if i not in indexes.values() and any(name.startswith(prefix) for prefix in prefixes)
            ),
            None,
        )
        if index is not None:
            indexes[column.key] = index
    missing = [column for column in columns if column.key not in indexes]
    unused = [str(header.cells[i]).strip() for i in range(len(names)) if names[i] and i not in indexes.values()]
    return HeaderMatch(indexes, missing, unused)


def find_header(sheet: Sheet, columns: Sequence[Column], search: int = 10) -> Row | None:
    """Return the row among the first few that names the most of columns (a title row may sit above it)."""
    best: tuple[int, Row | None] = (0, None)
    for row in sheet.rows[:search]:
        found = len(match_header(row, columns).indexes)
        if found > best[0]:
            best = (found, row)
    return best[1]


# --- cells --------------------------------------------------------------------------------------

_MONTHS = {
    **{name.lower(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}
_EXCEL_FIRST, _EXCEL_LAST = 32874, 73050  # Excel serials for 1990-01-01 and 2099-12-31
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ \-]([a-z]+)\.?,?[ \-](\d{4}|\d{2})")
_MONTH_DAY = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})")
DATE_EXAMPLE = "31/03/2024 or 31 March 2024"


def parse_uk_date(value: CellValue) -> date | None:
    """Return the date a cell holds (blank is None); raise ValueError, worded for the person, if it holds none."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _EXCEL_FIRST <= value <= _EXCEL_LAST:  # a date cell that lost its date format
            return date(1899, 12, 30) + timedelta(days=int(value))
        raise ValueError(f"{cell_text(value)} is a number, not a date: enter a date such as {DATE_EXAMPLE}")
    if not isinstance(value, str):
        raise ValueError(f"Enter a date such as {DATE_EXAMPLE}")
    text = " ".join(value.lower().split())
    parts = _date_parts(text)
    if parts is None:
        raise ValueError(f"'{_shown(value)}' is not a date: enter a date such as {DATE_EXAMPLE}")
    year, month, day = parts
    try:
        return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        raise ValueError(f"'{_shown(value)}' is not a real date") from None


def _date_parts(text: str) -> tuple[int, int, int] | None:
    """Return (year, month, day) as written, or None; months by name go through _MONTHS."""
    if match := _ISO.fullmatch(text):
        return int(match[1]), int(match[2]), int(match[3])
    if match := _NUMERIC.fullmatch(text):
        return int(match[3]), int(match[2]), int(match[1])
    if (match := _DAY_MONTH.fullmatch(text)) and match[2] in _MONTHS:
        return int(match[3]), _MONTHS[match[2]], int(match[1])
    if (match := _MONTH_DAY.fullmatch(text)) and match[1] in _MONTHS:
        return int(match[3]), _MONTHS[match[1]], int(match[2])
    return None


def parse_status(value: CellValue) -> Status | None:
    """Return the status a cell names by word or initial (blank is None); raise ValueError if it names none."""
    if _blank(value):
        return None
    status = Status.from_word(value if isinstance(value, str) else None)
    if status is None:
        raise ValueError(f"'{_shown(value)}' is not a status: use Blue, Green, Amber, Red or Grey (or B, G, A, R)")
    return status


def cell_text(value: CellValue) -> str:
    """Return a cell as text: whole numbers without ".0", dates as 31/03/2024, blank as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _shown(value: CellValue, limit: int = 40) -> str:
    """Return a cell cut short enough to quote in a message."""
    text = " ".join(cell_text(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

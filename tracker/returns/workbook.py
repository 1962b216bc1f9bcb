"""An update return workbook: written for one lead's items in a round, and read back when they upload it.

One sheet, "Update return", a row per item. The columns on the left say where the item stands (kind,
ref, title, current status, deadline, progress) and are locked; the hidden, locked Version column
holds the version the lead was shown, so an item changed meanwhile is caught as a conflict; the
columns on the right are blank for the lead to fill in. A row left blank on the right changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from tracker.programme.models import Action, Project
from tracker.programme.status import Status
from tracker.returns.queries import LeadReturn
from tracker.spreadsheets import reading, writing
from tracker.spreadsheets.reading import Problem

SHEET_TITLE = "Update return"
STATUS_WORDS = tuple(status.label for status in Status)

KIND, REF, TITLE, CURRENT, DUE, PROGRESS, VERSION = (
    "Item",
    "Ref",
    "Title",
    "Current status",
    "Deadline",
    "Progress",
    "Version",
)
NEW_STATUS, NOTE, COMPLETED, NEW_DEADLINE, REASON = (
    "New status",
    "Progress note",
    "Completion date",
    "New deadline",
    "Reason",
)

COLUMNS = (
    writing.Column(KIND, 9),
    writing.Column(REF, 9),
    writing.Column(TITLE, 45, "text"),
    writing.Column(CURRENT, 11, "status"),
    writing.Column(DUE, 13, "date"),
    writing.Column(PROGRESS, 45, "text"),
    writing.Column(VERSION, 8, hidden=True),
    writing.Column(NEW_STATUS, 12, editable=True, choices=STATUS_WORDS),
    writing.Column(NOTE, 45, "text", editable=True),
    writing.Column(COMPLETED, 14, "date", editable=True),
    writing.Column(NEW_DEADLINE, 14, "date", editable=True),
    writing.Column(REASON, 40, "text", editable=True),
)

NOTES = [
    "How to fill in this update return",
    "Fill in only the columns on the right: New status, Progress note, Completion date, New deadline and Reason.",
    "Leave a row blank on the right to leave that item as it is. A blank Progress note keeps the note it has.",
    "Dates as 31/03/2027. Statuses as Blue, Green, Amber, Red or Grey.",
    "The same rules as the update form: a Red status needs a Reason; Green or Blue needs the action's Completion "
    "date; a New deadline needs a Reason.",
    "Projects take a New status, a Progress note and a Reason; a target date is changed by the programme office.",
    "Do not change the Item, Ref or hidden Version columns: they tell the tracker which item a row is, and "
    "whether someone changed it after this workbook was made.",
    "Upload the workbook on the round's Update returns page. You will see every change before anything is saved.",
]

# The upload reads the columns by their headings, forgiving case and spacing.
_READ = (
    reading.Column("kind", KIND, ("kind", "type")),
    reading.Column("ref", REF, ("reference",)),
    reading.Column("version", VERSION),
    reading.Column("status", NEW_STATUS),
    reading.Column("note", NOTE, ("note", "new progress note"), required=False),
    reading.Column("completed_on", COMPLETED, ("completed on", "date completed"), required=False),
    reading.Column("deadline", NEW_DEADLINE, required=False),
    reading.Column("reason", REASON, required=False),
)
_HEADINGS = {column.key: column.label for column in _READ}


def _row(item: Project | Action) -> tuple[Any, ...]:
    if isinstance(item, Project):
        return ("Project", item.ref, item.title, item.status, item.target_date, item.progress or None, item.version)
    return ("Action", item.ref, item.title, item.status, item.deadline, item.progress_note or None, item.version)


def return_sheet(lead_return: LeadReturn) -> writing.Sheet:
    rows = [(*_row(item), None, None, None, None, None) for item in lead_return.items]
    return writing.Sheet(SHEET_TITLE, COLUMNS, rows, protected=True, notes=NOTES)


def return_workbook(lead_return: LeadReturn) -> bytes:
    """Return the lead's workbook for the round as .xlsx bytes."""
    return writing.workbook_bytes([return_sheet(lead_return)])


@dataclass(frozen=True)
class ReturnRow:
    """What one row of an uploaded return asks for; blank answers are None."""

    row: int
    kind: str  # "project" or "action"
    ref: str
    version: int
    status: Status | None
    note: str | None
    completed_on: date | None
    deadline: date | None
    reason: str | None

    @property
    def asks_for_nothing(self) -> bool:
        return not any((self.status, self.note, self.completed_on, self.deadline, self.reason))

    def as_data(self) -> dict[str, Any]:
        """Return the row as JSON-ready data (carried, signed, from the preview to the confirmation)."""
        data = asdict(self)
        data["status"] = self.status.value if self.status else None
        for name in ("completed_on", "deadline"):
            data[name] = data[name].isoformat() if data[name] else None
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ReturnRow:
        return cls(
            row=int(data["row"]),
            kind=str(data["kind"]),
            ref=str(data["ref"]),
            version=int(data["version"]),
            status=Status(data["status"]) if data["status"] else None,
            note=data["note"],
            completed_on=date.fromisoformat(data["completed_on"]) if data["completed_on"] else None,
            deadline=date.fromisoformat(data["deadline"]) if data["deadline"] else None,
            reason=data["reason"],
        )


def read_return(data: bytes, file_name: str) -> tuple[list[ReturnRow], list[Problem]]:
    """Return the rows an uploaded return asks for and every problem found in it (rows with a problem are left out)."""
    try:
        book = reading.read_upload(data, file_name)
    except reading.UnreadableFile as refused:
        return [], refused.problems
    if book.kind != reading.XLSX:
        return [], [Problem("", None, None, "Upload the update return workbook (.xlsx) you downloaded for this round")]
    sheet = book.sheet_named(SHEET_TITLE) or book.sheets[0]
    header = reading.find_header(sheet, _READ)
    match = reading.match_header(header, _READ) if header is not None else None
    if header is None or match is None or not match.complete:
        missing = [column.label for column in (match.missing if match else _READ) if column.required]
        reason = f"The columns {', '.join(missing)} are missing: upload the workbook downloaded for this round"
        return [], [Problem(sheet.name, header.number if header else None, None, reason)]
    rows: list[ReturnRow] = []
    problems: list[Problem] = []
    for row in sheet.rows:
        if row.number <= header.number:
            continue
        parsed, found = _read_row(sheet.name, row, match.indexes)
        problems += found
        if parsed is not None and not parsed.asks_for_nothing:
            rows.append(parsed)
    return rows, problems


def _read_row(sheet: str, row: reading.Row, indexes: dict[str, int]) -> tuple[ReturnRow | None, list[Problem]]:
    problems: list[Problem] = []

    def cell(key: str) -> reading.CellValue:
        return row.get(indexes.get(key))

    def problem(key: str, reason: str) -> None:
        problems.append(Problem(sheet, row.number, _HEADINGS[key], reason))

    def parsed(key: str, parse: Any) -> Any:
        try:
            return parse(cell(key))
        except ValueError as error:
            problem(key, str(error))
            return None

    kind = reading.cell_text(cell("kind")).lower()
    if kind not in ("project", "action"):
        problem("kind", "Must be Project or Action, as the downloaded workbook had it")
    ref = reading.cell_text(cell("ref"))
    if not ref:
        problem("ref", "The ref is blank: it says which item the row updates")
    version = _version(cell("version"))
    if version is None:
        problem("version", "The hidden version was changed or removed: download the workbook again")
    values = {
        "status": parsed("status", reading.parse_status),
        "completed_on": parsed("completed_on", reading.parse_uk_date),
        "deadline": parsed("deadline", reading.parse_uk_date),
        "note": reading.cell_text(cell("note")) or None,
        "reason": reading.cell_text(cell("reason")) or None,
    }
    if problems or version is None:
        return None, problems
    return ReturnRow(row=row.number, kind=kind, ref=ref, version=version, **values), problems


def _version(value: reading.CellValue) -> int | None:
    text = reading.cell_text(value)
    return int(text) if text.isdigit() else None

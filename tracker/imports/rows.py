"""Read a plan workbook's sheets into rows: which sheet is which, which column is which, each cell checked.

Pure reading: no database. A sheet is recognised by its header (its name only breaks a tie), so a
workbook's sheets may be called anything and come in any order; a CSV file is one sheet. A header
the forgiving match cannot place is left for the column-mapping step (``MappingNeed``). Every cell
that cannot be read becomes a ``Problem`` naming its sheet, row and column; all are collected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from tracker.core.refs import normalise_ref
from tracker.programme.status import Ambition, Status
from tracker.spreadsheets.reading import (
    CellValue,
    Column,
    HeaderMatch,
    Problem,
    Row,
    Sheet,
    Workbook,
    cell_text,
    find_header,
    match_header,
    normalise_header,
    parse_status,
    parse_uk_date,
)

WORKSTREAMS, PROJECTS, ACTIONS = "workstreams", "projects", "actions"

COLUMNS: dict[str, tuple[Column, ...]] = {
    WORKSTREAMS: (
        Column("ref", "Ref", ("workstream ref", "reference")),
        Column("title", "Workstream", ("title", "workstream title", "name")),
        Column("parent", "Part of", ("parent", "parent workstream", "parent ref"), required=False),
        Column("description", "Description", (), required=False),
        Column("reported_by", "Reported separately by", ("reported by", "reporting body"), required=False),
    ),
    PROJECTS: (
        Column("workstream", "Workstream", ("workstream ref", "theme")),
        Column("ref", "Ref", ("reference", "project no", "ref no")),
        Column("title", "Project", ("project title", "project name", "title")),
        Column("lead", "Project Lead", ("lead", "project owner", "owner", "lead officer"), required=False),
        Column("deliverables", "Deliverables include", ("deliverables", "key deliverables"), required=False),
        Column("impact", "Impact/benefits", ("impact", "benefits", "impact and benefits"), required=False),
        Column("target_date", "Overall Target Date", ("target date", "target", "due date", "completion date"), False),
        Column("contributes_to", "Contributes to", ("ambitions", "ambition", "corporate plan"), required=False),
        Column("status", "Status", ("rag", "rag status", "overall status"), required=False),
        Column("progress", "Progress", ("progress update", "latest progress"), required=False),
    ),
    ACTIONS: (
        Column("project_ref", "Project Ref", ("project", "project reference", "project no")),
        Column("ref", "Ref", ("action ref", "reference", "action reference", "action no")),
        Column("title", "Action", ("action title", "title", "action description")),
        Column("lead", "Lead", ("action lead", "owner", "lead officer"), required=False),
        Column("start_date", "Start date", ("start",), required=False),
        Column("deadline", "Deadline", ("due date", "target date", "due"), required=False),
        Column("status", "Status", ("rag", "rag status"), required=False),
        Column("progress", "Progress", ("progress note", "progress update", "latest progress"), required=False),
    ),
}
KIND_NAMES = {WORKSTREAMS: "workstreams", PROJECTS: "projects", ACTIONS: "actions"}
# A sheet called one of these is that kind when its header would fit more than one.
_SHEET_NAMES = {
    WORKSTREAMS: {"workstreams", "workstream"},
    PROJECTS: {"projects", "project", "project plan", "plan"},
    ACTIONS: {"actions", "action", "action plan"},
}
# "Workstream A: Implement a strong ...", "A - Strong directorate", "A"
_WORKSTREAM_CELL = re.compile(r"^(?:workstream\s+)?([A-Za-z0-9][A-Za-z0-9.\-]*)\s*(?:[:\-\u2013]\s*(.+))?$", re.I)


@dataclass
class MappingNeed:
    """A sheet whose header lacks a column the import needs: the person picks which of its headers holds it."""

    sheet: str
    kind: str
    header_row: int
    missing: list[Column]
    headers: list[str]


@dataclass
class WorkstreamRow:
    sheet: str
    row: int
    ref: str
    title: str
    parent_ref: str | None = None
    description: str | None = None
    reported_by: str | None = None  # None: the sheet has no such column (kept as it is)


@dataclass
class ProjectRow:
    sheet: str
    row: int
    ref: str
    title: str
    workstream_ref: str
    workstream_title: str | None
    lead: str | None = None
    deliverables: str | None = None
    impact: str | None = None
    target_date: date | None = None
    ambitions: list[Ambition] | None = None
    status: Status | None = None
    progress: str | None = None
    present: frozenset[str] = frozenset()  # the optional columns the sheet has: only these change an item


@dataclass
class ActionRow:
    sheet: str
    row: int
    ref: str
    title: str
    project_ref: str
    lead: str | None = None
    start_date: date | None = None
    deadline: date | None = None
    status: Status | None = None
    progress: str | None = None
    present: frozenset[str] = frozenset()


@dataclass
class PlanRows:
    """Everything read from the file: its rows by kind, what could not be read, what needs mapping."""

    workstreams: list[WorkstreamRow] = field(default_factory=list)
    projects: list[ProjectRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    mapping: list[MappingNeed] = field(default_factory=list)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> field key -> its header

    def column(self, sheet: str, key: str) -> str | None:
        """Return the header a field was read from on a sheet, to name it in a problem."""
        return self.headers.get(sheet, {}).get(key)


Mapping = dict[str, dict[str, str]]  # sheet name -> field key -> the header the person chose


def read_plan(workbook: Workbook, mapping: Mapping | None = None) -> PlanRows:
    """Return the plan's rows from every sheet that holds workstreams, projects or actions."""
    plan = PlanRows()
    found = [(sheet, _kind_of(sheet, (mapping or {}).get(sheet.name, {}))) for sheet in workbook.sheets]
    complete = {kind_match[0] for _sheet, kind_match in found if kind_match and kind_match[2].complete}
    for sheet, kind_match in found:
        if kind_match is not None and not kind_match[2].complete and kind_match[0] in complete:
            # A workbook holds one table of each kind: beside a complete one, a sheet that only looks a
            # little like it (a KPIs sheet with Ref and Title) is some other table, not one to map.
            kind_match = None
        _read_sheet(sheet, kind_match, plan)
    if not (plan.workstreams or plan.projects or plan.actions or plan.problems or plan.mapping):
        plan.problems.append(
            Problem(
                "",
                None,
                None,
                "No sheet has the columns of a plan. A projects sheet needs Workstream, Ref and Project; "
                "an actions sheet needs Project Ref, Ref and Action",
            )
        )
    return plan


def _kind_of(sheet: Sheet, chosen: dict[str, str]) -> tuple[str, Row, HeaderMatch] | None:
    """Return the kind of table the sheet holds, its header row and columns; None for a sheet that is no table."""
    best: tuple[tuple[int, int, int], str, Row, HeaderMatch] | None = None
    for kind, columns in COLUMNS.items():
        header = find_header(sheet, columns)
        if header is None:
            continue
        match = match_header(header, columns, chosen)
        required = [column for column in columns if column.required]
        found = sum(1 for column in required if column.key in match.indexes)
        named = normalise_header(sheet.name) in _SHEET_NAMES[kind]
        if kind == WORKSTREAMS and not named and len(match.indexes) <= found:
            # "Workstream, Ref" alone is as likely the start of a projects sheet: a workstreams table
            # must be named so, or have a column only it has (Part of, Description).
            continue
        score = (found * 10 // len(required), len(match.indexes), int(named))
        if best is None or score > best[0]:
            best = (score, kind, header, match)
    if best is None or best[0][0] < 5:  # fewer than half the needed columns: not a plan table
        return None
    return best[1], best[2], best[3]


def _read_sheet(sheet: Sheet, found: tuple[str, Row, HeaderMatch] | None, plan: PlanRows) -> None:
    if found is None:
        if sheet.rows:
            plan.notices.append(
                f"Sheet {sheet.name} was not read: it has no header of workstreams, projects or actions"
            )
        return
    kind, header, match = found
    if not match.complete:
        missing = [column for column in match.missing if column.required]
        plan.mapping.append(MappingNeed(sheet.name, kind, header.number, missing, match.unused))
        return
    if match.unused:
        plan.notices.append(f"Sheet {sheet.name}: the column(s) {', '.join(match.unused)} were not read")
    names = {key: cell_text(header.cells[index]) for key, index in match.indexes.items()}
    plan.headers[sheet.name] = names
    for row in sheet.rows:
        if row.number <= header.number:
            continue
        cells = _Cells(sheet.name, row, match.indexes, names, plan.problems)
        if kind == WORKSTREAMS:
            plan.workstreams.append(_workstream_row(cells))
        elif kind == PROJECTS:
            plan.projects.append(_project_row(cells))
        else:
            plan.actions.append(_action_row(cells))


@dataclass
class _Cells:
    """One row's cells by field key, reporting each one that cannot be read."""

    sheet: str
    row: Row
    indexes: dict[str, int]
    names: dict[str, str]
    problems: list[Problem]

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.indexes)

    def raw(self, key: str) -> CellValue:
        return self.row.get(self.indexes.get(key))

    def problem(self, key: str, reason: str) -> None:
        self.problems.append(Problem(self.sheet, self.row.number, self.names.get(key), reason))

    def text(self, key: str, what: str) -> str | None:
        """Return the cell as text (None when the column is absent); a date where words belong is a problem."""
        if key not in self.indexes:
            return None
        value = self.raw(key)
        if isinstance(value, date):
            self.problem(key, f"This is a date; enter the {what} as words")
            return ""
        return cell_text(value)

    def ref(self, key: str, what: str) -> str:
        return normalise_ref(self.text(key, what) or "")

    def date(self, key: str) -> date | None:
        try:
            return parse_uk_date(self.raw(key))
        except ValueError as error:
            self.problem(key, str(error))
            return None

    def status(self) -> Status | None:
        try:
            return parse_status(self.raw("status"))
        except ValueError as error:
            self.problem("status", str(error))
            return None


def _workstream_row(cells: _Cells) -> WorkstreamRow:
    return WorkstreamRow(
        cells.sheet,
        cells.row.number,
        ref=cells.ref("ref", "reference"),
        title=cells.text("title", "workstream's title") or "",
        parent_ref=normalise_ref(cells.text("parent", "parent workstream's reference") or "") or None,
        description=cells.text("description", "description"),
        reported_by=cells.text("reported_by", "body the workstream is reported to"),
    )


def _project_row(cells: _Cells) -> ProjectRow:
    workstream_ref, workstream_title = split_workstream(cells.text("workstream", "workstream") or "")
    return ProjectRow(
        cells.sheet,
        cells.row.number,
        ref=cells.ref("ref", "reference"),
        title=cells.text("title", "project's title") or "",
        workstream_ref=workstream_ref,
        workstream_title=workstream_title,
        lead=cells.text("lead", "lead's name or e-mail address"),
        deliverables=cells.text("deliverables", "deliverables"),
        impact=cells.text("impact", "impact and benefits"),
        target_date=cells.date("target_date"),
        ambitions=ambitions_in(cells.text("contributes_to", "ambitions")),
        status=cells.status(),
        progress=cells.text("progress", "progress"),
        present=cells.present,
    )


def _action_row(cells: _Cells) -> ActionRow:
    return ActionRow(
        cells.sheet,
        cells.row.number,
        ref=cells.ref("ref", "reference"),
        title=cells.text("title", "action's title") or "",
        project_ref=cells.ref("project_ref", "project's reference"),
        lead=cells.text("lead", "lead's name or e-mail address"),
        start_date=cells.date("start_date"),
        deadline=cells.date("deadline"),
        status=cells.status(),
        progress=cells.text("progress", "progress"),
        present=cells.present,
    )


def split_workstream(text: str) -> tuple[str, str | None]:
    """Return a workstream cell's ref and title: "Workstream A: Strong directorate" -> ("A", "Strong directorate")."""
    text = " ".join(text.split())
    match = _WORKSTREAM_CELL.match(text)
    if match is None:
        return normalise_ref(text), None
    return normalise_ref(match[1]), (match[2] or "").strip() or None


def ambitions_in(text: str | None) -> list[Ambition] | None:
    """Return the corporate-plan ambitions a cell names ("A BOLD SAFE BIRMINGHAM" -> Safe); None without the column."""
    if text is None:
        return None
    words = set(normalise_header(text).upper().split())
    return [ambition for ambition in Ambition if ambition.value in words]


def column_choices(need: MappingNeed) -> Sequence[str]:
    """Return the headers a person may pick for a missing column: those no other column took."""
    return need.headers

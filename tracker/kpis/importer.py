"""CSV import of KPI definitions and KPI values: all or nothing, with a row-by-row error report.

Every row is checked before anything is written. If any row has a problem the whole file is
rejected with each problem's row number (as a spreadsheet numbers it: the header is row 1) and
reason, and the database is left exactly as it was. Web upload, CLI and demo loader all call
``import_file`` (or ``import_kpis`` and ``import_kpi_values``); values are saved through
``values.save_value``, and each import records a "kpis_imported" audit event.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record_audit_event
from tracker.core.errors import NotAllowed
from tracker.extensions import db
from tracker.kpis.definitions import KpiDefinition, save_kpi_definition
from tracker.kpis.models import APPLIES_ALWAYS, PERIOD_LABEL_LIMIT, ComparatorKind, Frequency, Kpi, KpiUnit, Polarity
from tracker.kpis.numbers import parse_comparator_target, parse_date, parse_number
from tracker.kpis.permissions import COMMAND_LINE, account_of, can_import_kpis
from tracker.kpis.rules import parts_problem
from tracker.kpis.values import ValueInput, save_value
from tracker.people.models import Person
from tracker.programme.models import Project, Workstream

IMPORT_KINDS = {"kpis": "KPI definitions", "kpi-values": "KPI values"}
KPI_COLUMNS = (
    "ref",
    "title",
    "unit",
    "polarity",
    "frequency",
    "target",
    "tolerance_low",
    "tolerance_high",
    "description",
)
KPI_OPTIONAL_COLUMNS = ("owner", "links", "applies_from")
VALUE_COLUMNS = (
    "kpi_ref",
    "period_end",
    "period_label",
    "value",
    "numerator",
    "denominator",
    "commentary",
    "national",
    "statistical_neighbours",
    "regional",
)
MAX_ROWS = 20_000
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$")


@dataclass(frozen=True)
class RowProblem:
    """One reason a file was rejected: row 1 is the header, row 2 the first data row."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    """The file was rejected whole; nothing was written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = sorted(problems, key=lambda p: (p.row, p.column or ""))


@dataclass
class ImportSummary:
    kind: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def sentence(self) -> str:
        """Return the summary in words, like 'Imported 2 KPIs: 1 new, 1 updated, 0 unchanged.'"""
        noun = "KPI" if self.kind == "kpis" else "KPI value"
        return (
            f"Imported {self.rows} {noun}{'' if self.rows == 1 else 's'}: "
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged."
        )


@dataclass
class _Sheet:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, cells by column)
    problems: list[RowProblem] = field(default_factory=list)


def _read_sheet(data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...]) -> _Sheet:
    """Decode and split the file, checking the header; problems with the file itself are on row 1."""
    records, problem = _records(data)
    if problem is None and (not records or not any(cell.strip() for cell in records[0])):
        problem = "The file is empty. The first row must be the header: " + ",".join(required)
    if problem is not None:
        return _Sheet([], [], [RowProblem(1, None, problem)])
    header = [cell.strip().lower() for cell in records[0]]
    sheet = _Sheet(header, [], [RowProblem(1, None, text) for text in _header_problems(header, required, optional)])
    body = records[1:]
    if not sheet.problems and len(body) > MAX_ROWS:
        too_many = f"The file has {len(body)} rows; import at most {MAX_ROWS} at a time."
        sheet.problems.append(RowProblem(1, None, too_many))
    if sheet.problems:
        return sheet
    for index, record in enumerate(body, start=2):
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave blank lines at the end
        if len(record) > len(header):
            sheet.problems.append(
                RowProblem(index, None, f"The row has {len(record)} cells but the header has {len(header)} columns.")
            )
            continue
        cells = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}
        sheet.rows.append((index, cells))
    if not sheet.rows and not sheet.problems:
        sheet.problems.append(RowProblem(1, None, "The file has a header but no rows to import."))
    return sheet


def _records(data: bytes | str) -> tuple[list[list[str]], str | None]:
    """Return the file's rows of cells, or why it cannot be read."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], "The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8'."
    else:
        text = data.lstrip("\ufeff")
    try:
        return list(csv.reader(io.StringIO(text, newline=""))), None
    except csv.Error as error:
        return [], f"The file is not valid CSV ({error})."


def _header_problems(header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    problems = []
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in required + optional]
    repeated = sorted(name for name, count in Counter(header).items() if count > 1 and name)
    if missing:
        problems.append("The header is missing the column(s) " + ", ".join(missing) + ".")
    if unknown:
        named = ", ".join(repr(u) for u in unknown)
        problems.append(f"The header has unknown column(s) {named}. Columns are: {', '.join(required + optional)}.")
    if repeated:
        problems.append("The header repeats the column(s) " + ", ".join(repeated) + ".")
    return problems


E = TypeVar("E", bound=Enum)


def _choice(enum_class: type[E], text: str, row: int, column: str, problems: list[RowProblem]) -> E | None:
    value = text.strip().lower()
    try:
        return enum_class(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_class)
        shown = f"'{text}' is not" if text else "Blank is not"
        problems.append(RowProblem(row, column, f"{shown} a {column}; use one of {allowed}"))
        return None


def _number(cells: dict[str, str], column: str, row: int, problems: list[RowProblem]) -> Decimal | None:
    try:
        return parse_number(cells.get(column, ""))
    except ValueError as error:
        problems.append(RowProblem(row, column, f"{error}; enter a number such as 72 or 4.5, or leave it blank"))
        return None


def _date(cells: dict[str, str], column: str, row: int, problems: list[RowProblem]) -> date | None:
    try:
        return parse_date(cells.get(column, ""))
    except ValueError as error:
        problems.append(RowProblem(row, column, str(error)))
        return None


# ---------------------------------------------------------------------------------------------
# Who may import, and the audit trail every import leaves
# ---------------------------------------------------------------------------------------------


def authorise_import(user: object) -> None:
    """Refuse anyone but the programme office (and the command line) an import."""
    if not can_import_kpis(user):
        raise NotAllowed("Only the programme office can import KPIs or KPI values")


def import_file(
    kind: str, data: bytes | str, *, file_name: str, source: str, user: object = COMMAND_LINE
) -> ImportSummary:
    """Import a file of KPI definitions ("kpis") or KPI values ("kpi-values"), as the upload page and CLI do."""
    if kind == "kpis":
        return import_kpis(data, file_name=file_name, user=user)
    return import_kpi_values(data, source=source, user=user, file_name=file_name)


def _record_import(summary: ImportSummary, file_name: str, user: object) -> None:
    # Recorded here, not by the caller, so an import from the command line leaves a trail too.
    what = IMPORT_KINDS[summary.kind] + (f" from {file_name}" if file_name else "")
    record_audit_event("kpis_imported", f"{what}: {summary.sentence()}", user=account_of(user))


# ---------------------------------------------------------------------------------------------
# KPI definitions
# ---------------------------------------------------------------------------------------------


@dataclass
class _DefinitionRows:
    """What checking a KPI row needs besides the row: people and links by name, and the rows seen so far."""

    has_owner: bool
    has_links: bool
    people: dict[str, Person]
    workstreams: dict[str, Workstream]
    projects: dict[str, Project]
    seen: dict[tuple[str, date], int] = field(default_factory=dict)
    first_row_of: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)


def import_kpis(data: bytes | str, *, file_name: str = "", user: object = COMMAND_LINE) -> ImportSummary:
    """Create or update KPIs by ref from CSV; raise ImportRejected (nothing written) if any row is wrong."""
    authorise_import(user)
    sheet = _read_sheet(data, KPI_COLUMNS, KPI_OPTIONAL_COLUMNS)
    if sheet.problems:
        raise ImportRejected(sheet.problems)
    context = _definition_context(sheet)
    problems: list[RowProblem] = []
    definitions = [
        definition
        for row, cells in sheet.rows
        if (definition := _read_definition(row, cells, context, problems)) is not None
    ]
    if problems:
        raise ImportRejected(problems)
    summary = _save_definitions(definitions)
    _record_import(summary, file_name, user)
    return summary


def _definition_context(sheet: _Sheet) -> _DefinitionRows:
    has_owner, has_links = "owner" in sheet.header, "links" in sheet.header
    people = {p.name.casefold(): p for p in db.session.scalars(select(Person))} if has_owner else {}
    wanted = sorted({ref.upper() for _, cells in sheet.rows for ref in _split_links(cells.get("links", ""))})
    workstreams, projects = {}, {}
    if wanted:
        workstreams = {
            w.ref.upper(): w
            for w in db.session.scalars(select(Workstream).where(func.upper(Workstream.ref).in_(wanted)))
        }
        projects = {
            p.ref.upper(): p for p in db.session.scalars(select(Project).where(func.upper(Project.ref).in_(wanted)))
        }
    return _DefinitionRows(has_owner, has_links, people, workstreams, projects)


def _read_definition(
    row: int, cells: dict[str, str], context: _DefinitionRows, problems: list[RowProblem]
) -> KpiDefinition | None:
    """Check one KPI row, adding its problems; return its definition when it has none."""
    before = len(problems)
    ref = cells["ref"]
    if not ref:
        problems.append(RowProblem(row, "ref", "The ref is missing; every KPI needs a ref such as KPI01"))
    elif not _REF.match(ref):
        problems.append(RowProblem(row, "ref", f"'{ref}' is not a ref: use up to 20 letters, digits, dots or dashes"))
    title = cells["title"]
    if not title:
        problems.append(RowProblem(row, "title", "The title is missing"))
    unit = _choice(KpiUnit, cells["unit"], row, "unit", problems)
    polarity = _choice(Polarity, cells["polarity"], row, "polarity", problems)
    frequency = _choice(Frequency, cells["frequency"], row, "frequency", problems)
    target_value, comparator = _target(cells["target"], row, problems)
    low = _number(cells, "tolerance_low", row, problems)
    high = _number(cells, "tolerance_high", row, problems)
    applies_from = _date(cells, "applies_from", row, problems) if cells.get("applies_from") else APPLIES_ALWAYS
    _check_band(row, polarity, target_value, comparator, low, high, problems)
    owner = _owner(cells, row, context, problems)
    workstreams, projects = _links(cells, row, context, problems)
    if ref and applies_from:
        _check_repeats(row, ref, applies_from, cells, context, problems)
    if len(problems) > before or unit is None or polarity is None or frequency is None or applies_from is None:
        return None
    return KpiDefinition(
        ref=ref,
        title=title,
        unit=unit,
        polarity=polarity,
        frequency=frequency,
        description=cells["description"],
        target_value=target_value,
        target_comparator=comparator,
        tolerance_low=low,
        tolerance_high=high,
        applies_from=applies_from,
        owner=owner,
        owner_stated=context.has_owner,
        workstreams=workstreams,
        projects=projects,
    )


def _target(text: str, row: int, problems: list[RowProblem]) -> tuple[Decimal | None, ComparatorKind | None]:
    """Read a target cell: blank, a number, or a comparator's name."""
    if not text:
        return None, None
    comparator = parse_comparator_target(text)
    if comparator is not None:
        return None, comparator
    try:
        return parse_number(text), None
    except ValueError:
        problems.append(
            RowProblem(
                row,
                "target",
                f"'{text}' is not a target; enter a number, 'national average' or "
                "'statistical neighbours average', or leave it blank",
            )
        )
        return None, None


def _check_band(
    row: int,
    polarity: Polarity | None,
    target_value: Decimal | None,
    comparator: ComparatorKind | None,
    low: Decimal | None,
    high: Decimal | None,
    problems: list[RowProblem],
) -> None:
    if polarity is Polarity.TREND and any(item is not None for item in (target_value, comparator, low, high)):
        problems.append(
            RowProblem(row, "target", "A trend KPI is monitored without a target: leave target and tolerances blank")
        )
        return
    if low is not None and high is not None and low > high:
        problems.append(RowProblem(row, "tolerance_low", "tolerance_low is above tolerance_high"))
    if target_value is not None and low is not None and low > target_value:
        problems.append(
            RowProblem(row, "tolerance_low", "tolerance_low is above the target; the band must include the target")
        )
    if target_value is not None and high is not None and high < target_value:
        problems.append(
            RowProblem(row, "tolerance_high", "tolerance_high is below the target; the band must include the target")
        )


def _owner(cells: dict[str, str], row: int, context: _DefinitionRows, problems: list[RowProblem]) -> Person | None:
    if not (context.has_owner and cells["owner"]):
        return None
    owner = context.people.get(cells["owner"].casefold())
    if owner is None:
        problems.append(RowProblem(row, "owner", f"'{cells['owner']}' is not a person in the programme"))
    return owner


def _links(
    cells: dict[str, str], row: int, context: _DefinitionRows, problems: list[RowProblem]
) -> tuple[list[Workstream] | None, list[Project] | None]:
    """Return the workstreams and projects a row links to; None for both when the file has no links column."""
    if not context.has_links:
        return None, None
    workstreams: list[Workstream] = []
    projects: list[Project] = []
    for link in _split_links(cells.get("links", "")):
        if link.upper() in context.workstreams:
            workstreams.append(context.workstreams[link.upper()])
        elif link.upper() in context.projects:
            projects.append(context.projects[link.upper()])
        else:
            problems.append(RowProblem(row, "links", f"'{link}' is not the ref of a workstream or project"))
    return workstreams, projects


def _check_repeats(
    row: int, ref: str, applies_from: date, cells: dict[str, str], context: _DefinitionRows, problems: list[RowProblem]
) -> None:
    """Each KPI once per file and date; rows of one KPI may differ only in their target, band and date."""
    key = (ref.upper(), applies_from)
    if key in context.seen:
        also = "" if applies_from == APPLIES_ALWAYS else f" applying from {applies_from.isoformat()}"
        problems.append(
            RowProblem(row, "ref", f"{ref}{also} is already on row {context.seen[key]}; each KPI once per file")
        )
    else:
        context.seen[key] = row
    shape = (
        cells["title"],
        cells["unit"].lower(),
        cells["polarity"].lower(),
        cells["frequency"].lower(),
        cells["description"],
        cells.get("owner", ""),
        " ".join(_split_links(cells.get("links", ""))),
    )
    first_row, first_shape = context.first_row_of.setdefault(ref.upper(), (row, shape))
    if first_row != row and first_shape != shape and context.seen.get(key) == row:
        problems.append(
            RowProblem(
                row,
                None,
                f"{ref} is also on row {first_row} with a different definition; only the target, tolerances "
                "and applies_from may differ between rows of one KPI",
            )
        )


def _split_links(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text.strip()) if part]


def _save_definitions(definitions: list[KpiDefinition]) -> ImportSummary:
    refs = sorted({definition.ref.upper() for definition in definitions})
    existing = {
        kpi.ref.upper(): kpi
        for kpi in db.session.scalars(
            select(Kpi)
            .where(func.upper(Kpi.ref).in_(refs))
            .options(
                selectinload(Kpi.targets),
                selectinload(Kpi.workstreams),
                selectinload(Kpi.projects),
                selectinload(Kpi.owner),
            )
        )
    }
    summary = ImportSummary("kpis", len(definitions))
    for definition in definitions:
        kpi = existing.get(definition.ref.upper())
        if kpi is not None:
            definition.ref = kpi.ref  # keep the stored spelling; refs match whatever the case
        kpi_saved, changed = save_kpi_definition(definition, kpi)
        if kpi is None:
            summary.created += 1
            existing[definition.ref.upper()] = kpi_saved
        elif changed:
            summary.updated += 1
        else:
            summary.unchanged += 1
    db.session.flush()
    return summary


# ---------------------------------------------------------------------------------------------
# KPI values
# ---------------------------------------------------------------------------------------------

_PARTS = ("value", "numerator", "denominator")
_NUMBER_COLUMNS = (*_PARTS, "national", "statistical_neighbours", "regional")


def import_kpi_values(
    data: bytes | str, source: str = "import", user: object = COMMAND_LINE, *, file_name: str = ""
) -> ImportSummary:
    """Create or replace KPI values by (KPI, period end); raise ImportRejected (nothing written) if any row is wrong."""
    authorise_import(user)
    sheet = _read_sheet(data, VALUE_COLUMNS, ())
    if sheet.problems:
        raise ImportRejected(sheet.problems)
    wanted = sorted({cells["kpi_ref"].upper() for _, cells in sheet.rows if cells["kpi_ref"]})
    # Values come too: saving asks which value a period already has.
    kpis = (
        {
            kpi.ref.upper(): kpi
            for kpi in db.session.scalars(
                select(Kpi).where(func.upper(Kpi.ref).in_(wanted)).options(selectinload(Kpi.values))
            )
        }
        if wanted
        else {}
    )
    problems: list[RowProblem] = []
    seen: dict[tuple[int, date], int] = {}
    entries = [
        entry for row, cells in sheet.rows if (entry := _read_value(row, cells, kpis, seen, problems)) is not None
    ]
    if problems:
        raise ImportRejected(problems)
    stored = {(value.kpi_id, value.period_end): value for kpi in kpis.values() for value in kpi.values}
    summary = ImportSummary("kpi-values", len(entries))
    for kpi, given in entries:
        saved = save_value(kpi, user, given, replacing=stored.get((kpi.id, given.period_end)), source=source)
        setattr(summary, saved, getattr(summary, saved) + 1)
    db.session.flush()
    _record_import(summary, file_name, user)
    return summary


def _read_value(
    row: int, cells: dict[str, str], kpis: dict[str, Kpi], seen: dict[tuple[int, date], int], problems: list[RowProblem]
) -> tuple[Kpi, ValueInput] | None:
    """Check one value row, adding its problems; return the KPI and the figures when it has none."""
    before = len(problems)
    kpi = None
    if not cells["kpi_ref"]:
        problems.append(RowProblem(row, "kpi_ref", "The KPI ref is missing"))
    else:
        kpi = kpis.get(cells["kpi_ref"].upper())
        if kpi is None:
            problems.append(RowProblem(row, "kpi_ref", f"'{cells['kpi_ref']}' is not a KPI; import the KPI first"))
    period_end = None
    if not cells["period_end"]:
        problems.append(RowProblem(row, "period_end", "The period end date is missing"))
    else:
        period_end = _date(cells, "period_end", row, problems)
    label = cells["period_label"]
    if not label:
        problems.append(RowProblem(row, "period_label", "The period label is missing, for example Q3 2022/23"))
    elif len(label) > PERIOD_LABEL_LIMIT:
        problems.append(
            RowProblem(row, "period_label", f"The period label must be {PERIOD_LABEL_LIMIT} characters or fewer")
        )
    numbers = {name: _number(cells, name, row, problems) for name in _NUMBER_COLUMNS}
    unread = any(problem.column in _PARTS for problem in problems[before:])
    problem = parts_problem(numbers["value"], numbers["numerator"], numbers["denominator"], unread=unread)
    if problem is not None:
        problems.append(RowProblem(row, problem.field, problem.import_message))
    if kpi is not None and period_end is not None:
        key = (kpi.id, period_end)
        if key in seen:
            entry = f"{kpi.ref} for the period ending {period_end.isoformat()}"
            problems.append(RowProblem(row, "period_end", f"{entry} is already on row {seen[key]}"))
        else:
            seen[key] = row
    if len(problems) > before or kpi is None or period_end is None:
        return None
    return kpi, ValueInput(
        period_end=period_end,
        period_label=label,
        value=numbers["value"],
        numerator=numbers["numerator"],
        denominator=numbers["denominator"],
        commentary=cells["commentary"],
        national=numbers["national"],
        statistical_neighbours=numbers["statistical_neighbours"],
        regional=numbers["regional"],
    )

"""CSV import of KPI definitions and KPI values: all or nothing, with a row-by-row error report.

Every row is checked before anything is written. If any row has a problem the whole file is
rejected with each problem's row number (as a spreadsheet numbers it: the header is row 1) and
reason, and the database is left exactly as it was. Web upload, CLI and demo loader all call
``import_kpis`` and ``import_kpi_values``.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.kpis.models import APPLIES_ALWAYS, Frequency, Kpi, KpiUnit, KpiValue, Polarity
from tracker.kpis.services import (
    KpiDefinition,
    ValueInput,
    parse_comparator_target,
    parse_date,
    parse_number,
    record_value,
    save_kpi_definition,
)
from tracker.people.models import Person
from tracker.programme.models import Project, Workstream

KPI_COLUMNS = ("ref", "title", "unit", "polarity", "frequency", "target", "tolerance_low", "tolerance_high", "description")
KPI_OPTIONAL_COLUMNS = ("owner", "links", "applies_from")
VALUE_COLUMNS = (
    "kpi_ref", "period_end", "period_label", "value", "numerator", "denominator", "commentary", "national",
    "statistical_neighbours", "regional",
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
    sheet = _Sheet([], [])
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            sheet.problems.append(RowProblem(1, None, "The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8'."))
            return sheet
    else:
        text = data.lstrip("\ufeff")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        sheet.problems.append(RowProblem(1, None, f"The file is not valid CSV ({error})."))
        return sheet
    if not records or not any(cell.strip() for cell in records[0]):
        sheet.problems.append(RowProblem(1, None, "The file is empty. The first row must be the header: " + ",".join(required)))
        return sheet
    header = [cell.strip().lower() for cell in records[0]]
    sheet.header = header
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in required + optional]
    repeated = sorted(name for name, count in Counter(header).items() if count > 1 and name)
    if missing:
        sheet.problems.append(RowProblem(1, None, "The header is missing the column(s) " + ", ".join(missing) + "."))
    if unknown:
        allowed = ", ".join(required + optional)
        sheet.problems.append(RowProblem(1, None, f"The header has unknown column(s) {', '.join(repr(u) for u in unknown)}. Columns are: {allowed}."))
    if repeated:
        sheet.problems.append(RowProblem(1, None, "The header repeats the column(s) " + ", ".join(repeated) + "."))
    if sheet.problems:
        return sheet
    body = records[1:]
    if len(body) > MAX_ROWS:
        sheet.problems.append(RowProblem(1, None, f"The file has {len(body)} rows; import at most {MAX_ROWS} at a time."))
        return sheet
    for index, record in enumerate(body, start=2):
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave blank lines at the end
        if len(record) > len(header):
            sheet.problems.append(RowProblem(index, None, f"The row has {len(record)} cells but the header has {len(header)} columns."))
            continue
        cells = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}
        sheet.rows.append((index, cells))
    if not sheet.rows and not sheet.problems:
        sheet.problems.append(RowProblem(1, None, "The file has a header but no rows to import."))
    return sheet


def _choice(enum_class, text: str, row: int, column: str, problems: list[RowProblem]):
    value = text.strip().lower()
    try:
        return enum_class(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_class)
        shown = f"'{text}' is not" if text else "Blank is not"
        problems.append(RowProblem(row, column, f"{shown} a {column}; use one of {allowed}"))
        return None


def _number(cells: dict[str, str], column: str, row: int, problems: list[RowProblem]):
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
# KPI definitions
# ---------------------------------------------------------------------------------------------


def import_kpis(data: bytes | str) -> ImportSummary:
    """Create or update KPIs by ref from CSV; raise ImportRejected (nothing written) if any row is wrong."""
    sheet = _read_sheet(data, KPI_COLUMNS, KPI_OPTIONAL_COLUMNS)
    if sheet.problems:
        raise ImportRejected(sheet.problems)
    problems: list[RowProblem] = []
    has_owner, has_links = "owner" in sheet.header, "links" in sheet.header

    people = {p.name.casefold(): p for p in db.session.scalars(select(Person))} if has_owner else {}
    link_refs = {ref for _, cells in sheet.rows for ref in _split_links(cells.get("links", ""))}
    wanted = sorted({ref.upper() for ref in link_refs})
    workstreams = {w.ref.upper(): w for w in db.session.scalars(select(Workstream).where(func.upper(Workstream.ref).in_(wanted)))} if wanted else {}
    projects = {p.ref.upper(): p for p in db.session.scalars(select(Project).where(func.upper(Project.ref).in_(wanted)))} if wanted else {}

    definitions: list[tuple[int, KpiDefinition]] = []
    seen: dict[tuple[str, date], int] = {}
    first_row_of: dict[str, tuple[int, tuple]] = {}
    for row, cells in sheet.rows:
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
        target_value = comparator = None
        if cells["target"]:
            comparator = parse_comparator_target(cells["target"])
            if comparator is None:
                try:
                    target_value = parse_number(cells["target"])
                except ValueError:
                    problems.append(RowProblem(
                        row, "target",
                        f"'{cells['target']}' is not a target; enter a number, 'national average' or "
                        "'statistical neighbours average', or leave it blank",
                    ))
        low = _number(cells, "tolerance_low", row, problems)
        high = _number(cells, "tolerance_high", row, problems)
        applies_from = _date(cells, "applies_from", row, problems) if cells.get("applies_from") else APPLIES_ALWAYS
        _check_band(row, polarity, target_value, comparator, low, high, problems)

        owner = None
        if has_owner and cells["owner"]:
            owner = people.get(cells["owner"].casefold())
            if owner is None:
                problems.append(RowProblem(row, "owner", f"'{cells['owner']}' is not a person in the programme"))
        linked_workstreams: list[Workstream] | None = [] if has_links else None
        linked_projects: list[Project] | None = [] if has_links else None
        for link in _split_links(cells.get("links", "")):
            if link.upper() in workstreams:
                linked_workstreams.append(workstreams[link.upper()])
            elif link.upper() in projects:
                linked_projects.append(projects[link.upper()])
            else:
                problems.append(RowProblem(row, "links", f"'{link}' is not the ref of a workstream or project"))

        if ref and applies_from:
            key = (ref.upper(), applies_from)
            if key in seen:
                also = "" if applies_from == APPLIES_ALWAYS else f" applying from {applies_from.isoformat()}"
                problems.append(RowProblem(row, "ref", f"{ref}{also} is already on row {seen[key]}; each KPI once per file"))
            else:
                seen[key] = row
            # Rows of one KPI with different applies_from dates set targets by year; the rest must agree.
            shape = (title, cells["unit"].lower(), cells["polarity"].lower(), cells["frequency"].lower(),
                     cells["description"], cells.get("owner", ""), " ".join(_split_links(cells.get("links", ""))))
            first_row, first_shape = first_row_of.setdefault(ref.upper(), (row, shape))
            if first_row != row and first_shape != shape and seen.get(key) == row:
                problems.append(RowProblem(
                    row, None,
                    f"{ref} is also on row {first_row} with a different definition; only the target, tolerances "
                    "and applies_from may differ between rows of one KPI",
                ))
        if len(problems) == before:
            definitions.append((row, KpiDefinition(
                ref=ref, title=title, unit=unit, polarity=polarity, frequency=frequency,
                description=cells["description"], target_value=target_value, target_comparator=comparator,
                tolerance_low=low, tolerance_high=high, applies_from=applies_from,
                owner=owner, owner_stated=has_owner, workstreams=linked_workstreams, projects=linked_projects,
            )))
    if problems:
        raise ImportRejected(problems)

    refs = {definition.ref for _, definition in definitions}
    existing = {
        kpi.ref.upper(): kpi
        for kpi in db.session.scalars(
            select(Kpi).where(func.upper(Kpi.ref).in_(sorted({ref.upper() for ref in refs}))).options(
                selectinload(Kpi.targets), selectinload(Kpi.workstreams), selectinload(Kpi.projects), selectinload(Kpi.owner)
            )
        )
    }
    summary = ImportSummary("kpis", len(definitions))
    for _, definition in definitions:
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


def _check_band(row, polarity, target_value, comparator, low, high, problems: list[RowProblem]) -> None:
    if polarity is Polarity.TREND and (target_value is not None or comparator is not None or low is not None or high is not None):
        problems.append(RowProblem(row, "target", "A trend KPI is monitored without a target: leave target and tolerances blank"))
        return
    if low is not None and high is not None and low > high:
        problems.append(RowProblem(row, "tolerance_low", "tolerance_low is above tolerance_high"))
    if target_value is not None and low is not None and low > target_value:
        problems.append(RowProblem(row, "tolerance_low", "tolerance_low is above the target; the band must include the target"))
    if target_value is not None and high is not None and high < target_value:
        problems.append(RowProblem(row, "tolerance_high", "tolerance_high is below the target; the band must include the target"))


def _split_links(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text.strip()) if part]


# ---------------------------------------------------------------------------------------------
# KPI values
# ---------------------------------------------------------------------------------------------


def import_kpi_values(data: bytes | str, source: str = "import", user=None) -> ImportSummary:
    """Create or replace KPI values by (KPI, period end); raise ImportRejected (nothing written) if any row is wrong."""
    sheet = _read_sheet(data, VALUE_COLUMNS, ())
    if sheet.problems:
        raise ImportRejected(sheet.problems)
    problems: list[RowProblem] = []
    refs = {cells["kpi_ref"] for _, cells in sheet.rows if cells["kpi_ref"]}
    wanted = sorted({ref.upper() for ref in refs})
    kpis = {kpi.ref.upper(): kpi for kpi in db.session.scalars(select(Kpi).where(func.upper(Kpi.ref).in_(wanted)))} if refs else {}

    entries: list[tuple[Kpi, ValueInput]] = []
    seen: dict[tuple[int, date], int] = {}
    for row, cells in sheet.rows:
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
        elif len(label) > 40:
            problems.append(RowProblem(row, "period_label", "The period label must be 40 characters or fewer"))
        numbers = {name: _number(cells, name, row, problems)
                   for name in ("value", "numerator", "denominator", "national", "statistical_neighbours", "regional")}
        if numbers["denominator"] == 0 and cells["denominator"]:
            problems.append(RowProblem(row, "denominator", "The denominator cannot be 0"))
        elif not cells["value"] and not (cells["numerator"] and cells["denominator"]) and not _bad_number(problems, before, ("value", "numerator", "denominator")):
            problems.append(RowProblem(row, "value", "Give a value, or both a numerator and a denominator"))
        if kpi is not None and period_end is not None:
            key = (kpi.id, period_end)
            if key in seen:
                problems.append(RowProblem(row, "period_end", f"{kpi.ref} for the period ending {period_end.isoformat()} is already on row {seen[key]}"))
            else:
                seen[key] = row
        if len(problems) == before:
            entries.append((kpi, ValueInput(
                period_end=period_end, period_label=label, value=numbers["value"], numerator=numbers["numerator"],
                denominator=numbers["denominator"], commentary=cells["commentary"], national=numbers["national"],
                statistical_neighbours=numbers["statistical_neighbours"], regional=numbers["regional"],
            )))
    if problems:
        raise ImportRejected(problems)

    kpi_ids = {kpi.id for kpi, _ in entries}
    existing = {
        (value.kpi_id, value.period_end): value
        for value in db.session.scalars(select(KpiValue).where(KpiValue.kpi_id.in_(kpi_ids)))
    }
    summary = ImportSummary("kpi-values", len(entries))
    for kpi, given in entries:
        outcome = record_value(kpi, given, existing.get((kpi.id, given.period_end)), source, user)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    db.session.flush()
    return summary


def _bad_number(problems: list[RowProblem], since: int, columns: tuple[str, ...]) -> bool:
    return any(problem.column in columns for problem in problems[since:])

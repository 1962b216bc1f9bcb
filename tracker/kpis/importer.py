"""CSV import of KPI definitions and KPI values: all or nothing, with a row-by-row error report.

Every row is checked before anything is written. If any row has a problem the whole file is
rejected with each problem's row number (as a spreadsheet numbers it: the header is row 1) and
reason, and the database is left exactly as it was. Web upload, CLI and demo loader all call
``import_file`` (or ``import_kpis`` and ``import_kpi_values``); values are saved through
``values.save_value``, and each import records a "kpis_imported" audit event.

An import goes into one programme: KPI refs, and the workstream and project refs of the links
column, are matched within it only, and new KPIs are created in it. Another programme's KPI with
the same ref is a different KPI and is never touched.
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
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record_audit_event
from tracker.core.errors import NotAllowed
from tracker.core.refs import MAX_REF, normalise_ref, ref_problem, ref_slug
from tracker.extensions import db
from tracker.kpis.definitions import KpiDefinition, save_kpi_definition
from tracker.kpis.models import (
    APPLIES_ALWAYS,
    MAX_DECIMAL_PLACES,
    PERIOD_LABEL_LIMIT,
    ComparatorKind,
    Frequency,
    Kpi,
    KpiUnit,
    Polarity,
)
from tracker.kpis.numbers import parse_comparator_target, parse_date, parse_number
from tracker.kpis.permissions import COMMAND_LINE, account_of, can_import_kpis
from tracker.kpis.rules import parts_problem
from tracker.kpis.values import ValueInput, save_value
from tracker.people.models import Person
from tracker.programme.models import Programme, Project, Workstream

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
KPI_OPTIONAL_COLUMNS = ("owner", "links", "applies_from", "decimal_places")
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
Linked = Workstream | Project


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


def authorise_import(user: object, programme: Programme) -> None:
    """Refuse anyone but the programme's office (and the command line) an import into it."""
    if not can_import_kpis(user, programme):
        raise NotAllowed("Only the programme office can import KPIs or KPI values")


def import_file(
    kind: str,
    data: bytes | str,
    *,
    programme: Programme,
    file_name: str,
    source: str,
    user: object = COMMAND_LINE,
) -> ImportSummary:
    """Import a file of KPI definitions ("kpis") or KPI values ("kpi-values") into programme, as the page and CLI do."""
    if kind == "kpis":
        return import_kpis(data, programme=programme, file_name=file_name, user=user)
    return import_kpi_values(data, programme=programme, source=source, user=user, file_name=file_name)


def _record_import(summary: ImportSummary, programme: Programme, file_name: str, user: object) -> None:
    # Recorded here, not by the caller, so an import from the command line leaves a trail too. The audit
    # log is the installation's: it names the programme.
    what = IMPORT_KINDS[summary.kind] + (f" from {file_name}" if file_name else "") + f" into {programme.short_name}"
    record_audit_event("kpis_imported", f"{what}: {summary.sentence()}", user=account_of(user))


# ---------------------------------------------------------------------------------------------
# KPI definitions
# ---------------------------------------------------------------------------------------------


@dataclass
class _DefinitionRows:
    """What checking a KPI row needs besides the row: people, links and stored KPIs, and the rows seen so far."""

    has_owner: bool
    has_links: bool
    has_places: bool
    people: dict[str, Person]
    # The programme's workstreams and projects by their ref in any case ('e1.7'), for the links column.
    links: dict[str, Linked]
    # The programme's stored KPIs by slug: a ref is matched to the KPI with its web address.
    existing: dict[str, Kpi]
    seen: dict[tuple[str, date], int] = field(default_factory=dict)
    first_row_of: dict[str, tuple[int, tuple[object, ...]]] = field(default_factory=dict)
    spelling: dict[str, tuple[int, str]] = field(default_factory=dict)


def import_kpis(
    data: bytes | str, *, programme: Programme, file_name: str = "", user: object = COMMAND_LINE
) -> ImportSummary:
    """Create or update the programme's KPIs by ref from CSV; raise ImportRejected (nothing written) on any bad row.

    Refs follow ``tracker.core.refs``: up to 40 characters, spaces allowed ('KPI 12', 'Performance
    Indicator 3'). A ref matches the stored KPI with the same web address (slug) when it is written
    the same way but for case; another spelling of the same address ('KPI-12' for 'KPI 12') is refused.

    Optional columns: ``owner`` (a person's name), ``applies_from`` (the date a target starts to
    apply), ``decimal_places`` (0 to 6, the places the KPI is published and judged at; blank for its
    unit's default) and ``links``: workstream and project refs, separated by ';' (or ','), like
    ``E1.7; BCP 4``. Refs separated by spaces are still read when every word is a ref ('B1 E1.7');
    a cell that reads two ways ('BCP 4' when BCP, 4 and BCP 4 are all refs) is refused: use ';'.
    Refs, links included, are the programme's own.
    """
    authorise_import(user, programme)
    sheet = _read_sheet(data, KPI_COLUMNS, KPI_OPTIONAL_COLUMNS)
    if sheet.problems:
        raise ImportRejected(sheet.problems)
    context = _definition_context(sheet, programme)
    problems: list[RowProblem] = []
    definitions = [
        definition
        for row, cells in sheet.rows
        if (definition := _read_definition(row, cells, context, problems)) is not None
    ]
    if problems:
        raise ImportRejected(problems)
    summary = _save_definitions(programme, definitions, context.existing)
    _record_import(summary, programme, file_name, user)
    return summary


def _definition_context(sheet: _Sheet, programme: Programme) -> _DefinitionRows:
    has_owner, has_links = "owner" in sheet.header, "links" in sheet.header
    people = {p.name.casefold(): p for p in db.session.scalars(select(Person))} if has_owner else {}
    wanted = {ref_slug(ref) for _, cells in sheet.rows for ref in _link_candidates(cells.get("links", ""))}
    links: dict[str, Linked] = {}
    # Projects first, so that a workstream and a project with the same ref link the workstream, as before.
    projects, workstreams = _by_slugs(Project, programme, wanted), _by_slugs(Workstream, programme, wanted)
    items: list[Linked] = [*projects, *workstreams]
    for item in items:
        links[item.ref.casefold()] = item
    refs = {ref_slug(normalise_ref(cells["ref"])) for _, cells in sheet.rows if cells["ref"]}
    existing = {
        kpi.slug: kpi
        for kpi in _by_slugs(
            Kpi,
            programme,
            refs,
            selectinload(Kpi.targets),
            selectinload(Kpi.workstreams),
            selectinload(Kpi.projects),
            selectinload(Kpi.owner),
        )
    }
    return _DefinitionRows(has_owner, has_links, "decimal_places" in sheet.header, people, links, existing)


Found = TypeVar("Found", Kpi, Workstream, Project)


def _by_slugs(model: type[Found], programme: Programme, slugs: set[str], *options: Any) -> list[Found]:
    """Return the programme's rows of model with these slugs, a few hundred at a time.

    Chunked because databases limit the values one statement may carry.
    """
    ordered = sorted(slugs)
    found: list[Found] = []
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        statement = select(model).where(model.programme_id == programme.id, model.slug.in_(chunk)).options(*options)
        found.extend(db.session.scalars(statement))
    return found


def _read_definition(
    row: int, cells: dict[str, str], context: _DefinitionRows, problems: list[RowProblem]
) -> KpiDefinition | None:
    """Check one KPI row, adding its problems; return its definition when it has none."""
    before = len(problems)
    ref = normalise_ref(cells["ref"])
    ref_read = False
    if not ref:
        problems.append(RowProblem(row, "ref", "The ref is missing; every KPI needs a ref such as KPI01"))
    elif problem := ref_problem(ref, "KPI"):
        problems.append(RowProblem(row, "ref", f"'{ref}' is not a ref: {problem[0].lower()}{problem[1:]}"))
    else:
        ref_read = _spelt_as_before(row, ref, context, problems)
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
    places = _places(cells.get("decimal_places", ""), row, problems)
    _check_band(row, polarity, target_value, comparator, low, high, problems)
    owner = _owner(cells, row, context, problems)
    workstreams, projects = _links(cells, row, context, problems)
    if ref_read and applies_from:
        linked = tuple(f"{type(item).__name__} {item.id}" for item in (workstreams or []) + (projects or []))
        _check_repeats(row, ref, applies_from, cells, linked, context, problems)
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
        decimal_places=places,
        decimal_places_stated=context.has_places,
        owner=owner,
        owner_stated=context.has_owner,
        workstreams=workstreams,
        projects=projects,
    )


def _spelt_as_before(row: int, ref: str, context: _DefinitionRows, problems: list[RowProblem]) -> bool:
    """Refuse a second spelling of one web address ('KPI-12' beside 'KPI 12', in the file or stored); True if none."""
    slug = ref_slug(ref)
    stored = context.existing.get(slug)
    if stored is not None and stored.ref.casefold() != ref.casefold():
        problems.append(
            RowProblem(
                row,
                "ref",
                f"There is already a KPI {stored.ref}, and {ref} would have the same web address: "
                f"write {stored.ref} to update it, or choose a different ref",
            )
        )
        return False
    first_row, first_ref = context.spelling.setdefault(slug, (row, ref))
    if first_ref.casefold() != ref.casefold():
        problems.append(
            RowProblem(
                row,
                "ref",
                f"{ref} and {first_ref} on row {first_row} would have the same web address: "
                "write one KPI's ref the same way on every row, or choose a different ref",
            )
        )
        return False
    return True


def _places(text: str, row: int, problems: list[RowProblem]) -> int | None:
    """Read a decimal_places cell: blank (the unit's default) or a whole number from 0 to 6."""
    if not text:
        return None
    if re.fullmatch(r"[0-9]{1,2}", text) and int(text) <= MAX_DECIMAL_PLACES:
        return int(text)
    problems.append(
        RowProblem(
            row,
            "decimal_places",
            f"'{text}' is not a number of decimal places; enter a whole number from 0 to {MAX_DECIMAL_PLACES}, "
            "or leave it blank for the unit's default",
        )
    )
    return None


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
    items, messages = read_links(cells.get("links", ""), context.links)
    problems.extend(RowProblem(row, "links", message) for message in messages)
    workstreams = [item for item in items if isinstance(item, Workstream)]
    projects = [item for item in items if isinstance(item, Project)]
    return workstreams, projects


def _check_repeats(
    row: int,
    ref: str,
    applies_from: date,
    cells: dict[str, str],
    linked: tuple[str, ...],
    context: _DefinitionRows,
    problems: list[RowProblem],
) -> None:
    """Each KPI once per file and date; rows of one KPI may differ only in their target, band and date."""
    slug = ref_slug(ref)
    key = (slug, applies_from)
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
        cells.get("decimal_places", ""),
        linked,
    )
    first_row, first_shape = context.first_row_of.setdefault(slug, (row, shape))
    if first_row != row and first_shape != shape and context.seen.get(key) == row:
        problems.append(
            RowProblem(
                row,
                None,
                f"{ref} is also on row {first_row} with a different definition; only the target, tolerances "
                "and applies_from may differ between rows of one KPI",
            )
        )


# ---------------------------------------------------------------------------------------------
# The links column: refs separated by ';' (or ','), or by spaces when that reads one way only
# ---------------------------------------------------------------------------------------------

_SEPARATOR = re.compile(r"[;,]")
NOT_A_LINK = "is not the ref of a workstream or project"


def _link_candidates(text: str) -> list[str]:
    """Return every ref a links cell may name: its ';' parts, or each run of its words that could be one ref."""
    if _SEPARATOR.search(text):
        return [part for part in (normalise_ref(p) for p in _SEPARATOR.split(text)) if part]
    words = text.split()
    return [
        candidate
        for start in range(len(words))
        for end in range(start + 1, len(words) + 1)
        if len(candidate := " ".join(words[start:end])) <= MAX_REF
    ]


def read_links(text: str, known: dict[str, Linked]) -> tuple[list[Linked], list[str]]:
    """Return the workstreams and projects a links cell names, and what is wrong with it (row messages).

    ``known`` holds the items by ref in any case. Refs separated by ';' or ',' are read as written;
    a cell without them is split into words, which must read as refs in exactly one way.
    """
    if _SEPARATOR.search(text):
        parts = _link_candidates(text)
        missing = [f"'{part}' {NOT_A_LINK}" for part in parts if part.casefold() not in known]
        return ([] if missing else [known[part.casefold()] for part in parts]), missing
    words = text.split()
    if not words:
        return [], []
    readings = _readings(words, known)
    if len(readings) == 1:
        return [known[ref.casefold()] for ref in readings[0]], []
    if len(readings) > 1:
        first, second = ("; ".join(reading) for reading in readings[:2])
        return [], [f"'{' '.join(words)}' can be read as the refs {first} or as {second}: separate the refs with ';'"]
    return [], _unread_words(words, known)


def _readings(words: list[str], known: dict[str, Linked]) -> list[list[str]]:
    """Return up to two ways of reading the words as a list of known refs (two are enough to call it ambiguous)."""

    def from_word(start: int) -> list[list[str]]:
        if start == len(words):
            return [[]]
        found: list[list[str]] = []
        for end in range(start + 1, len(words) + 1):
            ref = " ".join(words[start:end])
            if len(ref) > MAX_REF:
                break
            if ref.casefold() in known:
                found += [[ref, *rest] for rest in from_word(end)]
            if len(found) > 1:
                break
        return found[:2]

    return from_word(0)


def _unread_words(words: list[str], known: dict[str, Linked]) -> list[str]:
    """Say which words are no ref, nor part of one; or that the cell needs its refs separated by ';'."""
    covered: set[int] = set()
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            if " ".join(words[start:end]).casefold() in known:
                covered.update(range(start, end))
    unread = [word for index, word in enumerate(words) if index not in covered]
    cell = " ".join(words)
    if len(words) > 1 and len(unread) == len(words):
        return [f"'{cell}' {NOT_A_LINK}, nor a list of them: separate the refs with ';'"]
    if unread:
        return [f"'{word}' {NOT_A_LINK}" for word in unread]
    return [f"'{cell}' cannot be read as workstream and project refs: separate the refs with ';'"]


def _save_definitions(
    programme: Programme, definitions: list[KpiDefinition], existing: dict[str, Kpi]
) -> ImportSummary:
    """Save the checked definitions in programme; ``existing`` holds its stored KPIs by slug, and gains the new ones."""
    summary = ImportSummary("kpis", len(definitions))
    for definition in definitions:
        slug = ref_slug(definition.ref)
        kpi = existing.get(slug)
        if kpi is not None:
            definition.ref = kpi.ref  # keep the stored spelling; refs match whatever the case
        kpi_saved, changed = save_kpi_definition(programme, definition, kpi)
        if kpi is None:
            summary.created += 1
            existing[slug] = kpi_saved
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
    data: bytes | str,
    source: str = "import",
    user: object = COMMAND_LINE,
    *,
    programme: Programme,
    file_name: str = "",
) -> ImportSummary:
    """Create or replace values of the programme's KPIs by (KPI, period end); raise ImportRejected if any row is wrong.

    Nothing is written from a rejected file. A kpi_ref names the programme's own KPI: another
    programme's KPI with the same ref is a different KPI.
    """
    authorise_import(user, programme)
    sheet = _read_sheet(data, VALUE_COLUMNS, ())
    if sheet.problems:
        raise ImportRejected(sheet.problems)
    wanted = {ref_slug(cells["kpi_ref"]) for _, cells in sheet.rows if cells["kpi_ref"]}
    # A KPI is found by its web address: 'KPI 12', 'kpi 12' and 'kpi-12' name the same KPI.
    # Values come too: saving asks which value a period already has.
    kpis = {kpi.slug: kpi for kpi in _by_slugs(Kpi, programme, wanted, selectinload(Kpi.values))}
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
    _record_import(summary, programme, file_name, user)
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
        kpi = kpis.get(ref_slug(cells["kpi_ref"]))
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

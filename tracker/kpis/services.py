"""KPI operations shared by the pages, the importer, the CLI and the export.

Reads: ``kpi_rows`` answers every list of KPIs (scorecard, workstream and project panels, export)
in ONE statement whatever the number of KPIs or values: each KPI with its latest two values and
the target in force for each. Writes: ``save_kpi_definition`` and ``record_value``, which keeps
what a replaced value was in KpiValueHistory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, and_, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.extensions import db
from tracker.kpis.models import (
    APPLIES_ALWAYS,
    ComparatorKind,
    Frequency,
    Kpi,
    KpiTarget,
    KpiUnit,
    KpiValue,
    KpiValueHistory,
    Polarity,
    kpi_project,
    kpi_workstream,
)
from tracker.kpis.rules import (
    Assessment,
    KpiStatus,
    assess,
    resolve_target,
    target_in_force,
    to_decimal,
    value_from_parts,
)
from tracker.people.models import Person
from tracker.programme.models import Project, Workstream

# ---------------------------------------------------------------------------------------------
# Reading and writing numbers and dates the same way in forms, imports and pages
# ---------------------------------------------------------------------------------------------

_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# Largest magnitude the Numeric(18, 6) columns hold.
_LIMIT = Decimal("999999999999")


def parse_number(text: str | None) -> Decimal | None:
    """Return the number in text (blank is None); raise ValueError with a message people can act on."""
    text = (text or "").strip()
    if not text:
        return None
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        raise ValueError(f"'{text}' is not a number")
    number = Decimal(text)
    if abs(number) > _LIMIT:
        raise ValueError(f"'{text}' is too large")
    if number != number.quantize(Decimal("0.000001")):
        raise ValueError(f"'{text}' has more than 6 decimal places")
    return number


def parse_date(text: str | None) -> date | None:
    """Return the date in YYYY-MM-DD or DD/MM/YYYY form (blank is None); raise ValueError if it is not one."""
    text = (text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match is None:
        raise ValueError(f"'{text}' is not a date in the form 2023-03-31 or 31/03/2023")
    parts = [int(p) for p in match.groups()]
    year, month, day = parts if "-" in text else (parts[2], parts[1], parts[0])
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None


def plain_number(value: Decimal | float | int | None) -> str:
    """Return a number as people write it: no trailing zeros, thousands separated by commas."""
    number = to_decimal(value)
    if number is None:
        return ""
    number = number.normalize() + 0  # "+ 0" turns -0 into 0
    return f"{number:,f}"


def format_number(value: Decimal | float | int | None, unit: KpiUnit) -> str:
    """Return the value with its unit: 69%, 13,104, 12 days."""
    if value is None:
        return ""
    text = plain_number(value)
    if unit is KpiUnit.PERCENT:
        return text + "%"
    if unit is KpiUnit.DAYS:
        return f"{text} day" if to_decimal(value) == 1 else f"{text} days"
    return text


def number_for_export(value: Decimal | None) -> str:
    """Return a number for CSV: no trailing zeros, no thousands separators."""
    if value is None:
        return ""
    return f"{(value.normalize() + 0):f}"


def parse_comparator_target(text: str) -> ComparatorKind | None:
    """Return the comparator a target names ("national average"), or None if it names none."""
    words = " ".join(text.lower().replace("'", "").split())
    return {
        "national average": ComparatorKind.NATIONAL,
        "national": ComparatorKind.NATIONAL,
        "statistical neighbours average": ComparatorKind.STATISTICAL_NEIGHBOURS,
        "statistical neighbour average": ComparatorKind.STATISTICAL_NEIGHBOURS,
        "statistical neighbours": ComparatorKind.STATISTICAL_NEIGHBOURS,
    }.get(words)


# ---------------------------------------------------------------------------------------------
# Reading: rows of KPIs with their latest values, assessed by the rules
# ---------------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    """A KPI with its latest and previous values and what the rules say about the latest."""

    kpi: Kpi
    latest: KpiValue | None = None
    previous: KpiValue | None = None
    target: KpiTarget | None = None  # in force for the latest period (the newest one if no values yet)
    assessment: Assessment = field(default_factory=lambda: Assessment(None, None, False, None))

    @property
    def status(self) -> KpiStatus | None:
        return self.assessment.status

    @property
    def target_text(self) -> str:
        return target_text(self.target, self.kpi.unit)

    @property
    def tolerance_text(self) -> str:
        return tolerance_text(self.target, self.kpi.unit)


def target_text(target: KpiTarget | None, unit: KpiUnit) -> str:
    """Return the target as a board reads it: "72%" or "National average"."""
    if target is None or not target.has_target:
        return "No target"
    if target.target_comparator is not None:
        return target.target_comparator.label.capitalize()
    return format_number(target.target_value, unit)


def tolerance_text(target: KpiTarget | None, unit: KpiUnit) -> str:
    """Return the tolerance band in words: "68% to 72%", "down to 68%", "up to 4.5%"."""
    if target is None or (target.tolerance_low is None and target.tolerance_high is None):
        return "None"
    low, high = format_number(target.tolerance_low, unit), format_number(target.tolerance_high, unit)
    if target.tolerance_low is not None and target.tolerance_high is not None:
        return f"{low} to {high}"
    return f"Down to {low}" if target.tolerance_low is not None else f"Up to {high}"


def assess_value(kpi: Kpi, target: KpiTarget | None, value: KpiValue | None, previous: KpiValue | None) -> Assessment:
    """Apply the rules to one period's value with the target in force for it."""
    if value is None:
        return Assessment(None, None, False, None)
    resolved = None
    low = high = None
    if target is not None:
        resolved = resolve_target(target.target_value, target.target_comparator, value.national, value.statistical_neighbours)
        low, high = target.tolerance_low, target.tolerance_high
    return assess(kpi.polarity, value.value, previous.value if previous else None, resolved, low, high)


_FAR_FUTURE = literal(date(9999, 12, 31), Date)


def kpi_rows(*criteria) -> list[KpiRow]:
    """Return KPIs matching criteria, in ref order, each with its latest two values — in ONE statement."""
    period_rank = (
        func.row_number().over(partition_by=KpiValue.kpi_id, order_by=KpiValue.period_end.desc()).label("period_rank")
    )
    ranked = select(KpiValue, period_rank).subquery("ranked_value")
    RankedValue = aliased(KpiValue, ranked)
    # The target in force for a period: the latest applies_from on or before its end. KPIs without
    # values get their newest target.
    period = func.coalesce(ranked.c.period_end, _FAR_FUTURE)
    later = aliased(KpiTarget)
    newer_target_applies = (
        select(later.id)
        .where(later.kpi_id == KpiTarget.kpi_id, later.applies_from <= period, later.applies_from > KpiTarget.applies_from)
        .exists()
    )
    statement = (
        select(Kpi, RankedValue, ranked.c.period_rank, KpiTarget)
        .outerjoin(RankedValue, and_(ranked.c.kpi_id == Kpi.id, ranked.c.period_rank <= 2))
        .outerjoin(KpiTarget, and_(KpiTarget.kpi_id == Kpi.id, KpiTarget.applies_from <= period, ~newer_target_applies))
        .options(joinedload(Kpi.owner))
        .where(*criteria)
        .order_by(Kpi.ref_sort, Kpi.id, ranked.c.period_rank)
    )
    rows: dict[int, KpiRow] = {}
    for kpi, value, rank, target in db.session.execute(statement):
        row = rows.setdefault(kpi.id, KpiRow(kpi))
        if value is None or rank == 1:
            row.latest, row.target = value, target
        else:
            row.previous = value
    for row in rows.values():
        row.assessment = assess_value(row.kpi, row.target, row.latest, row.previous)
    return list(rows.values())


def linked_to_workstream(workstream_id: int):
    """Criterion: KPIs linked to the workstream, its sub-workstreams, or a project in either."""
    members = select(Workstream.id).where(or_(Workstream.id == workstream_id, Workstream.parent_id == workstream_id))
    direct = select(kpi_workstream.c.kpi_id).where(kpi_workstream.c.workstream_id.in_(members))
    via_projects = (
        select(kpi_project.c.kpi_id)
        .join(Project, Project.id == kpi_project.c.project_id)
        .where(Project.workstream_id.in_(members))
    )
    return Kpi.id.in_(direct.union(via_projects))


def linked_to_project(project_id: int):
    return Kpi.id.in_(select(kpi_project.c.kpi_id).where(kpi_project.c.project_id == project_id))


def kpis_for(item: Workstream | Project) -> list[KpiRow]:
    """Return the KPIs a workstream or project is meant to move, for its page's KPI panel."""
    if isinstance(item, Workstream):
        return kpi_rows(linked_to_workstream(item.id))
    return kpi_rows(linked_to_project(item.id))


@dataclass
class ScorecardFilters:
    workstream: Workstream | None = None
    status: str | None = None  # green, amber, red or "none"
    frequency: Frequency | None = None

    @property
    def active(self) -> bool:
        return bool(self.workstream or self.status or self.frequency)


def scorecard(filters: ScorecardFilters | None = None) -> list[KpiRow]:
    """Return the scorecard rows; the status filter applies the rules, so it runs after the query."""
    filters = filters or ScorecardFilters()
    criteria = []
    if filters.workstream is not None:
        criteria.append(linked_to_workstream(filters.workstream.id))
    if filters.frequency is not None:
        criteria.append(Kpi.frequency == filters.frequency)
    rows = kpi_rows(*criteria)
    if filters.status == "none":
        rows = [row for row in rows if row.status is None]
    elif filters.status:
        rows = [row for row in rows if row.status is not None and row.status.value == filters.status]
    return rows


@dataclass
class PeriodPoint:
    """One period on the KPI page: the value, the target in force, and what the rules say."""

    value: KpiValue
    target: KpiTarget | None
    assessment: Assessment


def kpi_by_ref(ref: str) -> Kpi | None:
    """Return the KPI with its owner, links, targets and values loaded (a fixed five statements)."""
    return db.session.scalars(
        select(Kpi)
        .where(Kpi.ref == ref)
        .options(
            joinedload(Kpi.owner),
            selectinload(Kpi.workstreams),
            selectinload(Kpi.projects),
            selectinload(Kpi.targets),
            selectinload(Kpi.values),
        )
    ).first()


def period_points(kpi: Kpi) -> list[PeriodPoint]:
    """Return every period in date order, each judged against its own target with the previous period."""
    points = []
    previous = None
    for value in kpi.values:
        target = target_in_force(kpi.targets, value.period_end)
        points.append(PeriodPoint(value, target, assess_value(kpi, target, value, previous)))
        previous = value
    return points


def current_target(kpi: Kpi) -> KpiTarget | None:
    """Return the target in force for the latest period, or the newest target if there are no values."""
    if kpi.values:
        return target_in_force(kpi.targets, kpi.values[-1].period_end)
    return kpi.targets[-1] if kpi.targets else None


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


@dataclass
class KpiDefinition:
    """A KPI as an import row or form states it, already validated."""

    ref: str
    title: str
    unit: KpiUnit
    polarity: Polarity
    frequency: Frequency
    description: str = ""
    target_value: Decimal | None = None
    target_comparator: ComparatorKind | None = None
    tolerance_low: Decimal | None = None
    tolerance_high: Decimal | None = None
    applies_from: date = APPLIES_ALWAYS
    # None means "not stated": leave the KPI's owner or links as they are.
    owner: Person | None = None
    owner_stated: bool = False
    workstreams: list[Workstream] | None = None
    projects: list[Project] | None = None


def save_kpi_definition(definition: KpiDefinition, existing: Kpi | None) -> tuple[Kpi, bool]:
    """Create or update a KPI and the target applying from the definition's date; return (kpi, changed)."""
    kpi = existing or Kpi(ref=definition.ref)
    if existing is None:
        db.session.add(kpi)
    before = _definition_snapshot(kpi) if existing is not None else None
    kpi.title = definition.title
    kpi.description = definition.description
    kpi.unit = definition.unit
    kpi.polarity = definition.polarity
    kpi.frequency = definition.frequency
    if definition.owner_stated:
        kpi.owner = definition.owner
    if definition.workstreams is not None:
        kpi.workstreams = definition.workstreams
    if definition.projects is not None:
        kpi.projects = definition.projects
    target = next((t for t in kpi.targets if t.applies_from == definition.applies_from), None)
    if target is None:
        target = KpiTarget(applies_from=definition.applies_from)
        kpi.targets.append(target)
    target.target_value = definition.target_value
    target.target_comparator = definition.target_comparator
    target.tolerance_low = definition.tolerance_low
    target.tolerance_high = definition.tolerance_high
    return kpi, before is None or before != _definition_snapshot(kpi)


def _definition_snapshot(kpi: Kpi) -> tuple:
    return (
        kpi.title, kpi.description, kpi.unit, kpi.polarity, kpi.frequency, kpi.owner.id if kpi.owner else None,
        tuple(sorted(w.id for w in kpi.workstreams)), tuple(sorted(p.id for p in kpi.projects)),
        tuple((t.applies_from, t.target_value, t.target_comparator, t.tolerance_low, t.tolerance_high) for t in kpi.targets),
    )


@dataclass
class ValueInput:
    """One period's figures as a form or import row states them, already validated."""

    period_end: date
    period_label: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    commentary: str = ""
    national: Decimal | None = None
    statistical_neighbours: Decimal | None = None
    regional: Decimal | None = None


_VALUE_FIELDS = {
    "period_end": "period end",
    "period_label": "period label",
    "numerator": "numerator",
    "denominator": "denominator",
    "commentary": "commentary",
    "national": "national comparator",
    "statistical_neighbours": "statistical neighbours comparator",
    "regional": "regional comparator",
}


def record_value(kpi: Kpi, given: ValueInput, existing: KpiValue | None, source: str, user=None) -> str:
    """Save a period's value, keeping a replaced one in history; return "created", "updated" or "unchanged"."""
    value = value_from_parts(given.value, given.numerator, given.denominator, kpi.unit is KpiUnit.PERCENT)
    if value is None:
        raise ValueError("A value, or a numerator and a denominator, is needed")
    new = {
        "period_end": given.period_end,
        "period_label": given.period_label.strip(),
        "value": value,
        "numerator": given.numerator,
        "denominator": given.denominator,
        "commentary": given.commentary.strip(),
        "national": given.national,
        "statistical_neighbours": given.statistical_neighbours,
        "regional": given.regional,
    }
    if existing is None:
        db.session.add(KpiValue(kpi=kpi, **new))
        return "created"
    changed = [name for name, text in _VALUE_FIELDS.items() if getattr(existing, name) != new[name]]
    value_changed = existing.value != value
    if not changed and not value_changed:
        return "unchanged"
    db.session.add(
        KpiValueHistory(
            kpi_id=kpi.id,
            period_end=new["period_end"],
            period_label=new["period_label"],
            old_value=existing.value,
            new_value=value,
            other_changes=", ".join(_VALUE_FIELDS[name] for name in changed),
            source=source[:200],
            changed_by_id=getattr(user, "id", None),
        )
    )
    for name, item in new.items():
        setattr(existing, name, item)
    return "updated"


def value_history(kpi: Kpi) -> list[KpiValueHistory]:
    """Return the KPI's replaced values, newest first, with who changed them (one statement)."""
    return db.session.scalars(
        select(KpiValueHistory)
        .where(KpiValueHistory.kpi_id == kpi.id)
        .options(joinedload(KpiValueHistory.changed_by))
        .order_by(KpiValueHistory.changed_at.desc(), KpiValueHistory.id.desc())
    ).all()


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "ref", "title", "unit", "polarity", "target", "tolerance_low", "tolerance_high", "latest_period_end",
    "latest_period_label", "latest_value", "status", "direction", "exceeds_tolerance",
)


def export_record(row: KpiRow) -> dict:
    """Return a scorecard row as plain data: numbers as Decimals, target a number or comparator words."""
    target = row.target
    stated_target: Decimal | str | None = None
    if target is not None and target.target_comparator is not None:
        stated_target = target.target_comparator.label
    elif target is not None:
        stated_target = target.target_value
    return {
        "ref": row.kpi.ref,
        "title": row.kpi.title,
        "unit": row.kpi.unit.value,
        "polarity": row.kpi.polarity.value,
        "target": stated_target,
        "tolerance_low": target.tolerance_low if target else None,
        "tolerance_high": target.tolerance_high if target else None,
        "latest_period_end": row.latest.period_end.isoformat() if row.latest else None,
        "latest_period_label": row.latest.period_label if row.latest else None,
        "latest_value": row.latest.value if row.latest else None,
        "status": row.status.value if row.status else None,
        "direction": row.assessment.direction.value if row.assessment.direction else None,
        "exceeds_tolerance": row.assessment.exceeds_tolerance,
    }


def _json_number(value):
    if isinstance(value, Decimal):
        value = value.normalize() + 0
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def scorecard_json(rows: list[KpiRow]) -> list[dict]:
    """Return the export as JSON-ready dicts (numbers as numbers, null for nothing)."""
    return [{key: _json_number(item) for key, item in export_record(row).items()} for row in rows]


def scorecard_csv(rows: list[KpiRow]) -> str:
    """Return the export as CSV text with a header row (true/false, blank for null)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        record = export_record(row)
        cells = []
        for name in EXPORT_FIELDS:
            item = record[name]
            if isinstance(item, bool):
                cells.append("true" if item else "false")
            elif isinstance(item, Decimal):
                cells.append(number_for_export(item))
            else:
                cells.append("" if item is None else item)
        writer.writerow(cells)
    return buffer.getvalue()

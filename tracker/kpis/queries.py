"""Reads for the KPI pages, panels, export and CLI, each in a fixed number of statements.

``kpi_rows`` answers every list of KPIs (scorecard, workstream and project panels, export) in ONE
statement whatever the number of KPIs or values: each KPI with its latest two values and the
target in force for each. Every read names its programme: two programmes may each have a "KPI 1",
and neither may see the other's. Missing things raise ``core.errors.NotFound``, so the CLI can use these too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Date, and_, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.core.errors import NotFound
from tracker.core.refs import ref_slug
from tracker.core.templating import govuk_date
from tracker.extensions import db
from tracker.kpis.models import Frequency, Kpi, KpiTarget, KpiValue, KpiValueHistory, kpi_project, kpi_workstream
from tracker.kpis.numbers import target_text, tolerance_text
from tracker.kpis.rules import Assessment, KpiStatus, assess, resolve_target, target_in_force
from tracker.programme.models import Programme, Project, Workstream
from tracker.programme.queries import plausible_ref

_NO_ASSESSMENT = Assessment(None, None, False, None)
_FAR_FUTURE = literal(date(9999, 12, 31), Date)


@dataclass
class KpiRow:
    """A KPI with its latest and previous values and what the rules say about the latest."""

    kpi: Kpi
    latest: KpiValue | None = None
    previous: KpiValue | None = None
    target: KpiTarget | None = None  # in force for the latest period (the newest one if no values yet)
    assessment: Assessment = field(default_factory=lambda: _NO_ASSESSMENT)

    @property
    def status(self) -> KpiStatus | None:
        return self.assessment.status

    @property
    def target_text(self) -> str:
        return target_text(self.target, self.kpi.unit, self.kpi.places)

    @property
    def tolerance_text(self) -> str:
        return tolerance_text(self.target, self.kpi.unit, self.kpi.places)


@dataclass
class PeriodPoint:
    """One period on the KPI page: the value, the target in force, and what the rules say."""

    value: KpiValue
    target: KpiTarget | None
    assessment: Assessment


@dataclass
class ScorecardFilters:
    workstream: Workstream | None = None
    status: str | None = None  # green, amber, red or "none"
    frequency: Frequency | None = None

    @property
    def active(self) -> bool:
        return bool(self.workstream or self.status or self.frequency)


def assess_value(kpi: Kpi, target: KpiTarget | None, value: KpiValue | None, previous: KpiValue | None) -> Assessment:
    """Apply the rules to one period's value with the target in force for it, at the KPI's published precision."""
    if value is None:
        return _NO_ASSESSMENT
    resolved = None
    low = high = None
    if target is not None:
        resolved = resolve_target(
            target.target_value, target.target_comparator, value.national, value.statistical_neighbours
        )
        low, high = target.tolerance_low, target.tolerance_high
    previous_value = previous.value if previous else None
    return assess(kpi.polarity, value.value, previous_value, resolved, low, high, kpi.places)


def kpi_rows(programme: Programme, *criteria: Any) -> list[KpiRow]:
    """Return the programme's KPIs matching criteria in ref order, each with its latest two values, in ONE statement."""
    return _rows_in(programme.id, *criteria)


def _rows_in(programme_id: int, *criteria: Any) -> list[KpiRow]:
    """Return kpi_rows by the programme's id, so a panel can ask by its item's programme without loading it."""
    period_rank = (
        func.row_number().over(partition_by=KpiValue.kpi_id, order_by=KpiValue.period_end.desc()).label("period_rank")
    )
    ranked = select(KpiValue, period_rank).subquery("ranked_value")
    ranked_value = aliased(KpiValue, ranked)
    # The target in force for a period: the latest applies_from on or before its end. KPIs without
    # values get their newest target.
    period = func.coalesce(ranked.c.period_end, _FAR_FUTURE)
    later = aliased(KpiTarget)
    newer_target_applies = (
        select(later.id)
        .where(
            later.kpi_id == KpiTarget.kpi_id, later.applies_from <= period, later.applies_from > KpiTarget.applies_from
        )
        .exists()
    )
    statement = (
        select(Kpi, ranked_value, ranked.c.period_rank, KpiTarget)
        .outerjoin(ranked_value, and_(ranked.c.kpi_id == Kpi.id, ranked.c.period_rank <= 2))
        .outerjoin(KpiTarget, and_(KpiTarget.kpi_id == Kpi.id, KpiTarget.applies_from <= period, ~newer_target_applies))
        .options(joinedload(Kpi.owner))
        .where(Kpi.programme_id == programme_id, *criteria)
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


def linked_to_workstream(workstream_id: int) -> Any:
    """Return the criterion: KPIs linked to the workstream, its sub-workstreams, or a project in either."""
    members = select(Workstream.id).where(or_(Workstream.id == workstream_id, Workstream.parent_id == workstream_id))
    direct = select(kpi_workstream.c.kpi_id).where(kpi_workstream.c.workstream_id.in_(members))
    via_projects = (
        select(kpi_project.c.kpi_id)
        .join(Project, Project.id == kpi_project.c.project_id)
        .where(Project.workstream_id.in_(members))
    )
    return Kpi.id.in_(direct.union(via_projects))


def linked_to_project(project_id: int) -> Any:
    """Return the criterion: KPIs linked to the project."""
    return Kpi.id.in_(select(kpi_project.c.kpi_id).where(kpi_project.c.project_id == project_id))


def kpis_for(item: Workstream | Project) -> list[KpiRow]:
    """Return the KPIs a workstream or project is meant to move, for its page's KPI panel: its own programme's only."""
    # By the item's programme id: the panel costs one statement, whether or not its programme is loaded.
    if isinstance(item, Workstream):
        return _rows_in(item.programme_id, linked_to_workstream(item.id))
    return _rows_in(item.programme_id, linked_to_project(item.id))


def scorecard(programme: Programme, filters: ScorecardFilters | None = None) -> list[KpiRow]:
    """Return the scorecard rows; the status filter applies the rules, so it runs after the query."""
    filters = filters or ScorecardFilters()
    criteria = []
    if filters.workstream is not None:
        criteria.append(linked_to_workstream(filters.workstream.id))
    if filters.frequency is not None:
        criteria.append(Kpi.frequency == filters.frequency)
    rows = kpi_rows(programme, *criteria)
    if filters.status == "none":
        rows = [row for row in rows if row.status is None]
    elif filters.status:
        rows = [row for row in rows if row.status is not None and row.status.value == filters.status]
    return rows


def kpi_condition(programme: Programme, ref: str) -> Any:
    """Select the programme's KPI a web address names, by its slug ('kpi-12') or the ref itself ('KPI 12', 'kpi 12').

    Every spelling of a ref has the ref's slug, and slugs are unique within a programme, so one
    indexed test finds it.
    """
    return and_(Kpi.programme_id == programme.id, Kpi.slug == ref_slug(plausible_ref(ref, "KPI")))


def kpi_by_ref(programme: Programme, ref: str) -> Kpi:
    """Return the KPI a web address names (slug or ref) with its owner, links, targets and values (five statements)."""
    kpi = db.session.scalars(
        select(Kpi)
        .where(kpi_condition(programme, ref))
        .options(
            joinedload(Kpi.owner),
            selectinload(Kpi.workstreams),
            selectinload(Kpi.projects),
            selectinload(Kpi.targets),
            selectinload(Kpi.values),
        )
    ).first()
    if kpi is None:
        raise NotFound(f"There is no KPI {ref}.")
    return kpi


def value_for_period(kpi: Kpi, period_end: date) -> KpiValue | None:
    """Return the KPI's value for the period ending on that date, or None (from the values already loaded)."""
    return next((value for value in kpi.values if value.period_end == period_end), None)


def stored_value(kpi: Kpi, period_end: str) -> KpiValue:
    """Return the value for the period named in a URL (2022-09-30); raise NotFound if there is none."""
    try:
        period = date.fromisoformat(period_end)
    except ValueError:
        raise NotFound("There is no value for that period.") from None
    value = value_for_period(kpi, period)
    if value is None:
        raise NotFound(f"KPI {kpi.ref} has no value for the period ending {govuk_date(period)}.")
    return value


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


def value_history(kpi: Kpi) -> list[KpiValueHistory]:
    """Return the KPI's replaced values, newest first, with who changed them (one statement)."""
    return list(
        db.session.scalars(
            select(KpiValueHistory)
            .where(KpiValueHistory.kpi_id == kpi.id)
            .options(joinedload(KpiValueHistory.changed_by))
            .order_by(KpiValueHistory.changed_at.desc(), KpiValueHistory.id.desc())
        ).all()
    )

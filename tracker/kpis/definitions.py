"""Saving a KPI's definition and the target applying from a date (the importer is the caller).

A KPI belongs to one programme: a new one is created in the programme the caller names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.extensions import db
from tracker.kpis.models import APPLIES_ALWAYS, ComparatorKind, Frequency, Kpi, KpiTarget, KpiUnit, Polarity
from tracker.people.models import Person
from tracker.programme.models import Programme, Project, Workstream


@dataclass
class KpiDefinition:
    """A KPI as an import row states it, already validated."""

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
    # The places the KPI is published to; None is its unit's default. Set only when stated (a file with the column).
    decimal_places: int | None = None
    decimal_places_stated: bool = False
    # None means "not stated": leave the KPI's owner or links as they are.
    owner: Person | None = None
    owner_stated: bool = False
    workstreams: list[Workstream] | None = None
    projects: list[Project] | None = None


def save_kpi_definition(programme: Programme, definition: KpiDefinition, existing: Kpi | None) -> tuple[Kpi, bool]:
    """Create (in programme) or update a KPI and the target applying from the definition's date; return (kpi, changed).

    ``existing`` is the programme's own KPI with the definition's ref, if any (the caller matched it
    within the programme): another programme's KPI with the same ref is a different KPI.
    """
    kpi = existing or Kpi(programme=programme, ref=definition.ref)
    if existing is None:
        db.session.add(kpi)
    before = _definition_snapshot(kpi) if existing is not None else None
    kpi.title = definition.title
    kpi.description = definition.description
    kpi.unit = definition.unit
    kpi.polarity = definition.polarity
    kpi.frequency = definition.frequency
    if definition.decimal_places_stated:
        kpi.decimal_places = definition.decimal_places
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
        kpi.title,
        kpi.description,
        kpi.unit,
        kpi.polarity,
        kpi.frequency,
        kpi.decimal_places,
        kpi.owner.id if kpi.owner else None,
        tuple(sorted(w.id for w in kpi.workstreams)),
        tuple(sorted(p.id for p in kpi.projects)),
        tuple(
            (t.applies_from, t.target_value, t.target_comparator, t.tolerance_low, t.tolerance_high)
            for t in kpi.targets
        ),
    )

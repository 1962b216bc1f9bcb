"""Builders for KPI test data; each returns a flushed model with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from tests.factories import test_programme
from tracker.extensions import db
from tracker.kpis.models import APPLIES_ALWAYS, ComparatorKind, Frequency, Kpi, KpiTarget, KpiUnit, KpiValue, Polarity

_sequence = itertools.count(1)


def _decimal(number):
    return None if number is None else Decimal(str(number))


def make_kpi(
    ref: str | None = None,
    *,
    target=None,
    tolerance_low=None,
    tolerance_high=None,
    comparator: ComparatorKind | None = None,
    polarity: Polarity | str = Polarity.HIGHER,
    unit: KpiUnit | str = KpiUnit.PERCENT,
    frequency: Frequency | str = Frequency.QUARTERLY,
    workstreams=(),
    projects=(),
    **fields,
) -> Kpi:
    ref = ref or f"KPI{next(_sequence):03d}"
    if "programme_id" not in fields:
        fields.setdefault("programme", test_programme())  # the first programme, as make_workstream's default
    kpi = Kpi(
        ref=ref,
        title=fields.pop("title", f"Measure {ref}"),
        unit=KpiUnit(unit),
        polarity=Polarity(polarity),
        frequency=Frequency(frequency),
        **fields,
    )
    kpi.workstreams = list(workstreams)
    kpi.projects = list(projects)
    if target is not None or comparator is not None or tolerance_low is not None or tolerance_high is not None:
        kpi.targets.append(
            KpiTarget(
                applies_from=APPLIES_ALWAYS,
                target_value=_decimal(target),
                target_comparator=comparator,
                tolerance_low=_decimal(tolerance_low),
                tolerance_high=_decimal(tolerance_high),
            )
        )
    db.session.add(kpi)
    db.session.flush()
    return kpi


def add_target(
    kpi: Kpi, applies_from: date, target=None, tolerance_low=None, tolerance_high=None, comparator=None
) -> KpiTarget:
    target_row = KpiTarget(
        kpi=kpi,
        applies_from=applies_from,
        target_value=_decimal(target),
        target_comparator=comparator,
        tolerance_low=_decimal(tolerance_low),
        tolerance_high=_decimal(tolerance_high),
    )
    db.session.add(target_row)
    db.session.flush()
    return target_row


def make_value(kpi: Kpi, period_end: date, value, label: str | None = None, **fields) -> KpiValue:
    for name in ("numerator", "denominator", "national", "statistical_neighbours", "regional"):
        if name in fields:
            fields[name] = _decimal(fields[name])
    row = KpiValue(
        kpi=kpi,
        period_end=period_end,
        period_label=label or period_end.strftime("%b %Y"),
        value=_decimal(value),
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row

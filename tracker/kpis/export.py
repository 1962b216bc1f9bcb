"""The KPI scorecard as plain data: JSON and CSV, the same from the web download and `flask export kpis`.

``latest_value`` is the value as stored (every place it was entered with), so a figure exported is
the figure imported. Two fields follow the original thirteen: ``decimal_places``, the places the
KPI is published to, and ``latest_value_shown``, the latest value as published and judged (rounded
to those places, ``rules.shown_value``) as text, so "5.0" keeps its trailing zero in JSON too.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from tracker.kpis.numbers import number_for_export
from tracker.kpis.queries import KpiRow
from tracker.spreadsheets.writing import neutralise_text

EXPORT_FIELDS = (
    "ref",
    "title",
    "unit",
    "polarity",
    "target",
    "tolerance_low",
    "tolerance_high",
    "latest_period_end",
    "latest_period_label",
    "latest_value",
    "status",
    "direction",
    "exceeds_tolerance",
    "decimal_places",
    "latest_value_shown",
)


def export_record(row: KpiRow) -> dict[str, Any]:
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
        "decimal_places": row.kpi.places,
        "latest_value_shown": _shown_text(row.assessment.value_shown),
    }


def _shown_text(value: Decimal | None) -> str | None:
    # The shown value is already rounded to the KPI's places: written out with all of them.
    return None if value is None else f"{value:f}"


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = value.normalize() + 0
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _csv_cell(item: Any) -> Any:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, Decimal):
        return number_for_export(item)
    if isinstance(item, str):
        return neutralise_text(item)  # a title or commentary a spreadsheet would otherwise run as a formula
    return "" if item is None else item


def scorecard_json(rows: list[KpiRow]) -> list[dict[str, Any]]:
    """Return the export as JSON-ready dicts (numbers as numbers, null for nothing)."""
    return [{key: _json_number(item) for key, item in export_record(row).items()} for row in rows]


def scorecard_csv(rows: list[KpiRow]) -> str:
    """Return the export as CSV text with a header row (true/false, blank for null)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        record = export_record(row)
        writer.writerow([_csv_cell(record[name]) for name in EXPORT_FIELDS])
    return buffer.getvalue()

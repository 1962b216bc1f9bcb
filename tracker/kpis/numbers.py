"""Read and write KPI numbers, dates and targets the same way in forms, imports, pages and exports."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from tracker.kpis.models import NUMBER_LIMIT, NUMBER_STEP, ComparatorKind, KpiTarget, KpiUnit
from tracker.kpis.rules import shown_value, to_decimal

_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")

_COMPARATOR_WORDS = {
    "national average": ComparatorKind.NATIONAL,
    "national": ComparatorKind.NATIONAL,
    "statistical neighbours average": ComparatorKind.STATISTICAL_NEIGHBOURS,
    "statistical neighbour average": ComparatorKind.STATISTICAL_NEIGHBOURS,
    "statistical neighbours": ComparatorKind.STATISTICAL_NEIGHBOURS,
}


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
    if abs(number) > NUMBER_LIMIT:
        raise ValueError(f"'{text}' is too large")
    if number != number.quantize(NUMBER_STEP):
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


def parse_comparator_target(text: str) -> ComparatorKind | None:
    """Return the comparator a target names ("national average"), or None if it names none."""
    words = " ".join(text.lower().replace("'", "").split())
    return _COMPARATOR_WORDS.get(words)


def plain_number(value: Decimal | float | int | None) -> str:
    """Return a number as people write it: no trailing zeros, thousands separated by commas."""
    number = to_decimal(value)
    if number is None:
        return ""
    number = number.normalize() + 0  # "+ 0" turns -0 into 0
    return f"{number:,f}"


def _with_unit(text: str, unit: KpiUnit | None) -> str:
    if unit is KpiUnit.PERCENT:
        return text + "%"
    if unit is KpiUnit.DAYS:
        return f"{text} day" if text == "1" else f"{text} days"
    return text


def format_number(value: Decimal | float | int | None, unit: KpiUnit | None) -> str:
    """Return the number exactly as stored, with its unit: 69%, 13,104, 12 days (axis ticks, replaced values)."""
    if value is None:
        return ""
    return _with_unit(plain_number(value), unit)


def format_value(value: Decimal | float | int | None, unit: KpiUnit, places: int) -> str:
    """Return a KPI value as it is published: rounded to its places (``rules.shown_value``) and shown with all of them.

    To 1 place 5 reads 5.0%, 4.45 reads 4.5%; to 0 places 90.21 reads 90%.
    """
    number = shown_value(value, places)
    if number is None:
        return ""
    return _with_unit(f"{number:,f}", unit)


def format_stated(value: Decimal | float | int | None, unit: KpiUnit, places: int) -> str:
    """Return a target, band edge or comparator as it was stated, never rounded, with at least the KPI's places.

    Values are judged against these exactly, so they keep every place they were given: to 1 place
    a target of 4 reads 4.0% and a band edge of 0.015 reads 0.015%.
    """
    number = to_decimal(value)
    if number is None:
        return ""
    exponent = int(number.normalize().as_tuple().exponent)
    shown = max(places, -exponent, 0)
    return _with_unit(f"{(number.quantize(Decimal(1).scaleb(-shown)) + 0):,f}", unit)


def number_for_export(value: Decimal | None) -> str:
    """Return a number for CSV and form boxes: no trailing zeros, no thousands separators."""
    if value is None:
        return ""
    return f"{(value.normalize() + 0):f}"


def target_text(target: KpiTarget | None, unit: KpiUnit, places: int = 0) -> str:
    """Return the target as a board reads it: "72%" or "National average" (``places``: the KPI's)."""
    if target is None or not target.has_target:
        return "No target"
    if target.target_comparator is not None:
        return target.target_comparator.label.capitalize()
    return format_stated(target.target_value, unit, places)


def tolerance_text(target: KpiTarget | None, unit: KpiUnit, places: int = 0) -> str:
    """Return the tolerance band in words: "68% to 72%", "down to 68%", "up to 4.5%" (``places``: the KPI's)."""
    if target is None or (target.tolerance_low is None and target.tolerance_high is None):
        return "None"
    low, high = format_stated(target.tolerance_low, unit, places), format_stated(target.tolerance_high, unit, places)
    if target.tolerance_low is not None and target.tolerance_high is not None:
        return f"{low} to {high}"
    return f"Down to {low}" if target.tolerance_low is not None else f"Up to {high}"

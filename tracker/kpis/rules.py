"""The one implementation of KPI status, tolerance outliers, direction of travel, and of how a
period's figures give its value (the value reported, or numerator ÷ denominator).

Pure functions on plain numbers, shared by the pages, the export, the value form, the importer and
``values.save_value``. Numbers are compared as Decimals (floats are converted through their
shortest text form), so a value equal to its target or to a band edge lands exactly where the
rules say, never a rounding error away.

A KPI is judged at the precision it is published at. Given ``places``, the value is first rounded
as it is shown (``shown_value``: round half up, ties away from zero, with Decimal) and only then
compared with the target and the band, which are taken exactly as they were stated: 90.21%
published to 0 places reads 90% and sits inside a band that ends at 90%. Direction of travel
compares the two periods' shown values too, so two values that read the same show no change.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol, TypeVar, cast

from tracker.kpis.models import MAX_DECIMAL_PLACES, NUMBER_STEP, ComparatorKind, Polarity

Number = Decimal | int | float


class KpiStatus(enum.Enum):
    """Red/Amber/Green against target; always shown with its word."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def tag_class(self) -> str:
        return {"green": "govuk-tag--green", "amber": "govuk-tag--orange", "red": "govuk-tag--red"}[self.value]

    @property
    def rank(self) -> int:
        """Higher is better: green 2, amber 1, red 0."""
        return {"green": 2, "amber": 1, "red": 0}[self.value]

    @property
    def definition(self) -> str:
        return {
            "green": "meets or beats the target",
            "amber": "misses the target but is within the tolerance band",
            "red": "misses the target and is outside the tolerance band",
        }[self.value]


class Direction(enum.Enum):
    """Latest value against the previous period's, judged by the KPI's polarity."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no change"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def arrow(self) -> str:
        return {"improving": "↑", "worsening": "↓", "no change": "→"}[self.value]


def to_decimal(number: Number | None) -> Decimal | None:
    """Return number as a Decimal; floats go through repr so 0.1 stays 0.1."""
    if number is None or isinstance(number, Decimal):
        return number
    if isinstance(number, bool):
        raise TypeError("a KPI number cannot be a boolean")
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def shown_value(value: Number | None, places: int | None) -> Decimal | None:
    """Return the value as it is published to ``places`` decimal places; None places leaves it as stored.

    The rounding rule: round half up, a tie going away from zero (as a spreadsheet's ROUND does):
    to 0 places 89.5 reads 90, 90.49 reads 90, -2.5 reads -3; to 1 place 4.45 reads 4.5. The
    rounding is done on the Decimal itself, so 4.45 is a tie, never 4.4499999 as a float would have it.
    """
    number = to_decimal(value)
    if number is None or places is None:
        return number
    if not 0 <= places <= MAX_DECIMAL_PLACES:
        raise ValueError(f"a KPI is published to between 0 and {MAX_DECIMAL_PLACES} decimal places, not {places}")
    # "+ 0" turns the -0 of a small negative value into 0.
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0


def kpi_status(
    polarity: Polarity,
    value: Number | None,
    target: Number | None,
    tolerance_low: Number | None = None,
    tolerance_high: Number | None = None,
    places: int | None = None,
) -> KpiStatus | None:
    """Return green, amber or red for a value, or None when the KPI is not judged against a target.

    With ``places``, the value is judged as it is shown: rounded to that many places (``shown_value``).
    """
    value, target = shown_value(value, places), to_decimal(target)
    low, high = to_decimal(tolerance_low), to_decimal(tolerance_high)
    if polarity is Polarity.TREND or value is None or target is None:
        return None
    if polarity is Polarity.HIGHER:
        if value >= target:
            return KpiStatus.GREEN
        return KpiStatus.AMBER if low is not None and value >= low else KpiStatus.RED
    if polarity is Polarity.LOWER:
        if value <= target:
            return KpiStatus.GREEN
        return KpiStatus.AMBER if high is not None and value <= high else KpiStatus.RED
    # Stable: the band is what must be kept; without one, only the target itself meets it.
    if low is None and high is None:
        return KpiStatus.GREEN if value == target else KpiStatus.RED
    within = (low is None or value >= low) and (high is None or value <= high)
    return KpiStatus.GREEN if within else KpiStatus.RED


def exceeds_tolerance(
    polarity: Polarity,
    value: Number | None,
    tolerance_low: Number | None,
    tolerance_high: Number | None,
    places: int | None = None,
) -> bool:
    """Return True when the value (as shown, given ``places``) lies beyond the favourable edge of the band."""
    value = shown_value(value, places)
    if value is None:
        return False
    if polarity is Polarity.HIGHER:
        high = to_decimal(tolerance_high)
        return high is not None and value > high
    if polarity is Polarity.LOWER:
        low = to_decimal(tolerance_low)
        return low is not None and value < low
    # Stable has no favourable side (outside the band is red) and trend has no band to exceed.
    return False


def direction_of_travel(
    polarity: Polarity,
    latest: Number | None,
    previous: Number | None,
    target: Number | None = None,
    tolerance_low: Number | None = None,
    tolerance_high: Number | None = None,
    places: int | None = None,
) -> Direction | None:
    """Return improving, worsening or no change against the previous period; None if it cannot be judged.

    With ``places``, both values are compared as they are shown: 90.21 then 90.4 to 0 places is no change.
    """
    latest, previous = shown_value(latest, places), shown_value(previous, places)
    if latest is None or previous is None or polarity is Polarity.TREND:
        return None
    if latest == previous:
        return Direction.NO_CHANGE
    if polarity is Polarity.HIGHER:
        return Direction.IMPROVING if latest > previous else Direction.WORSENING
    if polarity is Polarity.LOWER:
        return Direction.IMPROVING if latest < previous else Direction.WORSENING
    # Stable: better means closer to the aim — the target, else the middle of the band.
    aim = stable_aim(to_decimal(target), to_decimal(tolerance_low), to_decimal(tolerance_high))
    if aim is None:
        return None
    before, now = abs(previous - aim), abs(latest - aim)
    if now == before:
        return Direction.NO_CHANGE
    return Direction.IMPROVING if now < before else Direction.WORSENING


def stable_aim(target: Decimal | None, low: Decimal | None, high: Decimal | None) -> Decimal | None:
    """Return what a stable KPI aims at: its target, else the middle of its band."""
    if target is not None:
        return target
    if low is not None and high is not None:
        return (low + high) / 2
    return None


def resolve_target(
    target_value: Number | None,
    target_comparator: ComparatorKind | None,
    national: Number | None,
    statistical_neighbours: Number | None,
) -> Decimal | None:
    """Return the number a value is judged against: the fixed target, or the same period's comparator."""
    if target_comparator is ComparatorKind.NATIONAL:
        return to_decimal(national)
    if target_comparator is ComparatorKind.STATISTICAL_NEIGHBOURS:
        return to_decimal(statistical_neighbours)
    return to_decimal(target_value)


class DatedTarget(Protocol):
    applies_from: date


Dated = TypeVar("Dated", bound=DatedTarget)


def target_in_force(targets: Iterable[Dated], period_end: date) -> Dated | None:
    """Return the target with the latest applies_from on or before period_end, or None."""
    best: Dated | None = None
    for target in targets:
        if target.applies_from <= period_end and (best is None or target.applies_from > best.applies_from):
            best = target
    return best


class PartsProblem(enum.Enum):
    """Why a period's figures cannot give a value; each belongs to the field it names."""

    NO_VALUE = "value"
    ZERO_DENOMINATOR = "denominator"

    @property
    def field(self) -> str:
        return self.value

    @property
    def message(self) -> str:
        """Return the words on the value form, and in a save's refusal."""
        return {
            "value": "Enter a value, or both a numerator and a denominator",
            "denominator": "Denominator cannot be 0",
        }[self.value]

    @property
    def import_message(self) -> str:
        """Return the words in an import's list of row problems."""
        # Worded for a spreadsheet row rather than a form; both wordings are pinned by tests.
        return {
            "value": "Give a value, or both a numerator and a denominator",
            "denominator": "The denominator cannot be 0",
        }[self.value]


def parts_problem(
    value: Decimal | None, numerator: Decimal | None, denominator: Decimal | None, unread: bool = False
) -> PartsProblem | None:
    """Return what stops these figures giving a value, or None; `unread`: a part was given but is not a number."""
    if denominator is not None and denominator == 0:
        return PartsProblem.ZERO_DENOMINATOR
    # A part that could not be read has its own message; whether a value is missing cannot be told.
    if not unread and value is None and (numerator is None or denominator is None):
        return PartsProblem.NO_VALUE
    return None


def value_from_parts(
    value: Decimal | None, numerator: Decimal | None, denominator: Decimal | None, percent: bool
) -> Decimal | None:
    """Return the value to record: the reported value stands; else numerator / denominator (× 100 for percent).

    None when ``parts_problem`` finds the figures cannot give a value.
    """
    if parts_problem(value, numerator, denominator) is not None:
        return None
    if value is not None:
        return value
    computed = cast(Decimal, numerator) / cast(Decimal, denominator) * (100 if percent else 1)
    # Six places is what the database keeps; rounding here means a re-import compares equal.
    return computed.quantize(NUMBER_STEP)


@dataclass(frozen=True)
class Assessment:
    """Everything the rules say about one period's value."""

    target: Decimal | None
    status: KpiStatus | None
    exceeds_tolerance: bool
    direction: Direction | None
    # The value as it is published (rounded to the KPI's places): what pages show and the rules judged.
    value_shown: Decimal | None = None


def assess(
    polarity: Polarity,
    value: Number | None,
    previous: Number | None,
    target: Number | None,
    tolerance_low: Number | None,
    tolerance_high: Number | None,
    places: int | None = None,
) -> Assessment:
    """Apply status, outlier and direction rules together, as every page and export shows them.

    ``places`` is the KPI's published precision: the values are judged as they are shown.
    """
    return Assessment(
        target=to_decimal(target),
        status=kpi_status(polarity, value, target, tolerance_low, tolerance_high, places),
        exceeds_tolerance=exceeds_tolerance(polarity, value, tolerance_low, tolerance_high, places),
        direction=direction_of_travel(polarity, value, previous, target, tolerance_low, tolerance_high, places),
        value_shown=shown_value(value, places),
    )

"""The KPI status, outlier and direction rules: every branch, every boundary, and properties that must always hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.kpis.models import ComparatorKind, Polarity
from tracker.kpis.rules import (
    Direction,
    KpiStatus,
    PartsProblem,
    direction_of_travel,
    exceeds_tolerance,
    kpi_status,
    parts_problem,
    resolve_target,
    target_in_force,
    value_from_parts,
)

HIGHER, LOWER, STABLE, TREND = Polarity.HIGHER, Polarity.LOWER, Polarity.STABLE, Polarity.TREND
GREEN, AMBER, RED = KpiStatus.GREEN, KpiStatus.AMBER, KpiStatus.RED

# (polarity, value, target, tolerance_low, tolerance_high, expected status, expected exceeds_tolerance)
STATUS_CASES = [
    # higher is better: value >= target green; low <= value < target amber; below red; above high an outlier
    (HIGHER, "75", "72", "68", "80", GREEN, False),
    (HIGHER, "72", "72", "68", "80", GREEN, False),  # equal to target
    (HIGHER, "71.999", "72", "68", "80", AMBER, False),
    (HIGHER, "68", "72", "68", "80", AMBER, False),  # equal to the low edge
    (HIGHER, "67.999", "72", "68", "80", RED, False),
    (HIGHER, "80", "72", "68", "80", GREEN, False),  # equal to the favourable edge: not beyond it
    (HIGHER, "80.001", "72", "68", "80", GREEN, True),
    (HIGHER, "72", "72", None, None, GREEN, False),  # no band: meets target
    (HIGHER, "71.9", "72", None, None, RED, False),  # no band: misses target
    (HIGHER, "71", "72", None, "80", RED, False),  # only the favourable edge: no amber zone
    (HIGHER, "90", "72", None, "80", GREEN, True),
    (HIGHER, "-5", "0", "-10", None, AMBER, False),  # negative numbers behave the same
    # lower is better: value <= target green; target < value <= high amber; above red; below low an outlier
    (LOWER, "3.5", "4", "3", "4.5", GREEN, False),
    (LOWER, "4", "4", "3", "4.5", GREEN, False),  # equal to target
    (LOWER, "4.001", "4", "3", "4.5", AMBER, False),
    (LOWER, "4.5", "4", "3", "4.5", AMBER, False),  # equal to the high edge
    (LOWER, "4.501", "4", "3", "4.5", RED, False),
    (LOWER, "3", "4", "3", "4.5", GREEN, False),  # equal to the favourable edge
    (LOWER, "2.999", "4", "3", "4.5", GREEN, True),
    (LOWER, "4", "4", None, None, GREEN, False),
    (LOWER, "4.01", "4", None, None, RED, False),
    (LOWER, "4.2", "4", "3", None, RED, False),  # only the favourable edge: no amber zone
    # stable: within [low, high] green, outside red; no favourable side, so never an outlier
    (STABLE, "100", "100", "95", "105", GREEN, False),
    (STABLE, "95", "100", "95", "105", GREEN, False),  # equal to the low edge
    (STABLE, "105", "100", "95", "105", GREEN, False),  # equal to the high edge
    (STABLE, "94.99", "100", "95", "105", RED, False),
    (STABLE, "105.01", "100", "95", "105", RED, False),
    (STABLE, "100", "100", None, None, GREEN, False),  # no band: meets target exactly
    (STABLE, "100.1", "100", None, None, RED, False),
    (STABLE, "500", "100", "95", None, GREEN, False),  # a one-sided band is open on the other side
    (STABLE, "94", "100", "95", None, RED, False),
    # trend, or no target: no status
    (TREND, "278", None, None, None, None, False),
    (TREND, "278", "100", "90", "110", None, False),
    (HIGHER, "70", None, "68", None, None, False),
    (LOWER, "5", None, None, "4.5", None, False),
    (STABLE, "100", None, "95", "105", None, False),
    (HIGHER, None, "72", "68", "80", None, False),  # no value
]


def _d(text):
    return None if text is None else D(text)


@pytest.mark.parametrize("polarity, value, target, low, high, status, exceeds", STATUS_CASES)
def test_status_and_outlier_rules(polarity, value, target, low, high, status, exceeds):
    assert kpi_status(polarity, _d(value), _d(target), _d(low), _d(high)) is status
    assert exceeds_tolerance(polarity, _d(value), _d(low), _d(high)) is exceeds


def test_float_inputs_meet_boundaries_exactly():
    """0.015 as a float is 0.01499999…; the rules read it as the 0.015 it was written as."""
    assert kpi_status(LOWER, 0.015, D("0.01"), None, D("0.015")) is AMBER
    assert kpi_status(LOWER, 4.5, 4, None, 4.5) is AMBER
    assert kpi_status(HIGHER, 99.5, D("99.5"), 99, None) is GREEN
    assert kpi_status(STABLE, 0.1, 0.1, None, None) is GREEN
    assert exceeds_tolerance(HIGHER, 80.0, 68, 80) is False


# (polarity, latest, previous, target, low, high, expected direction)
DIRECTION_CASES = [
    (HIGHER, "70", "69", None, None, None, Direction.IMPROVING),
    (HIGHER, "69", "70", None, None, None, Direction.WORSENING),
    (HIGHER, "70", "70", None, None, None, Direction.NO_CHANGE),
    (HIGHER, "70", None, None, None, None, None),  # no previous value
    (LOWER, "3.8", "3.5", "5", None, None, Direction.WORSENING),
    (LOWER, "2.2", "3.8", "5", None, None, Direction.IMPROVING),
    (LOWER, "2.2", "2.2", "5", None, None, Direction.NO_CHANGE),
    (LOWER, None, "2.2", "5", None, None, None),
    # stable: closer to the target (or the middle of the band when there is no target) is better
    (STABLE, "101", "103", "100", "95", "105", Direction.IMPROVING),
    (STABLE, "103", "101", "100", "95", "105", Direction.WORSENING),
    (STABLE, "99", "101", "100", "95", "105", Direction.NO_CHANGE),  # same distance, other side
    (STABLE, "104", "110", None, "90", "110", Direction.IMPROVING),  # aim is the band's middle, 100
    (STABLE, "100", "100", None, None, None, Direction.NO_CHANGE),
    (STABLE, "100", "101", None, None, None, None),  # nothing to aim at
    # trend: monitored, not judged
    (TREND, "278", "244", None, None, None, None),
    (TREND, "278", "278", None, None, None, None),
]


@pytest.mark.parametrize("polarity, latest, previous, target, low, high, expected", DIRECTION_CASES)
def test_direction_of_travel(polarity, latest, previous, target, low, high, expected):
    assert direction_of_travel(polarity, _d(latest), _d(previous), _d(target), _d(low), _d(high)) is expected


@pytest.mark.parametrize(
    "comparator, fixed, national, neighbours, expected",
    [
        (None, "72", "60", "58", "72"),
        (ComparatorKind.NATIONAL, None, "60", "58", "60"),
        (ComparatorKind.STATISTICAL_NEIGHBOURS, None, "60", "58", "58"),
        (ComparatorKind.NATIONAL, None, None, "58", None),  # not published: no target
        (ComparatorKind.STATISTICAL_NEIGHBOURS, None, "60", None, None),
        (None, None, "60", "58", None),
    ],
)
def test_comparator_targets_use_the_same_periods_comparator(comparator, fixed, national, neighbours, expected):
    assert resolve_target(_d(fixed), comparator, _d(national), _d(neighbours)) == _d(expected)


def test_a_missing_comparator_means_no_status():
    target = resolve_target(None, ComparatorKind.NATIONAL, None, D("58"))
    assert kpi_status(HIGHER, D("61"), target, None, None) is None


def test_comparator_target_status_at_the_boundary():
    target = resolve_target(None, ComparatorKind.NATIONAL, D("60.5"), D("58"))
    assert kpi_status(HIGHER, D("60.5"), target, D("55"), None) is GREEN
    assert kpi_status(HIGHER, D("60.4"), target, D("55"), None) is AMBER


@dataclass
class _Target:
    applies_from: date
    name: str


@pytest.mark.parametrize(
    "period_end, expected",
    [
        (date(2021, 3, 31), None),  # before any target applied
        (date(2022, 3, 31), None),
        (date(2022, 4, 1), "2022/23"),  # on the day it applies
        (date(2023, 3, 31), "2022/23"),
        (date(2023, 4, 1), "2023/24"),
        (date(2030, 1, 1), "2023/24"),
    ],
)
def test_the_target_in_force_is_the_latest_applying_on_or_before_the_period_end(period_end, expected):
    targets = [_Target(date(2023, 4, 1), "2023/24"), _Target(date(2022, 4, 1), "2022/23")]  # any order
    found = target_in_force(targets, period_end)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    "value, numerator, denominator, percent, expected",
    [
        (None, "45", "60", True, "75"),  # × 100 for percent
        (None, "45", "60", False, "0.75"),
        (None, "1", "3", True, "33.333333"),  # kept to the six places the database holds
        ("70", "45", "60", True, "70"),  # the reported value stands
        ("0", "45", "60", True, "0"),  # a reported zero is still a reported value
        (None, "45", None, True, None),
        (None, None, "60", True, None),
        (None, "45", "0", True, None),
        (None, None, None, False, None),
    ],
)
def test_value_from_numerator_and_denominator(value, numerator, denominator, percent, expected):
    assert value_from_parts(_d(value), _d(numerator), _d(denominator), percent) == _d(expected)


@pytest.mark.parametrize(
    "value, numerator, denominator, unread, expected",
    [
        ("70", None, None, False, None),
        (None, "45", "60", False, None),
        ("70", "45", "60", False, None),
        (None, None, None, False, PartsProblem.NO_VALUE),
        (None, "45", None, False, PartsProblem.NO_VALUE),
        (None, None, "60", False, PartsProblem.NO_VALUE),
        (None, "45", "0", False, PartsProblem.ZERO_DENOMINATOR),
        ("70", None, "0", False, PartsProblem.ZERO_DENOMINATOR),  # a zero denominator is wrong beside a value too
        (None, None, None, True, None),  # a part that is not a number has its own message
        (None, None, "0", True, PartsProblem.ZERO_DENOMINATOR),
    ],
)
def test_the_value_or_parts_rule(value, numerator, denominator, unread, expected):
    assert parts_problem(_d(value), _d(numerator), _d(denominator), unread=unread) is expected
    if not unread:
        # A value is recorded exactly when the rule finds no problem.
        recorded = value_from_parts(_d(value), _d(numerator), _d(denominator), percent=True)
        assert (recorded is None) == (expected is not None)


# --- properties --------------------------------------------------------------------------------

numbers = st.decimals(min_value=-10_000, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)
maybe = st.one_of(st.none(), numbers)


@st.composite
def bands(draw):
    """A target with an optional band around it (low <= target <= high), as the importer allows."""
    target = draw(numbers)
    low = draw(st.one_of(st.none(), st.decimals(min_value=-20_000, max_value=target, places=3)))
    high = draw(st.one_of(st.none(), st.decimals(min_value=target, max_value=20_000, places=3)))
    return target, low, high


def _rank(status):
    return status.rank


@settings(max_examples=300, deadline=None)
@given(band=bands(), a=numbers, b=numbers)
def test_a_better_value_never_gets_a_worse_status(band, a, b):
    target, low, high = band
    better, worse = max(a, b), min(a, b)
    assert _rank(kpi_status(HIGHER, better, target, low, high)) >= _rank(kpi_status(HIGHER, worse, target, low, high))
    assert _rank(kpi_status(LOWER, worse, target, low, high)) >= _rank(kpi_status(LOWER, better, target, low, high))


@settings(max_examples=300, deadline=None)
@given(band=bands(), value=numbers)
def test_green_exactly_when_the_target_is_met_and_amber_only_inside_the_band(band, value):
    target, low, high = band
    higher = kpi_status(HIGHER, value, target, low, high)
    lower = kpi_status(LOWER, value, target, low, high)
    assert (higher is GREEN) == (value >= target)
    assert (lower is GREEN) == (value <= target)
    if higher is AMBER:
        assert low is not None and low <= value < target
    if lower is AMBER:
        assert high is not None and target < value <= high
    stable = kpi_status(STABLE, value, target, low, high)
    assert stable in (GREEN, RED)
    if low is not None or high is not None:
        assert (stable is GREEN) == ((low is None or value >= low) and (high is None or value <= high))
    assert kpi_status(TREND, value, target, low, high) is None


@settings(max_examples=300, deadline=None)
@given(band=bands(), value=numbers)
def test_an_outlier_on_the_good_side_is_always_green(band, value):
    target, low, high = band
    if exceeds_tolerance(HIGHER, value, low, high):
        assert kpi_status(HIGHER, value, target, low, high) is GREEN and value > high
    if exceeds_tolerance(LOWER, value, low, high):
        assert kpi_status(LOWER, value, target, low, high) is GREEN and value < low
    assert exceeds_tolerance(STABLE, value, low, high) is False
    assert exceeds_tolerance(TREND, value, low, high) is False


@settings(max_examples=300, deadline=None)
@given(latest=numbers, previous=numbers, target=maybe)
def test_direction_never_contradicts_polarity(latest, previous, target):
    higher = direction_of_travel(HIGHER, latest, previous, target)
    lower = direction_of_travel(LOWER, latest, previous, target)
    if latest > previous:
        assert (higher, lower) == (Direction.IMPROVING, Direction.WORSENING)
    elif latest < previous:
        assert (higher, lower) == (Direction.WORSENING, Direction.IMPROVING)
    else:
        assert higher is lower is Direction.NO_CHANGE
    assert direction_of_travel(TREND, latest, previous, target) is None


@settings(max_examples=200, deadline=None)
@given(
    band=bands(),
    a=st.floats(min_value=-10_000, max_value=10_000, allow_nan=False),
    b=st.floats(min_value=-10_000, max_value=10_000, allow_nan=False),
)
def test_floats_follow_the_same_order_as_decimals(band, a, b):
    target, low, high = band
    better, worse = max(a, b), min(a, b)
    assert _rank(kpi_status(HIGHER, better, target, low, high)) >= _rank(kpi_status(HIGHER, worse, target, low, high))

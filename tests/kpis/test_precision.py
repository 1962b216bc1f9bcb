"""KPIs judged at the precision they are published at: round half up to the KPI's places, then judge."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.factories import make_programme, test_programme
from tests.kpis.factories import make_kpi, make_value
from tracker.extensions import db
from tracker.kpis.importer import ImportRejected, import_kpis
from tracker.kpis.models import ComparatorKind, Kpi, KpiUnit, Polarity
from tracker.kpis.numbers import format_stated, format_value
from tracker.kpis.rules import (
    Direction,
    KpiStatus,
    assess,
    direction_of_travel,
    exceeds_tolerance,
    kpi_status,
    resolve_target,
    shown_value,
)

HIGHER, LOWER, STABLE = Polarity.HIGHER, Polarity.LOWER, Polarity.STABLE
GREEN, AMBER, RED = KpiStatus.GREEN, KpiStatus.AMBER, KpiStatus.RED
KPI_HEADER = "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description"


def _d(text):
    return None if text is None else D(text)


@pytest.mark.parametrize(
    "value, places, shown",
    [
        ("90.21", 0, "90"),
        ("89.5", 0, "90"),  # a half rounds up
        ("89.49", 0, "89"),
        ("4.45", 1, "4.5"),  # exactly, not 4.4499999 as a float would be
        ("4.449999", 1, "4.4"),
        ("0.015", 2, "0.02"),
        ("0.0149", 2, "0.01"),
        ("5", 1, "5.0"),
        ("-2.5", 0, "-3"),  # a tie goes away from zero, as a spreadsheet's ROUND does
        ("-0.4", 0, "0"),  # never -0
        ("33.333333", 6, "33.333333"),
        ("72", None, "72"),  # no places: as stored
    ],
)
def test_a_value_is_shown_rounded_half_up_to_its_places(value, places, shown):
    result = shown_value(D(value), places)
    assert str(result) == shown


def test_places_outside_0_to_6_are_a_programming_error():
    with pytest.raises(ValueError):
        shown_value(D("1"), 7)


# (polarity, places, value, target, low, high, status, exceeds) — each value sits just either side of a number
# that rounding puts it on: the target, a band edge or the favourable edge.
EDGE_CASES = [
    # higher is better, 0 places: target 95, band down to 90, favourable edge 99
    (HIGHER, 0, "94.5", "95", "90", "99", GREEN, False),  # rounds onto the target
    (HIGHER, 0, "94.49", "95", "90", "99", AMBER, False),
    (HIGHER, 0, "89.5", "95", "90", "99", AMBER, False),  # rounds onto the bottom of the band
    (HIGHER, 0, "89.49", "95", "90", "99", RED, False),
    (HIGHER, 0, "99.49", "95", "90", "99", GREEN, False),  # reads 99: on the favourable edge, not beyond
    (HIGHER, 0, "99.5", "95", "90", "99", GREEN, True),
    # higher is better, 1 place
    (HIGHER, 1, "72.45", "72.5", "68.2", None, GREEN, False),
    (HIGHER, 1, "72.449", "72.5", "68.2", None, AMBER, False),
    (HIGHER, 1, "68.15", "72.5", "68.2", None, AMBER, False),
    (HIGHER, 1, "68.149", "72.5", "68.2", None, RED, False),
    # higher is better, 2 places
    (HIGHER, 2, "99.495", "99.5", "99", None, GREEN, False),
    (HIGHER, 2, "99.4949", "99.5", "99", None, AMBER, False),
    (HIGHER, 2, "98.995", "99.5", "99", None, AMBER, False),
    (HIGHER, 2, "98.9949", "99.5", "99", None, RED, False),
    # lower is better, 0 places: the brief's rate of 90.21% reads 90% and sits inside a band that ends at 90
    (LOWER, 0, "90.21", "85", "80", "90", AMBER, False),
    (LOWER, 0, "90.5", "85", "80", "90", RED, False),
    (LOWER, 0, "85.49", "85", "80", "90", GREEN, False),  # rounds onto the target
    (LOWER, 0, "85.5", "85", "80", "90", AMBER, False),
    (LOWER, 0, "79.5", "85", "80", "90", GREEN, False),  # reads 80: on the favourable edge, not beyond
    (LOWER, 0, "79.49", "85", "80", "90", GREEN, True),
    # lower is better, 1 place
    (LOWER, 1, "4.04", "4", None, "4.5", GREEN, False),
    (LOWER, 1, "4.05", "4", None, "4.5", AMBER, False),
    (LOWER, 1, "4.54", "4", None, "4.5", AMBER, False),
    (LOWER, 1, "4.55", "4", None, "4.5", RED, False),
    # lower is better, 2 places
    (LOWER, 2, "0.015", "0.01", None, "0.02", AMBER, False),
    (LOWER, 2, "0.0149", "0.01", None, "0.02", GREEN, False),
    (LOWER, 2, "0.0249", "0.01", None, "0.02", AMBER, False),
    (LOWER, 2, "0.025", "0.01", None, "0.02", RED, False),
    # stable, 0 places: band 95 to 105
    (STABLE, 0, "94.5", "100", "95", "105", GREEN, False),
    (STABLE, 0, "94.49", "100", "95", "105", RED, False),
    (STABLE, 0, "105.49", "100", "95", "105", GREEN, False),
    (STABLE, 0, "105.5", "100", "95", "105", RED, False),
]


@pytest.mark.parametrize("polarity, places, value, target, low, high, status, exceeds", EDGE_CASES)
def test_status_and_tolerance_are_judged_on_the_value_as_shown(
    polarity, places, value, target, low, high, status, exceeds
):
    assert kpi_status(polarity, D(value), D(target), _d(low), _d(high), places) is status
    assert exceeds_tolerance(polarity, D(value), _d(low), _d(high), places) is exceeds
    assessment = assess(polarity, D(value), None, D(target), _d(low), _d(high), places)
    assert (assessment.status, assessment.exceeds_tolerance) == (status, exceeds)
    assert assessment.value_shown == shown_value(D(value), places)


def test_without_places_the_value_is_judged_as_stored():
    assert kpi_status(HIGHER, D("94.5"), D("95"), D("90"), None) is AMBER
    assert kpi_status(HIGHER, D("94.5"), D("95"), D("90"), None, 0) is GREEN


@pytest.mark.parametrize(
    "places, value, national, status",
    [
        # The comparator is the target exactly as it was published; only the KPI's own value is rounded.
        (0, "60.4", "60.5", AMBER),  # reads 60, under 60.5
        (0, "60.5", "60.5", GREEN),  # reads 61
        (0, "59.5", "60", GREEN),  # reads 60: onto the target
        (0, "59.49", "60", AMBER),
        (1, "60.45", "60.5", GREEN),  # reads 60.5
        (1, "60.449", "60.5", AMBER),
        (2, "54.995", "60", RED),  # reads 55.00, under the band's 55.01
    ],
)
def test_a_comparator_target_is_met_by_the_value_as_shown(places, value, national, status):
    target = resolve_target(None, ComparatorKind.NATIONAL, D(national), None)
    assert kpi_status(HIGHER, D(value), target, D("55.01"), None, places) is status


@pytest.mark.parametrize(
    "places, latest, previous, expected",
    [
        (0, "90.4", "90.21", Direction.NO_CHANGE),  # both read 90
        (1, "90.4", "90.21", Direction.IMPROVING),
        (0, "90.5", "90.21", Direction.IMPROVING),  # 91 against 90
        (None, "90.4", "90.21", Direction.IMPROVING),
    ],
)
def test_direction_compares_the_values_as_shown(places, latest, previous, expected):
    assert direction_of_travel(HIGHER, D(latest), D(previous), places=places) is expected


numbers = st.decimals(min_value=-10_000, max_value=10_000, places=6, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    value=numbers,
    target=numbers,
    places=st.integers(min_value=0, max_value=6),
    polarity=st.sampled_from([HIGHER, LOWER, STABLE]),
)
def test_judging_at_places_is_judging_the_shown_value(value, target, places, polarity):
    low, high = target - 5, target + 5
    shown = shown_value(value, places)
    assert kpi_status(polarity, value, target, low, high, places) is kpi_status(polarity, shown, target, low, high)
    assert abs(shown - value) <= D("0.5") * D(10) ** -places


@pytest.mark.parametrize(
    "unit, places",
    [(KpiUnit.PERCENT, 0), (KpiUnit.NUMBER, 0), (KpiUnit.RATE, 1), (KpiUnit.DAYS, 0), (KpiUnit.SCORE, 1)],
)
def test_each_unit_has_a_default_number_of_places(app, unit, places):
    assert unit.default_decimal_places == places
    kpi = make_kpi(unit=unit)
    assert (kpi.decimal_places, kpi.places) == (None, places)
    kpi.decimal_places = 3
    assert kpi.places == 3


@pytest.mark.parametrize(
    "value, unit, places, shown, stated",
    [
        ("90.21", KpiUnit.PERCENT, 0, "90%", "90.21%"),
        ("5", KpiUnit.PERCENT, 1, "5.0%", "5.0%"),
        ("0.015", KpiUnit.PERCENT, 2, "0.02%", "0.015%"),  # a target is never rounded
        ("13104", KpiUnit.NUMBER, 0, "13,104", "13,104"),
        ("1", KpiUnit.DAYS, 0, "1 day", "1 day"),
        ("1", KpiUnit.DAYS, 1, "1.0 days", "1.0 days"),
        ("35.25", KpiUnit.RATE, 1, "35.3", "35.25"),
    ],
)
def test_values_are_shown_at_their_places_and_targets_as_stated(value, unit, places, shown, stated):
    assert format_value(D(value), unit, places) == shown
    assert format_stated(D(value), unit, places) == stated


# --- the import's decimal_places column ------------------------------------------------------------


def stored(ref: str) -> Kpi:
    return db.session.scalars(select(Kpi).where(Kpi.ref == ref)).one()


def test_the_import_reads_decimal_places_and_old_files_leave_them_alone(app):
    summary = import_kpis(
        "\n".join(
            [
                KPI_HEADER + ",decimal_places",
                "KPI01,Absence,percent,lower,annual,4,,4.5,,1",
                "KPI02,Rate,rate,higher,annual,30,,,,",
            ]
        ),
        programme=test_programme(),
    )
    db.session.commit()
    assert summary.created == 2
    assert (stored("KPI01").decimal_places, stored("KPI01").places) == (1, 1)
    assert (stored("KPI02").decimal_places, stored("KPI02").places) == (None, 1)  # blank: the unit's default
    # A file without the column (as every file before it) imports, and keeps each KPI's places.
    old = import_kpis(KPI_HEADER + "\nKPI01,Absence,percent,lower,annual,4,,4.5,\n", programme=test_programme())
    db.session.commit()
    assert old.unchanged == 1 and stored("KPI01").decimal_places == 1
    changed = import_kpis(
        KPI_HEADER + ",decimal_places\nKPI01,Absence,percent,lower,annual,4,,4.5,,2\n", programme=test_programme()
    )
    db.session.commit()
    assert changed.updated == 1 and stored("KPI01").decimal_places == 2


@pytest.mark.parametrize("cell", ["7", "1.5", "two", "-1"])
def test_decimal_places_outside_0_to_6_are_refused(app, cell):
    with pytest.raises(ImportRejected) as caught:
        import_kpis(
            f"{KPI_HEADER},decimal_places\nKPI01,Absence,percent,lower,annual,4,,4.5,,{cell}\n",
            programme=test_programme(),
        )
    assert [str(p) for p in caught.value.problems] == [
        f"Row 2, column decimal_places: '{cell}' is not a number of decimal places; enter a whole number "
        "from 0 to 6, or leave it blank for the unit's default"
    ]


def test_rows_of_one_kpi_must_agree_on_its_places(app):
    with pytest.raises(ImportRejected) as caught:
        import_kpis(
            f"{KPI_HEADER},applies_from,decimal_places\n"
            "KPI01,Absence,percent,lower,annual,4,,4.5,,,1\n"
            "KPI01,Absence,percent,lower,annual,3.8,,4.2,,2023-04-01,2\n",
            programme=test_programme(),
        )
    assert "with a different definition" in str(caught.value.problems[0])


# --- pages and exports show the published value and judge it --------------------------------------


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style|title|desc)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


@pytest.fixture
def published(app):
    """A lower-is-better per cent at 0 places (90.21 reads 90, inside the band ending at 90); absence at 1 place."""
    make_programme()
    rate = make_kpi("KPI 20", target=85, tolerance_high=90, polarity="lower", unit="percent")
    make_value(rate, date(2023, 3, 31), "90.6", "Q4 2022/23")
    make_value(rate, date(2023, 6, 30), "90.21", "Q1 2023/24")
    absence = make_kpi("KPI 21", target=4, tolerance_high=4.5, polarity="lower", decimal_places=1)
    make_value(absence, date(2023, 6, 30), "4.55", "2022/23")
    db.session.commit()


def test_the_scorecard_and_kpi_page_show_and_judge_the_published_value(viewer_client, published):
    page = text_of(viewer_client.get("/p/test/kpis"))
    assert re.search(r"KPI 20 Measure KPI 20 .*? 90% Q1 2023/24 85% Up to 90% Amber ↑ Improving", page)
    assert re.search(r"KPI 21 Measure KPI 21 .*? 4.6% 2022/23 4.0% Up to 4.5% Red No previous value", page)
    response = viewer_client.get("/p/test/kpis/kpi-20")
    page = text_of(response)
    assert "90% in Q1 2023/24 against a target of 85%" in page
    assert "Decimal places 0 (published as whole numbers, the default for per cent)" in page
    assert re.search(r"Q1 2023/24 ending 30 June 2023 90% 85% Amber ↑ Improving", page)
    assert re.search(r"Q4 2022/23 ending 31 March 2023 91% 85% Red No previous value", page)
    svg = re.search(r"<svg[^>]*app-kpi-chart.*?</svg>", response.get_data(as_text=True), flags=re.S).group(0)
    labels = re.findall(r'class="app-chart__value">([^<]+)<', svg)
    assert labels == ["91%", "90%"]
    assert "Latest value 90% against a target of 85%: Amber" in svg
    assert "Decimal places 1 (published to 1 decimal place)" in text_of(viewer_client.get("/p/test/kpis/kpi-21"))


def test_exports_keep_the_stored_value_and_add_the_published_one(viewer_client, published):
    records = {r["ref"]: r for r in json.loads(viewer_client.get("/p/test/kpis.json").get_data(as_text=True))}
    rate, absence = records["KPI 20"], records["KPI 21"]
    assert (rate["latest_value"], rate["latest_value_shown"], rate["decimal_places"], rate["status"]) == (
        90.21,
        "90",
        0,
        "amber",
    )
    assert (absence["latest_value"], absence["latest_value_shown"], absence["decimal_places"]) == (4.55, "4.6", 1)
    csv_text = viewer_client.get("/p/test/kpis.csv").get_data(as_text=True)
    assert (
        "KPI 20,Measure KPI 20,percent,lower,85,,90,2023-06-30,Q1 2023/24,90.21,amber,improving,false,0,90" in csv_text
    )

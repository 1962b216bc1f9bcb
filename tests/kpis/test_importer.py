"""CSV import: good files create and update; any bad row rejects the whole file with row numbers and nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_person, make_project, make_workstream, test_programme
from tests.kpis.factories import make_kpi
from tracker.extensions import db
from tracker.kpis.importer import ImportRejected, import_kpi_values, import_kpis
from tracker.kpis.models import APPLIES_ALWAYS, ComparatorKind, Kpi, KpiTarget, KpiValue, KpiValueHistory
from tracker.kpis.queries import kpi_rows

KPI_HEADER = "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description"
VALUE_HEADER = (
    "kpi_ref,period_end,period_label,value,numerator,denominator,commentary,national,statistical_neighbours,regional"
)
NOT_A_NUMBER = "enter a number such as 72 or 4.5, or leave it blank"
NOT_A_TARGET = "enter a number, 'national average' or 'statistical neighbours average', or leave it blank"


def csv_text(header: str, *rows: str) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def row_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Kpi, KpiTarget, KpiValue, KpiValueHistory)
    }


def rejected_problems(importer, data, **kwargs) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        importer(data, programme=kwargs.pop("programme", None) or test_programme(), **kwargs)
    db.session.rollback()
    return [str(problem) for problem in caught.value.problems]


def test_kpis_are_created_with_owner_links_target_and_band(app):
    person = make_person(name="Director of SEND and Inclusion")
    workstream = make_workstream("C")
    project = make_project(workstream, "C2")
    data = csv_text(
        KPI_HEADER + ",owner,links",
        'KPI11,EHC plans within 20 weeks,percent,higher,quarterly,65,60,,"Rolling average, excluding exceptions",'
        "director of send and inclusion,C C2",
    )
    summary = import_kpis(data, programme=test_programme())
    db.session.commit()
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 0)
    kpi = db.session.scalars(select(Kpi)).one()
    assert kpi.owner == person  # names match whatever their case
    assert kpi.workstreams == [workstream] and kpi.projects == [project]
    assert kpi.description == "Rolling average, excluding exceptions"
    [target] = kpi.targets
    assert (target.applies_from, target.target_value, target.tolerance_low, target.tolerance_high) == (
        APPLIES_ALWAYS,
        Decimal("65"),
        Decimal("60"),
        None,
    )


def test_reimporting_updates_kpis_by_ref_and_counts_what_changed(app):
    import_kpis(
        csv_text(KPI_HEADER, "KPI01,Absence,percent,lower,annual,4,,4.5,", "KPI02,Other,number,higher,annual,10,8,,"),
        programme=test_programme(),
    )
    db.session.commit()
    summary = import_kpis(
        csv_text(
            KPI_HEADER, "KPI01,Absence rate,percent,lower,annual,3.8,,4.2,", "KPI02,Other,number,higher,annual,10,8,,"
        ),
        programme=test_programme(),
    )
    db.session.commit()
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    kpi = db.session.scalars(select(Kpi).where(Kpi.ref == "KPI01")).one()
    assert kpi.title == "Absence rate"
    assert [(t.target_value, t.tolerance_high) for t in kpi.targets] == [(Decimal("3.8"), Decimal("4.2"))]
    assert row_counts()["kpi"] == 2


def test_targets_by_year_come_from_an_applies_from_column(app):
    import_kpis(
        csv_text(
            KPI_HEADER + ",applies_from",
            "KPI03,EEE take-up,percent,higher,termly,70,66,,,",
            "KPI03,EEE take-up,percent,higher,termly,72,68,,,2023-04-01",
        ),
        programme=test_programme(),
    )
    db.session.commit()
    kpi = db.session.scalars(select(Kpi)).one()
    assert [(t.applies_from, t.target_value) for t in kpi.targets] == [
        (APPLIES_ALWAYS, Decimal("70")),
        (date(2023, 4, 1), Decimal("72")),
    ]
    import_kpi_values(
        csv_text(
            VALUE_HEADER,
            "KPI03,2023-03-31,Q4 2022/23,71,,,,,,",
            "KPI03,2023-06-30,Q1 2023/24,71,,,,,,",
        ),
        programme=test_programme(),
    )
    db.session.commit()
    [row] = kpi_rows(test_programme())
    # 71 met the 2022/23 target of 70 but misses 2023/24's 72: the latest period is judged by its own year's target.
    assert row.assessment.target == Decimal("72") and row.status.value == "amber"


def test_comparator_targets_are_read_from_words(app):
    import_kpis(
        csv_text(
            KPI_HEADER,
            "N1,Against national,percent,higher,annual,National average,,,",
            "N2,Against neighbours,percent,lower,annual,statistical neighbours average,,,",
        ),
        programme=test_programme(),
    )
    import_kpi_values(
        csv_text(
            VALUE_HEADER,
            "N1,2022-08-31,2021/22,61,,,,60,64,",
            "N2,2022-08-31,2021/22,61,,,,60,64,",
        ),
        programme=test_programme(),
    )
    db.session.commit()
    rows = {row.kpi.ref: row for row in kpi_rows(test_programme())}
    assert rows["N1"].target.target_comparator is ComparatorKind.NATIONAL
    assert (rows["N1"].assessment.target, rows["N1"].status.value) == (Decimal("60"), "green")
    assert (rows["N2"].assessment.target, rows["N2"].status.value) == (Decimal("64"), "green")


def test_values_are_worked_out_from_numerator_and_denominator_unless_given(app):
    make_kpi("P1", unit="percent")
    make_kpi("C1", unit="number")
    import_kpi_values(
        csv_text(
            VALUE_HEADER,
            "P1,2022-06-30,Q1,,45,60,,,,",
            "P1,2022-09-30,Q2,70,45,60,,,,",
            "C1,2022-06-30,Q1,,45,60,,,,",
            'C1,2022-09-30,Q2,"1,049",,,,,,',
        ),
        programme=test_programme(),
    )
    db.session.commit()
    values = {(v.kpi.ref, v.period_label): v.value for v in db.session.scalars(select(KpiValue))}
    assert values == {
        ("P1", "Q1"): Decimal("75"),
        ("P1", "Q2"): Decimal("70"),
        ("C1", "Q1"): Decimal("0.75"),
        ("C1", "Q2"): Decimal("1049"),
    }


def test_reimporting_a_value_replaces_it_and_keeps_the_old_one_in_history(app):
    make_kpi("KPI08", target=1049, tolerance_low=950, unit="number")
    import_kpi_values(
        csv_text(VALUE_HEADER, "KPI08,2022-12-31,Q3 2022/23,725,,,First figure,,,"),
        source="import first.csv",
        programme=test_programme(),
    )
    db.session.commit()
    summary = import_kpi_values(
        csv_text(
            VALUE_HEADER,
            "KPI08,2022-12-31,Q3 2022/23,752,,,Corrected figure,,,",
            "KPI08,2022-09-30,Q2 2022/23,1127,,,,,,",
        ),
        source="import corrected.csv",
        programme=test_programme(),
    )
    db.session.commit()
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 0)
    [history] = db.session.scalars(select(KpiValueHistory)).all()
    assert (history.old_value, history.new_value, history.source) == (
        Decimal("725"),
        Decimal("752"),
        "import corrected.csv",
    )
    assert history.other_changes == "commentary"
    assert row_counts()["kpi_value"] == 2
    # The same file again changes nothing and records nothing.
    again = import_kpi_values(
        csv_text(VALUE_HEADER, "KPI08,2022-12-31,Q3 2022/23,752,,,Corrected figure,,,"), programme=test_programme()
    )
    db.session.commit()
    assert again.unchanged == 1 and row_counts()["kpi_value_history"] == 1


# --- bad files: every problem reported, nothing written ------------------------------------------

BAD_KPI_FILES = [
    (
        "unknown polarity",
        ["KPI01,Absence,percent,upwards,annual,4,,4.5,"],
        ["Row 2, column polarity: 'upwards' is not a polarity; use one of higher, lower, stable, trend"],
    ),
    (
        "text in a number column",
        ["KPI01,Absence,percent,lower,annual,4,,four and a half,"],
        [f"Row 2, column tolerance_high: 'four and a half' is not a number; {NOT_A_NUMBER}"],
    ),
    (
        "text as a target",
        ["KPI01,Absence,percent,lower,annual,about four,,,"],
        [f"Row 2, column target: 'about four' is not a target; {NOT_A_TARGET}"],
    ),
    (
        "missing ref",
        [",Absence,percent,lower,annual,4,,4.5,"],
        ["Row 2, column ref: The ref is missing; every KPI needs a ref such as KPI01"],
    ),
    (
        "duplicate rows",
        [
            "KPI01,Absence,percent,lower,annual,4,,4.5,",
            "KPI02,Other,number,higher,annual,1,,,",
            "kpi01,Absence,percent,lower,annual,4,,4.5,",
        ],
        ["Row 4, column ref: kpi01 is already on row 2; each KPI once per file"],
    ),
    (
        "unknown unit and frequency",
        ["KPI01,Absence,pounds,lower,weekly,4,,4.5,"],
        [
            "Row 2, column frequency: 'weekly' is not a frequency; use one of monthly, quarterly, termly, annual",
            "Row 2, column unit: 'pounds' is not a unit; use one of percent, number, days, rate, score",
        ],
    ),
    (
        "band that leaves out the target",
        ["KPI01,Absence,percent,lower,annual,4,,3.5,"],
        ["Row 2, column tolerance_high: tolerance_high is below the target; the band must include the target"],
    ),
    (
        "trend with a target",
        ["KPI07,Waiting,number,trend,quarterly,100,,,"],
        ["Row 2, column target: A trend KPI is monitored without a target: leave target and tolerances blank"],
    ),
]


@pytest.mark.parametrize("case, rows, expected", BAD_KPI_FILES, ids=[case[0] for case in BAD_KPI_FILES])
def test_a_bad_kpi_file_is_rejected_whole(app, case, rows, expected):
    make_kpi("KPI99", target=1)
    db.session.commit()
    before = row_counts()
    good_row = "KPI50,A good row that must not be written,number,higher,annual,10,,,"
    update_row = "KPI99,An update that must not be written,number,higher,annual,2,,,"
    assert rejected_problems(import_kpis, csv_text(KPI_HEADER, *rows, good_row, update_row)) == expected
    assert row_counts() == before


def test_every_problem_in_a_file_is_listed_with_its_row(app):
    make_workstream("E1")
    data = csv_text(
        KPI_HEADER + ",owner,links",
        "KPI01,Absence,percent,upwards,annual,4,,4.5,,Nobody Known,E1 Z9",
        "KPI02,,number,higher,annual,ten,,,,,",
        "KPI03,Fine,number,higher,annual,10,,,,,E1",
    )
    problems = rejected_problems(import_kpis, data)
    assert problems == [
        "Row 2, column links: 'Z9' is not the ref of a workstream or project",
        "Row 2, column owner: 'Nobody Known' is not a person in the programme",
        "Row 2, column polarity: 'upwards' is not a polarity; use one of higher, lower, stable, trend",
        f"Row 3, column target: 'ten' is not a target; {NOT_A_TARGET}",
        "Row 3, column title: The title is missing",
    ]
    assert row_counts() == {"kpi": 0, "kpi_target": 0, "kpi_value": 0, "kpi_value_history": 0}


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            b"ref,title,unit,polarity,frequency,target\nKPI01,A,percent,higher,annual,1\n",
            ["Row 1: The header is missing the column(s) tolerance_low, tolerance_high, description."],
        ),
        (
            csv_text(KPI_HEADER + ",colour", "KPI01,A,percent,higher,annual,1,,,,red"),
            [
                "Row 1: The header has unknown column(s) 'colour'. Columns are: ref, title, unit, polarity, frequency, "
                "target, tolerance_low, tolerance_high, description, owner, links, applies_from, decimal_places."
            ],
        ),
        (b"", ["Row 1: The file is empty. The first row must be the header: " + KPI_HEADER]),
        (csv_text(KPI_HEADER), ["Row 1: The file has a header but no rows to import."]),
        (
            "ref,title\n".encode("utf-16"),
            ["Row 1: The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8'."],
        ),
        (
            csv_text(KPI_HEADER, "KPI01,A,percent,higher,annual,1,,,,extra,cells"),
            ["Row 2: The row has 11 cells but the header has 9 columns."],
        ),
    ],
    ids=["missing columns", "unknown column", "empty", "header only", "not utf-8", "too many cells"],
)
def test_a_file_with_the_wrong_shape_is_rejected(app, data, expected):
    assert rejected_problems(import_kpis, data) == expected
    assert row_counts()["kpi"] == 0


def test_a_byte_order_mark_and_windows_line_endings_are_fine(app):
    data = "\ufeff" + KPI_HEADER + "\r\nKPI01,Absence,percent,lower,annual,4,,4.5,\r\n"
    assert import_kpis(data.encode("utf-8"), programme=test_programme()).created == 1


BAD_VALUE_ROWS = [
    (
        "unknown KPI ref",
        "KPI77,2022-06-30,Q1,5,,,,,,",
        "Row 2, column kpi_ref: 'KPI77' is not a KPI; import the KPI first",
    ),
    ("missing KPI ref", ",2022-06-30,Q1,5,,,,,,", "Row 2, column kpi_ref: The KPI ref is missing"),
    ("bad date", "KPI01,2022-02-30,Q1,5,,,,,,", "Row 2, column period_end: '2022-02-30' is not a real date"),
    (
        "not a date",
        "KPI01,June 2022,Q1,5,,,,,,",
        "Row 2, column period_end: 'June 2022' is not a date in the form 2023-03-31 or 31/03/2023",
    ),
    ("missing date", "KPI01,,Q1,5,,,,,,", "Row 2, column period_end: The period end date is missing"),
    (
        "missing label",
        "KPI01,2022-06-30,,5,,,,,,",
        "Row 2, column period_label: The period label is missing, for example Q3 2022/23",
    ),
    ("text value", "KPI01,2022-06-30,Q1,five,,,,,,", f"Row 2, column value: 'five' is not a number; {NOT_A_NUMBER}"),
    (
        "text comparator",
        "KPI01,2022-06-30,Q1,5,,,,n/a,,",
        f"Row 2, column national: 'n/a' is not a number; {NOT_A_NUMBER}",
    ),
    (
        "no value at all",
        "KPI01,2022-06-30,Q1,,,,,,,",
        "Row 2, column value: Give a value, or both a numerator and a denominator",
    ),
    (
        "numerator only",
        "KPI01,2022-06-30,Q1,,4,,,,,",
        "Row 2, column value: Give a value, or both a numerator and a denominator",
    ),
    ("zero denominator", "KPI01,2022-06-30,Q1,,4,0,,,,", "Row 2, column denominator: The denominator cannot be 0"),
    (
        "too many places",
        "KPI01,2022-06-30,Q1,5.1234567,,,,,,",
        f"Row 2, column value: '5.1234567' has more than 6 decimal places; {NOT_A_NUMBER}",
    ),
]


@pytest.mark.parametrize("case, row, expected", BAD_VALUE_ROWS, ids=[case[0] for case in BAD_VALUE_ROWS])
def test_a_bad_values_file_is_rejected_whole(app, case, row, expected):
    kpi = make_kpi("KPI01", target=4, tolerance_high=4.5, polarity="lower")
    import_kpi_values(csv_text(VALUE_HEADER, "KPI01,2022-03-31,Q4,4.2,,,Before,,,"), programme=test_programme())
    db.session.commit()
    before = row_counts()
    good_then_bad = csv_text(VALUE_HEADER, row, "KPI01,2022-03-31,Q4,9.9,,,Would replace the old value,,,")
    assert rejected_problems(import_kpi_values, good_then_bad) == [expected]
    assert row_counts() == before
    assert db.session.scalars(select(KpiValue.value).where(KpiValue.kpi_id == kpi.id)).one() == Decimal("4.2")


def test_duplicate_value_rows_are_rejected_with_both_row_numbers(app):
    make_kpi("KPI01", target=4)
    data = csv_text(
        VALUE_HEADER, "KPI01,2022-06-30,Q1,5,,,,,,", "KPI01,2022-09-30,Q2,5,,,,,,", "kpi01,30/06/2022,Q1 again,6,,,,,,"
    )
    assert rejected_problems(import_kpi_values, data) == [
        "Row 4, column period_end: KPI01 for the period ending 2022-06-30 is already on row 2"
    ]
    assert row_counts()["kpi_value"] == 0

"""`flask import kpis`, `flask import kpi-values`, `flask export kpis` (one programme each) and the demo's KPIs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import make_programme
from tracker.extensions import db
from tracker.kpis.models import Kpi, KpiTarget, KpiValue, KpiValueHistory, kpi_project, kpi_workstream
from tracker.programme.models import Programme

DEMO = Path(__file__).resolve().parents[2] / "tracker" / "demo" / "data"
EXPORT_FIELDS = [
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
]


def count(table) -> int:
    return db.session.scalar(select(func.count()).select_from(table))


@pytest.fixture
def programme(app) -> Programme:
    """The installation's only programme: the commands need no --programme."""
    made = make_programme()
    db.session.commit()
    return made


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_export_round_trip(runner, tmp_path, programme):
    kpis = write(
        tmp_path,
        "kpis.csv",
        (
            "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description\n"
            "KPI03,EEE take-up,percent,higher,termly,72,68,,Two-year-olds\n"
            "KPI09,NEET 16-17,percent,lower,quarterly,5,,5.5,\n"
            "KPI07,Awaiting placement,number,trend,quarterly,,,,No target\n"
            "KPI20,Against national,percent,higher,annual,national average,,,\n"
        ),
    )
    values = write(
        tmp_path,
        "values.csv",
        (
            "kpi_ref,period_end,period_label,value,numerator,denominator,commentary,national,statistical_neighbours,regional\n"
            "KPI03,2022-09-30,Q2 2022/23,67,,,,,,\n"
            "KPI03,2022-12-31,Q3 2022/23,69,,,Improving take-up,,,\n"
            "KPI09,2022-09-30,Q2 2022/23,3.8,,,,,,\n"
            "KPI09,2022-12-31,Q3 2022/23,2.2,,,,,,\n"
            "KPI07,2022-12-31,Q3 2022/23,278,,,,,,\n"
            "KPI20,2022-08-31,2021/22,,61,100,,60.5,,\n"
        ),
    )
    result = runner.invoke(args=["import", "kpis", str(kpis)])
    assert result.exit_code == 0, result.output
    assert "Imported 4 KPIs: 4 new, 0 updated, 0 unchanged." in result.output
    result = runner.invoke(args=["import", "kpi-values", str(values)])
    assert result.exit_code == 0, result.output
    assert "Imported 6 KPI values: 6 new" in result.output

    exported = json.loads(runner.invoke(args=["export", "kpis", "--format", "json"]).output)
    assert [list(record) for record in exported] == [EXPORT_FIELDS] * 4
    by_ref = {record["ref"]: record for record in exported}
    assert by_ref["KPI03"] == {
        "ref": "KPI03",
        "title": "EEE take-up",
        "unit": "percent",
        "polarity": "higher",
        "target": 72,
        "tolerance_low": 68,
        "tolerance_high": None,
        "latest_period_end": "2022-12-31",
        "latest_period_label": "Q3 2022/23",
        "latest_value": 69,
        "status": "amber",
        "direction": "improving",
        "exceeds_tolerance": False,
        "decimal_places": 0,
        "latest_value_shown": "69",
    }
    kpi09, kpi20 = by_ref["KPI09"], by_ref["KPI20"]
    assert (kpi09["latest_value"], kpi09["status"], kpi09["direction"]) == (2.2, "green", "improving")
    assert (by_ref["KPI07"]["status"], by_ref["KPI07"]["direction"], by_ref["KPI07"]["target"]) == (None, None, None)
    assert (kpi20["target"], kpi20["latest_value"], kpi20["status"]) == ("national average", 61, "green")

    csv_output = runner.invoke(args=["export", "kpis", "--format", "csv"]).output
    records = list(csv.DictReader(io.StringIO(csv_output)))
    assert list(records[0]) == EXPORT_FIELDS
    csv_by_ref = {record["ref"]: record for record in records}
    assert csv_by_ref["KPI03"]["status"] == "amber" and csv_by_ref["KPI03"]["exceeds_tolerance"] == "false"
    assert csv_by_ref["KPI07"]["status"] == "" and csv_by_ref["KPI07"]["direction"] == ""
    assert csv_by_ref["KPI09"]["tolerance_high"] == "5.5"
    # Every number exported is the number imported.
    assert {ref: record["latest_value"] for ref, record in csv_by_ref.items()} == {
        "KPI03": "69",
        "KPI09": "2.2",
        "KPI07": "278",
        "KPI20": "61",
    }


def test_a_rejected_import_exits_with_an_error_and_writes_nothing(runner, tmp_path, programme):
    bad = write(
        tmp_path,
        "bad.csv",
        (
            "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description\n"
            "KPI01,Fine,percent,higher,annual,1,,,\n"
            "KPI02,Bad,percent,sideways,annual,1,,,\n"
        ),
    )
    result = runner.invoke(args=["import", "kpis", str(bad)])
    assert result.exit_code == 1
    assert "Row 3, column polarity: 'sideways' is not a polarity" in result.output
    assert "bad.csv was not imported: 1 problem(s), nothing was written." in result.output
    assert count(Kpi) == 0


def in_programme(model, short_name: str) -> int:
    """Count a KPI table's rows that belong to one programme's KPIs."""
    statement = select(func.count()).select_from(model)
    if model is not Kpi:
        statement = statement.join(Kpi)
    statement = statement.join(Programme, Kpi.programme_id == Programme.id).where(Programme.short_name == short_name)
    return db.session.scalar(statement)


def test_demo_load_brings_the_seed_kpis_and_loading_twice_duplicates_nothing(runner):
    for _ in range(2):
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
    assert "Added 0 KPIs and 0 KPI values (already there: 15 KPIs, 30 KPI values)." in result.output
    counts = tuple(in_programme(model, "children") for model in (Kpi, KpiValue, KpiTarget, KpiValueHistory))
    assert counts == (15, 30, 15, 0)
    assert count(kpi_workstream) > 0 and count(kpi_project) > 0
    children = db.session.scalars(select(Programme).where(Programme.short_name == "children")).one()
    kpi = db.session.scalars(select(Kpi).where(Kpi.programme_id == children.id, Kpi.ref == "KPI03")).one()
    # Period dates are historical facts: not shifted like the plan's dates.
    assert [v.period_end.isoformat() for v in kpi.values] == ["2022-06-30", "2022-09-30", "2022-12-31"]
    assert kpi.owner.name == "Assistant Director Schools and Achievement"
    assert sorted(p.ref for p in kpi.projects) == ["E1.11", "E1.6", "E2.8"]
    exported = json.loads(runner.invoke(args=["export", "kpis", "--programme", "children"]).output)
    assert len(exported) == 15
    assert {r["status"] for r in exported} == {"green", "amber", "red", None}

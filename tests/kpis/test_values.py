"""`values.save_value`, the one way values are saved: by the value form, the importer and `flask import kpi-values`.

It checks who saves, the version they saw, the value-or-parts rule and the one-value-a-period rule,
keeps replaced values in history and leaves an audit trail, whichever route the value came by.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import make_person, make_programme, make_user, test_programme
from tests.kpis.factories import make_kpi, make_value
from tracker.audit.models import AuditEvent
from tracker.core.errors import InvalidChange, NotAllowed, NotFound, VersionConflict
from tracker.extensions import db
from tracker.kpis import queries
from tracker.kpis.importer import ImportRejected, import_kpi_values, import_kpis
from tracker.kpis.models import Kpi, KpiValue, KpiValueHistory
from tracker.kpis.permissions import COMMAND_LINE
from tracker.kpis.rules import PartsProblem, parts_problem
from tracker.kpis.values import ValueInput, save_value

VALUE_HEADER = (
    "kpi_ref,period_end,period_label,value,numerator,denominator,commentary,national,statistical_neighbours,regional"
)
KPI_HEADER = "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description"
CLASH = "There is already a value for the period ending 30 September 2022 (Q2 2022/23); change that value instead"


def audit_events(event: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def figures(period_end=date(2022, 12, 31), label="Q3 2022/23", value="66", numerator=None, denominator=None):
    def number(text):
        return None if text is None else Decimal(text)

    return ValueInput(
        period_end=period_end,
        period_label=label,
        value=number(value),
        numerator=number(numerator),
        denominator=number(denominator),
    )


@pytest.fixture
def kpi(app):
    make_programme()
    owner = make_person(name="Head of Inclusion")
    kpi = make_kpi("KPI40", target=65, tolerance_low=60, owner=owner)
    make_value(kpi, date(2022, 9, 30), 63, "Q2 2022/23")
    db.session.commit()
    return queries.kpi_by_ref(test_programme(), "KPI40")


# --- the service itself --------------------------------------------------------------------------


def test_a_new_value_is_saved_with_an_audit_event_naming_who_saved_it(kpi, admin_user):
    assert save_value(kpi, admin_user, figures()) == "created"
    db.session.commit()
    [event] = audit_events("kpi_value_saved")
    assert (event.detail, event.user_id) == ("KPI KPI40 in test: Q3 2022/23 value added", admin_user.id)


def test_a_replaced_value_is_kept_in_history_and_an_unchanged_one_records_nothing(kpi, admin_user):
    stored = kpi.values[0]
    saved = save_value(
        kpi,
        admin_user,
        figures(date(2022, 9, 30), "Q2 2022/23", "62.5"),
        replacing=stored,
        seen_version=stored.version,
        source="form",
    )
    db.session.commit()
    assert saved == "updated"
    [history] = db.session.scalars(select(KpiValueHistory)).all()
    assert (history.old_value, history.new_value, history.source, history.changed_by_id) == (
        Decimal("63"),
        Decimal("62.5"),
        "form",
        admin_user.id,
    )
    assert [e.detail for e in audit_events("kpi_value_saved")] == ["KPI KPI40 in test: Q2 2022/23 value changed"]
    kpi = queries.kpi_by_ref(test_programme(), "KPI40")
    again = save_value(kpi, admin_user, figures(date(2022, 9, 30), "Q2 2022/23", "62.5"), replacing=kpi.values[0])
    assert again == "unchanged" and len(audit_events("kpi_value_saved")) == 1 and count(KpiValueHistory) == 1


def test_a_save_against_an_older_version_is_refused(kpi, admin_user):
    stored = kpi.values[0]
    stale = stored.version
    save_value(kpi, admin_user, figures(date(2022, 9, 30), "Q2 2022/23", "64"), replacing=stored, seen_version=stale)
    db.session.commit()
    kpi = queries.kpi_by_ref(test_programme(), "KPI40")
    with pytest.raises(VersionConflict):
        save_value(
            kpi, admin_user, figures(date(2022, 9, 30), "Q2 2022/23", "70"), replacing=kpi.values[0], seen_version=stale
        )
    db.session.rollback()
    assert db.session.scalars(select(KpiValue.value)).one() == Decimal("64")


def test_a_second_value_for_a_period_is_refused_with_the_forms_message(kpi, admin_user):
    with pytest.raises(InvalidChange) as refused:
        save_value(kpi, admin_user, figures(date(2022, 9, 30), "Another Q2"))
    assert refused.value.errors == {"period_end": CLASH}
    # Moving another value onto that period is the same clash.
    save_value(kpi, admin_user, figures())
    db.session.commit()
    kpi = queries.kpi_by_ref(test_programme(), "KPI40")
    december = kpi.values[-1]
    with pytest.raises(InvalidChange) as refused:
        save_value(kpi, admin_user, figures(date(2022, 9, 30)), replacing=december, seen_version=december.version)
    assert refused.value.errors == {"period_end": CLASH}


@pytest.mark.parametrize(
    "parts, field, message",
    [
        ({"value": None, "numerator": "4"}, "value", "Enter a value, or both a numerator and a denominator"),
        ({"value": "5", "numerator": "4", "denominator": "0"}, "denominator", "Denominator cannot be 0"),
    ],
)
def test_figures_that_give_no_value_are_refused(kpi, admin_user, parts, field, message):
    with pytest.raises(InvalidChange) as refused:
        save_value(kpi, admin_user, figures(**parts))
    assert refused.value.errors == {field: message}


def test_only_the_programme_office_the_owner_and_the_command_line_may_save(kpi):
    other_lead = make_user("lead", person=make_person(name="Someone Else"))
    for user in (make_user("viewer"), other_lead, make_user("admin", active=False)):
        with pytest.raises(NotAllowed):
            save_value(kpi, user, figures())
    owner = make_user("viewer", person=kpi.owner)
    assert save_value(kpi, owner, figures()) == "created"
    assert save_value(kpi, COMMAND_LINE, figures(date(2023, 3, 31), "Q4 2022/23")) == "created"
    assert [event.user for event in audit_events("kpi_value_saved")] == [owner, None]


def test_reads_say_not_found_without_a_request(kpi):
    with pytest.raises(NotFound, match=re.escape("There is no KPI NOPE.")):
        queries.kpi_by_ref(test_programme(), "NOPE")
    with pytest.raises(NotFound, match=re.escape("There is no value for that period.")):
        queries.stored_value(kpi, "not-a-date")
    with pytest.raises(NotFound, match=re.escape("KPI KPI40 has no value for the period ending 1 January 2031.")):
        queries.stored_value(kpi, "2031-01-01")


# --- every route reaches the same service ----------------------------------------------------------


def value_form(**overrides) -> dict:
    data = {
        "period_end": ["31", "12", "2022"],
        "period_label": "Q3 2022/23",
        "value": "66",
        "numerator": "",
        "denominator": "",
        "national": "",
        "statistical_neighbours": "",
        "regional": "",
        "commentary": "",
        "version": "",
    }
    data.update(overrides)
    return data


def values_csv(*rows: str) -> bytes:
    return ("\n".join([VALUE_HEADER, *rows]) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    "value, numerator, denominator",
    [
        ("", "", ""),
        ("", "4", ""),
        ("", "", "4"),
        ("5", "", "0"),
        ("", "4", "0"),
        ("", "4", "5"),
        ("5", "", ""),
        ("x", "", ""),
        ("", "4", "y"),
        ("x", "", "0"),
    ],
)
def test_the_form_and_the_importer_apply_the_same_parts_rule(kpi, admin_client, value, numerator, denominator):
    """Each route words it for its readers; which figures are refused, and on which field, is one rule."""

    def number(text):
        return Decimal(text) if text and text[0].isdigit() else None

    unread = any(text and not text[0].isdigit() for text in (value, numerator, denominator))
    expected = parts_problem(number(value), number(numerator), number(denominator), unread=unread)

    page = admin_client.post(
        "/p/test/kpis/KPI40/values/new", data=value_form(value=value, numerator=numerator, denominator=denominator)
    )
    html = page.get_data(as_text=True)
    on_form = {problem.field for problem in PartsProblem if f'href="#{problem.field}">{problem.message}' in html}

    row = f"KPI40,2022-12-31,Q3 2022/23,{value},{numerator},{denominator},,,,"
    try:
        import_kpi_values(values_csv(row), programme=test_programme())
        in_file: set[str] = set()
    except ImportRejected as rejected:
        in_file = {p.column for p in rejected.problems if p.message in {m.import_message for m in PartsProblem}}
    db.session.rollback()

    assert on_form == in_file == ({expected.field} if expected else set())


def test_the_form_and_the_importer_refuse_a_period_clash_and_save_through_the_service(kpi, admin_client, admin_user):
    page = admin_client.post("/p/test/kpis/KPI40/values/new", data=value_form(period_end=["30", "9", "2022"]))
    assert page.status_code == 200 and CLASH in page.get_data(as_text=True).replace("&#39;", "'")
    assert admin_client.post("/p/test/kpis/KPI40/values/new", data=value_form()).status_code == 302
    # The importer replaces a period's value rather than clash with it; both saves leave the same trail.
    import_kpi_values(
        values_csv("KPI40,2022-09-30,Q2 2022/23,61,,,,,,"),
        source="import q2.csv",
        user=admin_user,
        programme=test_programme(),
    )
    db.session.commit()
    assert [e.detail for e in audit_events("kpi_value_saved")] == [
        "KPI KPI40 in test: Q3 2022/23 value added",
        "KPI KPI40 in test: Q2 2022/23 value changed",
    ]
    assert {e.user_id for e in audit_events("kpi_value_saved")} == {admin_user.id}
    assert db.session.scalars(select(KpiValueHistory.source)).all() == ["import q2.csv"]


def test_the_edit_form_refuses_a_save_over_a_newer_one_through_the_service(kpi, admin_client):
    edit_page = admin_client.get("/p/test/kpis/KPI40/values/2022-09-30/edit").get_data(as_text=True)
    stale = re.search(r'name="version" type="hidden" value="(\d+)"', edit_page).group(1)
    edit = {"period_end": ["30", "9", "2022"], "period_label": "Q2 2022/23"}
    assert (
        admin_client.post(
            "/p/test/kpis/KPI40/values/2022-09-30/edit", data=value_form(**edit, value="64", version=stale)
        ).status_code
        == 302
    )
    refused = admin_client.post(
        "/p/test/kpis/KPI40/values/2022-09-30/edit", data=value_form(**edit, value="70", version=stale)
    )
    html = refused.get_data(as_text=True)
    assert "it is now 64% for Q2 2022/23" in html
    newer = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    assert int(newer) == int(stale) + 1  # saving again applies the user's figures on top of the newer value
    assert (
        admin_client.post(
            "/p/test/kpis/KPI40/values/2022-09-30/edit", data=value_form(**edit, value="70", version=newer)
        ).status_code
        == 302
    )
    assert db.session.scalars(select(KpiValue.value)).one() == Decimal("70")


def test_the_importer_refuses_anyone_but_the_programme_office(kpi):
    lead = make_user("lead", person=kpi.owner)
    with pytest.raises(NotAllowed):
        import_kpi_values(values_csv("KPI40,2022-12-31,Q3 2022/23,66,,,,,,"), user=lead, programme=test_programme())
    with pytest.raises(NotAllowed):
        import_kpis(
            f"{KPI_HEADER}\nKPI41,New,number,higher,annual,1,,,\n".encode(), user=lead, programme=test_programme()
        )
    assert count(KpiValue) == 1 and count(Kpi) == 1


# --- imports leave an audit trail, from the web and from the command line -------------------------------


def test_imports_from_the_command_line_leave_an_audit_trail(runner, tmp_path: Path, app):
    make_programme()
    db.session.commit()
    kpis = tmp_path / "kpis.csv"
    kpis.write_text(f"{KPI_HEADER}\nKPI03,EEE take-up,percent,higher,termly,72,68,,\n", encoding="utf-8")
    values = tmp_path / "values.csv"
    values.write_text(
        f"{VALUE_HEADER}\nKPI03,2022-09-30,Q2 2022/23,67,,,,,,\nKPI03,2022-12-31,Q3 2022/23,69,,,,,,\n",
        encoding="utf-8",
    )
    assert runner.invoke(args=["import", "kpis", str(kpis)]).exit_code == 0
    assert runner.invoke(args=["import", "kpi-values", str(values)]).exit_code == 0
    assert runner.invoke(args=["import", "kpi-values", str(values)]).exit_code == 0  # the same file: all unchanged

    imported = audit_events("kpis_imported")
    assert [(e.detail, e.user_id) for e in imported] == [
        ("KPI definitions from kpis.csv into test: Imported 1 KPI: 1 new, 0 updated, 0 unchanged.", None),
        ("KPI values from values.csv into test: Imported 2 KPI values: 2 new, 0 updated, 0 unchanged.", None),
        ("KPI values from values.csv into test: Imported 2 KPI values: 0 new, 0 updated, 2 unchanged.", None),
    ]
    assert [e.detail for e in audit_events("kpi_value_saved")] == [
        "KPI KPI03 in test: Q2 2022/23 value added",
        "KPI KPI03 in test: Q3 2022/23 value added",
    ]


def test_a_rejected_import_leaves_no_audit_event(runner, tmp_path: Path, app):
    make_programme()
    db.session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{KPI_HEADER}\nKPI01,Bad,percent,sideways,annual,1,,,\n", encoding="utf-8")
    assert runner.invoke(args=["import", "kpis", str(bad)]).exit_code == 1
    assert audit_events("kpis_imported") == []

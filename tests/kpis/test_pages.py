"""KPI pages for signed-in users: scorecard, KPI page and chart, panels, value entry, import upload, exports."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY
from tests.factories import make_person, make_programme, make_project, make_user, make_workstream
from tests.kpis.factories import add_target, make_kpi, make_value
from tracker.demo.loader import load_demo_kpis, load_demo_programme
from tracker.extensions import db
from tracker.kpis.models import ComparatorKind, Kpi, KpiValue, KpiValueHistory
from tracker.programme.models import Workstream


def text_of(response) -> str:
    """The page's visible words, in one line, for asserting what a person reads."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style|title|desc)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def demo(app):
    """The demo programme (addressed as /p/children/...) with its KPIs, loaded as `flask demo load` does."""
    load_demo_programme(TODAY)
    load_demo_kpis()


@pytest.fixture
def programme(app):
    return make_programme()


def test_kpi_pages_need_a_sign_in(client, programme):
    make_kpi("KPI01", target=1)
    db.session.commit()
    for url in [
        "/p/test/kpis",
        "/p/test/kpis/KPI01",
        "/p/test/kpis.json",
        "/p/test/kpis.csv",
        "/p/test/kpis/KPI01/values/new",
        "/p/test/admin/kpis/import",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_the_scorecard_shows_latest_value_target_tolerance_status_and_direction(viewer_client, demo):
    response = viewer_client.get("/p/children/kpis")
    assert response.status_code == 200
    page = text_of(response)
    assert "15 KPIs." in page
    # KPI03: 69% in Q3 against 72% with a band down to 68%: Amber and improving (from 67%).
    assert re.search(r"KPI03 Percentage of 2-year-olds .*? 69% Q3 2022/23 72% Down to 68% Amber ↑ Improving", page)
    # KPI08: 725 against 1,049 (band down to 950): Red and worsening from 1,127.
    assert re.search(r"KPI08 .*? 725 Q3 2022/23 1,049 Down to 950 Red ↓ Worsening", page)
    # KPI07 is monitored for trend: no target, no status, direction not judged.
    assert re.search(r"KPI07 .*? 278 Q3 2022/23 No target None No status Not judged \(trend only\)", page)
    # A single value has no direction of travel. KPI01 is published to 1 decimal place: values and targets show it.
    assert re.search(r"KPI01 .*? 5.0% Q1 2022/23 4.0% Up to 4.5% Red No previous value", page)
    current = '<a class="govuk-service-navigation__link" href="/p/children/kpis" aria-current="true">'
    assert current in response.get_data(as_text=True)


def test_scorecard_filters_are_bookmarkable(viewer_client, demo):
    page = text_of(viewer_client.get("/p/children/kpis?workstream=D&status=&frequency="))
    assert "1 KPI match the filters: workstream D." in page and "KPI13" in page and "KPI01 " not in page
    page = text_of(viewer_client.get("/p/children/kpis?status=red"))
    refs = set(re.findall(r"KPI\d\d", page))
    assert refs == {"KPI01", "KPI08", "KPI12", "KPI15"}
    page = text_of(viewer_client.get("/p/children/kpis?status=none"))
    assert set(re.findall(r"KPI\d\d", page)) == {"KPI07"}
    page = text_of(viewer_client.get("/p/children/kpis?frequency=termly&status=amber"))
    assert set(re.findall(r"KPI\d\d", page)) == {"KPI03", "KPI04"}
    # Workstream E takes in its sub-workstreams' and projects' KPIs.
    page = text_of(viewer_client.get("/p/children/kpis?workstream=E"))
    assert {"KPI03", "KPI05", "KPI09"} <= set(re.findall(r"KPI\d\d", page))


def test_a_bad_filter_value_says_so_and_shows_every_kpi(viewer_client, demo):
    response = viewer_client.get("/p/children/kpis?status=purple&workstream=Z9")
    assert response.status_code == 200
    page = text_of(response)
    assert "There is a problem with the filters" in page
    assert "Choose a workstream from the list. Showing every KPI instead." in page
    assert "Choose a status from the list. Showing every KPI instead." in page
    assert "15 KPIs." in page


def test_the_kpi_page_shows_definition_values_commentary_chart_and_links(viewer_client, demo):
    response = viewer_client.get("/p/children/kpis/KPI03")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert "69% in Q3 2022/23 against a target of 72%" in page
    assert "Owner Assistant Director Schools and Achievement" in page
    assert "Polarity Higher is better" in page and "Reported Termly" in page
    assert "Target 72%" in page and "Tolerance band Down to 68%" in page
    assert "E1.6:" in page and "E2.8:" in page  # linked projects
    # Values table, newest first, with each period's status and direction.
    assert re.search(r"Q3 2022/23 ending 31 December 2022 69% 72% Amber ↑ Improving", page)
    assert re.search(r"Q2 2022/23 ending 30 September 2022 67% 72% Red → No change", page)
    assert re.search(r"Q1 2022/23 ending 30 June 2022 67% 72% Red No previous value", page)
    assert "Commentary Q3 2022/23 Data and performance is available termly" in page
    # The chart: an image with a title, a target line, a shaded band, and a table of the same figures next to it.
    svg = re.search(r"<svg[^>]*app-kpi-chart.*?</svg>", html, flags=re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "KPI03: Percentage of 2-year-olds" in svg
    assert 'class="app-kpi-chart__target"' in svg and 'class="app-kpi-chart__band"' in svg
    assert "Tolerance band" in svg and ">Target<" in svg and ">Per cent<" in svg and ">Period<" in svg
    assert "Values by period (the figures in the chart)" in page
    assert "Add a value" not in page  # a viewer cannot enter values


def test_the_chart_draws_comparators_and_targets_that_change_by_year(viewer_client, programme):
    kpi = make_kpi("KPI30", target=60, tolerance_low=55, polarity="higher")
    add_target(kpi, date(2023, 4, 1), target=65, tolerance_low=60)
    make_value(kpi, date(2022, 12, 31), 58, "Q3 2022/23", national=61, statistical_neighbours=59, regional=57)
    make_value(kpi, date(2023, 6, 30), 63, "Q1 2023/24", national=62, statistical_neighbours=60, regional=58)
    db.session.commit()
    response = viewer_client.get("/p/test/kpis/KPI30")
    html = response.get_data(as_text=True)
    svg = re.search(r"<svg[^>]*app-kpi-chart.*?</svg>", html, flags=re.S).group(0)
    for series in ("national", "statistical_neighbours", "regional"):
        assert f'class="app-kpi-chart__{series}"' in svg
    assert ">National<" in svg and ">Statistical neighbours<" in svg and ">Regional<" in svg
    # The target steps from 60 to 65 at the year boundary: two different heights on one path.
    target_path = re.search(r'class="app-kpi-chart__target" d="([^"]+)"', svg).group(1)
    heights = {float(y) for y in re.findall(r"[ML][\d.]+ ([\d.]+)", target_path)}
    assert len(heights) == 2
    page = text_of(response)
    assert re.search(r"Q1 2023/24 .*? 63% 65% Amber ↑ Improving 62% 60% 58%", page)
    assert re.search(r"Q3 2022/23 .*? 58% 60% Amber No previous value 61% 59% 57%", page)
    assert (
        "Targets by year Earlier periods: 60%; tolerance down to 55% From 1 April 2023: 65%; tolerance down to 60%"
    ) in page


def test_a_comparator_target_without_a_published_comparator_has_no_status(viewer_client, programme):
    kpi = make_kpi("KPI31", comparator=ComparatorKind.NATIONAL, polarity="higher")
    make_value(kpi, date(2022, 8, 31), 61, "2021/22")
    db.session.commit()
    page = text_of(viewer_client.get("/p/test/kpis/KPI31"))
    assert "National average not published No status" in page


def test_workstream_and_project_pages_show_their_kpi_panel(viewer_client, demo):
    page = text_of(viewer_client.get("/p/children/workstreams/E1"))
    assert "KPIs The measures this workstream and its projects are meant to move." in page
    assert re.search(r"KPI03 .*? 69% Q3 2022/23 72% Amber ↑ Improving", page)
    page = text_of(viewer_client.get("/p/children/projects/E1.10"))
    assert "The measures this project is meant to move." in page
    assert set(re.findall(r"KPI\d\d", page)) == {"KPI05", "KPI06"}
    page = text_of(viewer_client.get("/p/children/projects/A1"))
    assert "No KPIs are linked to this project." in page


def test_public_progress_pages_do_not_show_kpis_to_visitors_who_have_not_signed_in(client, demo):
    from tracker.programme.models import Programme

    db.session.scalars(select(Programme)).one().public_progress_pages = True
    db.session.commit()
    response = client.get("/p/children/workstreams/E1")
    assert response.status_code == 200
    assert "KPI03" not in text_of(response) and "/p/children/kpis" not in response.get_data(as_text=True)


def test_json_and_csv_downloads_match_the_cli_export(viewer_client, runner, demo):
    db.session.commit()
    from_web = viewer_client.get("/p/children/kpis.json")
    assert from_web.mimetype == "application/json"
    assert json.loads(from_web.get_data(as_text=True)) == json.loads(runner.invoke(args=["export", "kpis"]).output)
    csv_response = viewer_client.get("/p/children/kpis.csv")
    assert csv_response.mimetype == "text/csv" and "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.get_data(as_text=True) == runner.invoke(args=["export", "kpis", "--format", "csv"]).output


def test_the_csv_download_never_hands_a_spreadsheet_a_formula(viewer_client, programme):
    import csv
    import io

    from tests.kpis.factories import make_kpi

    make_kpi("F1", title='=HYPERLINK("http://evil.example","Click")', description="@SUM(A1:A9)")
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(viewer_client.get("/p/test/kpis.csv").get_data(as_text=True))))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


# --- entering values -------------------------------------------------------------------------------


@pytest.fixture
def owned_kpi(programme):
    owner = make_person(name="Head of Inclusion")
    kpi = make_kpi("KPI40", target=65, tolerance_low=60, polarity="higher", owner=owner)
    make_value(kpi, date(2022, 9, 30), 63, "Q2 2022/23")
    db.session.commit()
    return kpi


def value_form(day="31", month="12", year="2022", **overrides) -> dict:
    """The value form as a browser posts it: the three date boxes share the field's name."""
    data = {
        "period_end": [day, month, year],
        "period_label": "Q3 2022/23",
        "value": "66",
        "numerator": "",
        "denominator": "",
        "national": "",
        "statistical_neighbours": "",
        "regional": "",
        "commentary": "Better than last quarter.",
        "version": "",
    }
    data.update(overrides)
    return data


def test_who_may_enter_values(signed_in_client, owned_kpi):
    viewer = signed_in_client(make_user("viewer"))
    other_lead = signed_in_client(make_user("lead", person=make_person(name="Someone Else")))
    owner = signed_in_client(make_user("viewer", person=owned_kpi.owner))
    admin = signed_in_client(make_user("admin"))
    for client in (viewer, other_lead):
        assert client.get("/p/test/kpis/KPI40/values/new").status_code == 403
        assert client.post("/p/test/kpis/KPI40/values/new", data=value_form()).status_code == 403
        assert client.get("/p/test/kpis/KPI40/values/2022-09-30/edit").status_code == 403
        assert "Add a value" not in text_of(client.get("/p/test/kpis/KPI40"))
    assert count(KpiValue) == 1
    assert "Add a value" in text_of(owner.get("/p/test/kpis/KPI40"))
    assert owner.post("/p/test/kpis/KPI40/values/new", data=value_form()).status_code == 302
    next_quarter = value_form(month="3", year="2023", period_label="Q4 2022/23")
    assert admin.post("/p/test/kpis/KPI40/values/new", data=next_quarter).status_code == 302
    assert count(KpiValue) == 3


def test_a_saved_value_shows_on_the_kpi_page(admin_client, owned_kpi):
    response = admin_client.post("/p/test/kpis/KPI40/values/new", data=value_form(), follow_redirects=True)
    page = text_of(response)
    assert "Value for Q3 2022/23 saved for KPI40." in page
    assert re.search(r"Q3 2022/23 ending 31 December 2022 66% 65% Green ↑ Improving", page)
    assert "Better than last quarter." in page


def test_value_form_computes_from_numerator_and_denominator(admin_client, owned_kpi):
    admin_client.post("/p/test/kpis/KPI40/values/new", data=value_form(value="", numerator="45", denominator="60"))
    saved = db.session.scalars(select(KpiValue).where(KpiValue.period_label == "Q3 2022/23")).one()
    assert (saved.value, saved.numerator, saved.denominator) == (Decimal("75"), Decimal("45"), Decimal("60"))


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"value": "sixty"}, "value", "Value must be a number, like 72 or 4.5 ('sixty' is not a number)"),
        ({"value": "", "numerator": "4"}, "value", "Enter a value, or both a numerator and a denominator"),
        ({"value": "", "numerator": "4", "denominator": "0"}, "denominator", "Denominator cannot be 0"),
        (
            {"national": "about 60"},
            "national",
            "National (optional) must be a number, like 72 or 4.5 ('about 60' is not a number)",
        ),
        ({"day": "31", "month": "2"}, "period_end-day", "Period end date must be a real date"),
        ({"day": "", "month": "", "year": ""}, "period_end-day", "Enter the period end date"),
        ({"year": "22"}, "period_end-day", "Period end date must be a real date, like 31 3 2023"),
        ({"period_end": ["31"]}, "period_end-day", "Period end date must include a day, month and year"),
        ({"period_end": []}, "period_end-day", "Enter the period end date"),
        ({"period_label": ""}, "period_label", "Enter the period label"),
        (
            {"month": "9", "day": "30"},
            "period_end-day",
            "There is already a value for the period ending 30 September 2022 (Q2 2022/23); change that value instead",
        ),
    ],
)
def test_value_form_errors_are_shown_and_nothing_is_saved(admin_client, owned_kpi, overrides, field, message):
    response = admin_client.post("/p/test/kpis/KPI40/values/new", data=value_form(**overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert f'href="#{field}">{message}' in html.replace("&#39;", "'")
    assert html.startswith("<!DOCTYPE html>") and "<title>Error:" in html
    assert count(KpiValue) == 1


def test_changing_a_value_keeps_the_old_one_in_history(admin_client, admin_user, owned_kpi):
    form_page = admin_client.get("/p/test/kpis/KPI40/values/2022-09-30/edit")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form_page.get_data(as_text=True)).group(1)
    html = form_page.get_data(as_text=True)
    assert 'value="63"' in html and 'value="Q2 2022/23"' in html
    for box, shown in (("day", "30"), ("month", "09"), ("year", "2022")):
        assert re.search(rf'id="period_end-{box}"[^>]*value="{shown}"', html), box
    response = admin_client.post(
        "/p/test/kpis/KPI40/values/2022-09-30/edit",
        follow_redirects=True,
        data=value_form(
            month="9",
            day="30",
            period_label="Q2 2022/23",
            value="62.5",
            commentary="Corrected after validation.",
            version=version,
        ),
    )
    page = text_of(response)
    assert "Changes to reported values" in page
    assert re.search(r"Q2 2022/23 63% 62.5% commentary Pat Director \(form\)", page)
    [history] = db.session.scalars(select(KpiValueHistory)).all()
    assert (history.old_value, history.new_value, history.changed_by_id) == (
        Decimal("63"),
        Decimal("62.5"),
        admin_user.id,
    )


def test_a_save_over_someone_elses_newer_save_is_refused(admin_client, owned_kpi):
    stale = re.search(
        r'name="version" type="hidden" value="(\d+)"',
        admin_client.get("/p/test/kpis/KPI40/values/2022-09-30/edit").get_data(as_text=True),
    ).group(1)
    edit = {"month": "9", "day": "30", "period_label": "Q2 2022/23"}
    admin_client.post("/p/test/kpis/KPI40/values/2022-09-30/edit", data=value_form(**edit, value="64", version=stale))
    response = admin_client.post(
        "/p/test/kpis/KPI40/values/2022-09-30/edit", data=value_form(**edit, value="70", version=stale)
    )
    assert "Someone else saved this value while you were editing it: it is now 64% for Q2 2022/23." in text_of(response)
    assert db.session.scalars(select(KpiValue.value)).one() == Decimal("64")


def test_unknown_kpis_and_periods_are_not_found(admin_client, owned_kpi):
    assert admin_client.get("/p/test/kpis/NOPE").status_code == 404
    assert admin_client.get("/p/test/kpis/KPI40/values/2031-01-01/edit").status_code == 404
    assert admin_client.get("/p/test/kpis/KPI40/values/not-a-date/edit").status_code == 404


# --- import upload --------------------------------------------------------------------------------


def upload(client, kind: str, text: str, name: str = "file.csv"):
    return client.post(
        "/p/test/admin/kpis/import",
        data={"kind": kind, "file": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_only_admins_may_import(signed_in_client, programme):
    for role in ("viewer", "lead"):
        client = signed_in_client(make_user(role))
        assert client.get("/p/test/admin/kpis/import").status_code == 403
        assert client.post("/p/test/admin/kpis/import", data={"kind": "kpis"}).status_code == 403


def test_an_uploaded_file_with_problems_is_listed_row_by_row_and_nothing_is_written(admin_client, programme):
    text = (
        "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description\n"
        "KPI01,Fine,percent,higher,annual,1,,,\n"
        "KPI02,Bad,percent,sideways,annual,x,,,\n"
    )
    response = upload(admin_client, "kpis", text)
    page = text_of(response)
    assert "file.csv has 2 problems. Nothing was imported" in page
    assert "3 polarity 'sideways' is not a polarity; use one of higher, lower, stable, trend" in page
    assert "3 target 'x' is not a target" in page
    assert count(Kpi) == 0


def test_an_uploaded_file_is_imported_with_a_summary(admin_client, programme):
    kpis = (
        "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description\n"
        "KPI01,Absence,percent,lower,annual,4,,4.5,\n"
    )
    page = text_of(upload(admin_client, "kpis", kpis, "kpis.csv"))
    assert "Imported 1 KPI: 1 new, 0 updated, 0 unchanged. File: kpis.csv." in page
    values = (
        "kpi_ref,period_end,period_label,value,numerator,denominator,commentary,national,"
        "statistical_neighbours,regional\n"
        "KPI01,2022-06-30,Q1 2022/23,5,,,,,,\n"
    )
    page = text_of(upload(admin_client, "kpi-values", values, "values.csv"))
    assert "Imported 1 KPI value: 1 new, 0 updated, 0 unchanged." in page
    assert count(KpiValue) == 1
    audit = text_of(admin_client.get("/admin/audit"))
    assert "KPIs imported" in audit and "KPI values from values.csv into test: Imported 1 KPI value" in audit


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "kpis"}, "Choose a CSV file to import"),
        ({"file": (io.BytesIO(b"x"), "f.csv")}, "Choose whether the file contains KPI definitions or KPI values"),
        ({"kind": "kpis", "file": (io.BytesIO(b"x"), "f.xlsx")}, "The file must be a CSV file (ending .csv)"),
    ],
)
def test_the_import_form_says_what_is_missing(admin_client, programme, data, message):
    response = admin_client.post("/p/test/admin/kpis/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and message in text_of(response)


# --- a fixed number of statements whatever the data size ------------------------------------------


def build_kpis(how_many: int, values_each: int) -> None:
    """Add KPIs linked to workstream W and a project in it; K000 gets values_each more periods every time."""
    workstream = db.session.scalars(select(Workstream).where(Workstream.ref == "W")).first() or make_workstream("W")
    project = make_project(workstream)
    owner = make_person()
    existing = count(Kpi)
    for n in range(existing, existing + how_many):
        kpi = make_kpi(
            f"K{n:03d}", target=50, tolerance_low=40, workstreams=[workstream], projects=[project], owner=owner
        )
        add_target(kpi, date(2022, 4, 1), target=55, tolerance_low=45)
    first = db.session.scalars(select(Kpi).where(Kpi.ref == "K000")).one()
    for kpi in db.session.scalars(select(Kpi)):
        start = db.session.scalar(select(func.count()).select_from(KpiValue).where(KpiValue.kpi_id == kpi.id))
        if start and kpi is not first:
            continue
        for month in range(start, start + values_each):
            make_value(
                kpi,
                date(2020 + month // 12, month % 12 + 1, 28),
                40 + month,
                national=50,
                commentary="Commentary for the period.",
            )
    db.session.commit()


@pytest.mark.parametrize(
    "url",
    [
        "/p/test/kpis",
        "/p/test/kpis?workstream=W&status=amber",
        "/p/test/kpis/K000",
        "/p/test/workstreams/W",
        "/p/test/kpis.json",
        "/p/test/kpis.csv",
    ],
)
def test_kpi_pages_issue_a_fixed_number_of_statements(viewer_client, programme, count_queries, url):
    build_kpis(2, 2)
    small = count_queries(lambda: viewer_client.get(url))
    build_kpis(25, 24)
    large = count_queries(lambda: viewer_client.get(url))
    assert viewer_client.get(url).status_code == 200
    assert small == large, f"{url}: {small} statements with 2 KPIs, {large} with 27"
    assert large <= 15  # rendered afresh: the page, its KPI panel, its risk panel and its scope's version

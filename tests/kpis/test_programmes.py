"""KPIs belong to one programme: two programmes may each have a "KPI 1", and neither sees or touches the other's."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import make_programme, make_project, make_user, make_workstream
from tests.kpis.factories import make_kpi, make_value
from tracker.auth.models import ProgrammeRole, Role
from tracker.core.errors import NotAllowed, NotFound
from tracker.extensions import db
from tracker.kpis import queries
from tracker.kpis.importer import ImportRejected, import_kpi_values, import_kpis
from tracker.kpis.models import Kpi, KpiValue, KpiValueHistory
from tracker.programme.models import Programme

KPI_HEADER = "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description"
VALUE_HEADER = (
    "kpi_ref,period_end,period_label,value,numerator,denominator,commentary,national,statistical_neighbours,regional"
)


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style|title|desc)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


@pytest.fixture
def two(app) -> tuple[Programme, Programme]:
    """Programmes alpha and beta, each with a workstream E1 and a KPI "KPI 1" linked to it, with different figures."""
    alpha = make_programme(short_name="alpha", name="Alpha programme")
    beta = make_programme(short_name="beta", name="Beta programme")
    for programme, title, figure in ((alpha, "Alpha attendance", 91), (beta, "Beta exclusions", 7)):
        workstream = make_workstream("E1", programme=programme, title=f"{programme.name} E1")
        kpi = make_kpi("KPI 1", programme=programme, title=title, target=50, workstreams=[workstream])
        make_value(kpi, date(2023, 3, 31), figure, "Q4 2022/23")
    make_kpi("KPI 2", programme=beta, title="Beta only")
    db.session.commit()
    return alpha, beta


def kpi_in(programme: Programme, ref: str = "KPI 1") -> Kpi:
    return db.session.scalars(select(Kpi).where(Kpi.programme_id == programme.id, Kpi.ref == ref)).one()


# --- reads name their programme --------------------------------------------------------------------


def test_each_programme_reads_only_its_own_kpis(two):
    alpha, beta = two
    assert [row.kpi.title for row in queries.scorecard(alpha)] == ["Alpha attendance"]
    assert [row.kpi.title for row in queries.scorecard(beta)] == ["Beta exclusions", "Beta only"]
    assert queries.kpi_by_ref(alpha, "kpi-1").title == "Alpha attendance"
    assert queries.kpi_by_ref(beta, "KPI 1").title == "Beta exclusions"
    with pytest.raises(NotFound):
        queries.kpi_by_ref(alpha, "KPI 2")
    beta_e1 = db.session.scalars(select(Kpi).where(Kpi.programme_id == beta.id)).first().workstreams[0]
    assert [row.kpi.title for row in queries.kpis_for(beta_e1)] == ["Beta exclusions"]


def test_each_scorecard_shows_only_its_own_kpis(viewer_client, two):
    alpha_page = text_of(viewer_client.get("/p/alpha/kpis"))
    beta_page = text_of(viewer_client.get("/p/beta/kpis"))
    assert "Alpha programme KPI scorecard" in alpha_page and "1 KPI." in alpha_page
    assert "Alpha attendance" in alpha_page and "Beta" not in alpha_page
    assert "2 KPIs." in beta_page and "Beta exclusions" in beta_page and "Alpha attendance" not in beta_page
    html = viewer_client.get("/p/beta/kpis").get_data(as_text=True)
    assert 'href="/p/beta/kpis/kpi-1"' in html and "/p/alpha/" not in html


def test_the_same_address_in_two_programmes_shows_two_different_kpis(viewer_client, two):
    alpha_page = text_of(viewer_client.get("/p/alpha/kpis/kpi-1"))
    beta_page = text_of(viewer_client.get("/p/beta/kpis/kpi-1"))
    assert "Alpha attendance" in alpha_page and "91%" in alpha_page and "Beta exclusions" not in alpha_page
    assert "Beta exclusions" in beta_page and "7%" in beta_page and "Alpha attendance" not in beta_page
    assert viewer_client.get("/p/alpha/kpis/kpi-2").status_code == 404
    assert viewer_client.get("/p/gamma/kpis").status_code == 404


def test_downloads_and_workstream_panels_are_the_programmes_own(viewer_client, two):
    exported = json.loads(viewer_client.get("/p/alpha/kpis.json").get_data(as_text=True))
    assert [(r["ref"], r["title"], r["latest_value"]) for r in exported] == [("KPI 1", "Alpha attendance", 91)]
    download = viewer_client.get("/p/beta/kpis.csv")
    assert "kpi-scorecard-beta.csv" in download.headers["Content-Disposition"]
    assert "Beta exclusions" in download.get_data(as_text=True) and "Alpha" not in download.get_data(as_text=True)
    panel = text_of(viewer_client.get("/p/alpha/workstreams/E1"))
    assert "Alpha attendance" in panel and "Beta exclusions" not in panel


def test_the_scorecard_is_in_the_menu_on_programme_pages_only(viewer_client, two):
    assert 'href="/p/alpha/kpis"' in viewer_client.get("/p/alpha/").get_data(as_text=True)
    portfolio = viewer_client.get("/programmes")
    assert portfolio.status_code == 200 and "/kpis" not in portfolio.get_data(as_text=True)


# --- who may enter values and import is asked in the KPI's programme -------------------------------


def test_a_programmes_office_imports_and_enters_values_in_its_programme_only(signed_in_client, two):
    alpha, beta = two
    office = make_user("viewer")
    db.session.add(ProgrammeRole(user_id=office.id, programme_id=alpha.id, role=Role.ADMIN))
    client = signed_in_client(office)
    assert client.get("/p/alpha/admin/kpis/import").status_code == 200
    assert client.get("/p/beta/admin/kpis/import").status_code == 403
    assert "Import KPIs or KPI values" in text_of(client.get("/p/alpha/kpis"))
    assert "Import KPIs or KPI values" not in text_of(client.get("/p/beta/kpis"))
    assert "Add a value" in text_of(client.get("/p/alpha/kpis/kpi-1"))
    assert client.get("/p/beta/kpis/kpi-1/values/new").status_code == 403
    with pytest.raises(NotAllowed):
        import_kpis(f"{KPI_HEADER}\nKPI 9,New,number,higher,annual,1,,,\n", programme=beta, user=office)


# --- imports go into one programme -----------------------------------------------------------------


def test_an_import_into_one_programme_leaves_the_others_kpi_with_the_same_ref_alone(two):
    alpha, beta = two
    before = (kpi_in(alpha).title, [(v.period_end, v.value) for v in kpi_in(alpha).values])
    summary = import_kpis(
        f"{KPI_HEADER},links\nKPI 1,Beta exclusions renamed,percent,lower,annual,5,,6,,E1\n"
        "KPI 3,Beta new,number,higher,annual,1,,,,\n",
        programme=beta,
    )
    assert (summary.created, summary.updated) == (1, 1)
    values = import_kpi_values(
        f"{VALUE_HEADER}\nkpi-1,2023-03-31,Q4 2022/23,6,,,Corrected,,,\nKPI 1,2023-06-30,Q1 2023/24,5,,,,,,\n",
        programme=beta,
    )
    db.session.commit()
    assert (values.created, values.updated) == (1, 1)
    db.session.expire_all()
    assert (kpi_in(alpha).title, [(v.period_end, v.value) for v in kpi_in(alpha).values]) == before
    assert kpi_in(beta).title == "Beta exclusions renamed"
    assert [v.value for v in kpi_in(beta).values] == [Decimal("6"), Decimal("5")]
    # The links column names beta's own E1, not alpha's.
    assert [(w.programme_id, w.ref) for w in kpi_in(beta).workstreams] == [(beta.id, "E1")]
    assert kpi_in(beta, "KPI 3").programme_id == beta.id
    assert db.session.scalars(select(Kpi.programme_id).where(Kpi.ref == "KPI 3")).all() == [beta.id]
    [history] = db.session.scalars(select(KpiValueHistory)).all()
    assert history.kpi_id == kpi_in(beta).id


def test_an_import_cannot_reach_another_programmes_kpis_or_workstreams(two):
    alpha, beta = two
    make_workstream("ALPHA ONLY", programme=alpha)
    make_project(db.session.scalars(select(Kpi).where(Kpi.programme_id == alpha.id)).one().workstreams[0], "A1.1")
    db.session.commit()
    with pytest.raises(ImportRejected) as caught:
        import_kpi_values(f"{VALUE_HEADER}\nKPI 2,2023-03-31,Q4,5,,,,,,\n", programme=alpha)
    assert [str(p) for p in caught.value.problems] == [
        "Row 2, column kpi_ref: 'KPI 2' is not a KPI; import the KPI first"
    ]
    db.session.rollback()
    with pytest.raises(ImportRejected) as caught:
        import_kpis(f"{KPI_HEADER},links\nKPI 1,Beta,percent,lower,annual,5,,,,ALPHA ONLY; A1.1\n", programme=beta)
    assert [str(p) for p in caught.value.problems] == [
        "Row 2, column links: 'ALPHA ONLY' is not the ref of a workstream or project",
        "Row 2, column links: 'A1.1' is not the ref of a workstream or project",
    ]
    db.session.rollback()
    assert db.session.scalars(select(KpiValue.value).join(Kpi).where(Kpi.programme_id == alpha.id)).all() == [
        Decimal("91")
    ]


def test_the_upload_page_imports_into_the_programme_it_is_on(admin_client, two):
    alpha, beta = two
    response = admin_client.post(
        "/p/alpha/admin/kpis/import",
        data={
            "kind": "kpis",
            "file": (io.BytesIO(f"{KPI_HEADER}\nKPI 2,Alpha two,number,higher,annual,1,,,\n".encode()), "k.csv"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Imported 1 KPI: 1 new" in text_of(response)
    assert kpi_in(alpha, "KPI 2").title == "Alpha two" and kpi_in(beta, "KPI 2").title == "Beta only"


# --- the commands: --programme needed only when there is more than one ------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_commands_need_a_programme_to_exist(runner, app, tmp_path):
    kpis = write(tmp_path, "kpis.csv", f"{KPI_HEADER}\nKPI 1,One,number,higher,annual,1,,,\n")
    for args in (["import", "kpis", str(kpis)], ["import", "kpi-values", str(kpis)], ["export", "kpis"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and "No programme has been set up yet" in result.output, args
    assert db.session.scalars(select(Kpi)).all() == []


def test_with_one_programme_the_commands_need_no_programme_option(runner, app, tmp_path):
    only = make_programme(short_name="only")
    db.session.commit()
    kpis = write(tmp_path, "kpis.csv", f"{KPI_HEADER}\nKPI 1,One,number,higher,annual,1,,,\n")
    assert runner.invoke(args=["import", "kpis", str(kpis)]).exit_code == 0
    assert kpi_in(only).title == "One"
    result = runner.invoke(args=["export", "kpis", "--programme", "only"])
    assert result.exit_code == 0 and [r["ref"] for r in json.loads(result.output)] == ["KPI 1"]


def test_with_two_programmes_the_commands_must_name_one(runner, two, tmp_path):
    alpha, beta = two
    kpis = write(tmp_path, "kpis.csv", f"{KPI_HEADER}\nKPI 1,Renamed in alpha,percent,higher,annual,50,,,\n")
    values = write(tmp_path, "values.csv", f"{VALUE_HEADER}\nKPI 1,2023-06-30,Q1 2023/24,92,,,,,,\n")
    for args in (["import", "kpis", str(kpis)], ["import", "kpi-values", str(values)], ["export", "kpis"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and "There is more than one programme: name one with --programme" in result.output
        assert "alpha, beta" in result.output
    result = runner.invoke(args=["export", "kpis", "--programme", "gamma"])
    assert result.exit_code == 1 and "There is no programme with the short name gamma" in result.output

    assert runner.invoke(args=["import", "kpis", str(kpis), "--programme", "alpha"]).exit_code == 0
    assert runner.invoke(args=["import", "kpi-values", str(values), "--programme", "alpha"]).exit_code == 0
    db.session.expire_all()
    assert (kpi_in(alpha).title, kpi_in(beta).title) == ("Renamed in alpha", "Beta exclusions")
    alpha_rows = json.loads(runner.invoke(args=["export", "kpis", "--programme", "alpha"]).output)
    beta_rows = json.loads(runner.invoke(args=["export", "kpis", "--programme", "beta"]).output)
    assert [(r["ref"], r["latest_value"]) for r in alpha_rows] == [("KPI 1", 92)]
    assert [(r["ref"], r["latest_value"]) for r in beta_rows] == [("KPI 1", 7), ("KPI 2", None)]

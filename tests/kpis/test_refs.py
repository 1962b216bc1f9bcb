"""KPI refs as councils write them: spaces, up to 40 characters, slugs in web addresses, links separated by ';'."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import make_programme, make_project, make_workstream, test_programme
from tests.kpis.factories import make_kpi, make_value
from tracker.extensions import db
from tracker.kpis.importer import ImportRejected, import_kpis
from tracker.kpis.models import Kpi

KPI_HEADER = "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description"
VALUE_HEADER = (
    "kpi_ref,period_end,period_label,value,numerator,denominator,commentary,national,statistical_neighbours,regional"
)
FORTY = "Performance Indicator for children 1234 5"  # 41 characters
assert len(FORTY) == 41


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(importer, data) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        importer(data, programme=test_programme())
    db.session.rollback()
    return [str(problem) for problem in caught.value.problems]


def kpi(ref: str) -> Kpi:
    return db.session.scalars(select(Kpi).where(Kpi.ref == ref)).one()


# --- the model keeps the slug and sort key beside the ref -------------------------------------------


def test_a_kpi_ref_is_stored_normalised_with_its_slug_and_natural_sort_key(app):
    stored = make_kpi("  KPI   12 ")
    assert (stored.ref, stored.slug) == ("KPI 12", "kpi-12")
    stored.ref = "Performance Indicator 3"
    assert stored.slug == "performance-indicator-3"
    long_ref = "Performance Indicator for children 12345"  # exactly 40
    assert make_kpi(long_ref).ref == long_ref
    db.session.commit()


def test_kpis_sort_naturally(app):
    for ref in ("KPI 10", "KPI 2", "KPI 1", "BCP 4", "P1", "Performance Indicator 3"):
        make_kpi(ref)
    db.session.commit()
    from tracker.kpis.queries import kpi_rows

    assert [row.kpi.ref for row in kpi_rows(test_programme())] == [
        "BCP 4",
        "KPI 1",
        "KPI 2",
        "KPI 10",
        "P1",
        "Performance Indicator 3",
    ]


def test_a_ref_that_is_not_kpi_shaped_is_labelled_as_a_kpi(app):
    labels = {ref: make_kpi(ref).label for ref in ("KPI 12", "Performance Indicator 3", "BCP 4", "P1")}
    assert labels == {
        "KPI 12": "KPI 12",
        "Performance Indicator 3": "Performance Indicator 3",
        "BCP 4": "KPI BCP 4",
        "P1": "KPI P1",
    }


# --- import and export: refs with spaces round trip ---------------------------------------------------

SPACED_KPIS = csv_text(
    KPI_HEADER + ",links",
    "KPI 12,Twelve,percent,higher,quarterly,72,68,,,BCP 4; E1",
    "KPI 2,Two,number,lower,quarterly,10,,12,,E1 E1.7",
    "Performance Indicator 3,Three,rate,higher,annual,35.5,30,,,BCP 4",
    "BCP 4,Four,percent,lower,annual,5,,5.5,,",
    "P1,One,score,stable,annual,100,95,105,,E1.7",
)
SPACED_VALUES = csv_text(
    VALUE_HEADER,
    "KPI 12,2023-03-31,Q4 2022/23,69,,,,,,",
    "kpi-12,2023-06-30,Q1 2023/24,70.25,,,,,,",  # a KPI is named by its ref or its web address, in any case
    "KPI 2,2023-06-30,Q1 2023/24,11,,,,,,",
    "performance indicator 3,2023-03-31,2022/23,35.04,,,,,,",
    "BCP 4,2023-03-31,2022/23,5.4,,,,,,",
    "P1,2023-03-31,2022/23,104.5,,,,,,",
)


@pytest.fixture
def linked(app):
    make_programme()
    workstream = make_workstream("E1")
    make_workstream("BCP 4")
    make_project(workstream, "E1.7")
    db.session.commit()


def test_a_file_of_refs_with_spaces_imports_and_exports_back_unchanged(runner, linked, tmp_path):
    kpis, values = write(tmp_path, "kpis.csv", SPACED_KPIS), write(tmp_path, "values.csv", SPACED_VALUES)
    result = runner.invoke(args=["import", "kpis", str(kpis)])
    assert result.exit_code == 0, result.output
    assert "Imported 5 KPIs: 5 new" in result.output
    result = runner.invoke(args=["import", "kpi-values", str(values)])
    assert result.exit_code == 0, result.output

    first = runner.invoke(args=["export", "kpis", "--format", "csv"]).output
    records = list(csv.DictReader(io.StringIO(first)))
    # Every ref comes back as it was written, in natural order, with the value as it was imported.
    assert [(r["ref"], r["latest_value"]) for r in records] == [
        ("BCP 4", "5.4"),
        ("KPI 2", "11"),
        ("KPI 12", "70.25"),
        ("P1", "104.5"),
        ("Performance Indicator 3", "35.04"),
    ]
    assert kpi("KPI 12").slug == "kpi-12" and len(kpi("KPI 12").values) == 2
    assert [w.ref for w in kpi("KPI 12").workstreams] == ["BCP 4", "E1"]
    assert [p.ref for p in kpi("KPI 2").projects] == ["E1.7"] and [w.ref for w in kpi("KPI 2").workstreams] == ["E1"]

    # Importing the same files again changes nothing, and the export reads exactly as before.
    result = runner.invoke(args=["import", "kpis", str(kpis)])
    assert "Imported 5 KPIs: 0 new, 0 updated, 5 unchanged." in result.output
    result = runner.invoke(args=["import", "kpi-values", str(values)])
    assert "0 new, 0 updated, 6 unchanged." in result.output
    assert runner.invoke(args=["export", "kpis", "--format", "csv"]).output == first


def test_refs_are_matched_in_any_case_and_keep_their_stored_spelling(app):
    import_kpis(csv_text(KPI_HEADER, "KPI 12,Twelve,percent,higher,annual,72,,,"), programme=test_programme())
    summary = import_kpis(
        csv_text(KPI_HEADER, "kpi 12,Twelve renamed,percent,higher,annual,72,,,"), programme=test_programme()
    )
    db.session.commit()
    assert (summary.created, summary.updated) == (0, 1)
    assert [(k.ref, k.title) for k in db.session.scalars(select(Kpi))] == [("KPI 12", "Twelve renamed")]


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            [f"{FORTY},Too long,percent,higher,annual,1,,,"],
            [f"Row 2, column ref: '{FORTY}' is not a ref: the reference must be 40 characters or fewer"],
        ),
        (
            ["KPI/12,Slash,percent,higher,annual,1,,,"],
            [
                "Row 2, column ref: 'KPI/12' is not a ref: the reference must start with a letter or number and can "
                "only contain letters, numbers, spaces, full stops, hyphens and brackets, like A1, E2.14 or KPI 12"
            ],
        ),
        (
            ["-KPI 1,Dash first,percent,higher,annual,1,,,"],
            [
                "Row 2, column ref: '-KPI 1' is not a ref: the reference must start with a letter or number and can "
                "only contain letters, numbers, spaces, full stops, hyphens and brackets, like A1, E2.14 or KPI 12"
            ],
        ),
        (
            ["KPI 12,Twelve,percent,higher,annual,1,,,", "KPI-12,Twelve again,percent,higher,annual,1,,,"],
            [
                "Row 3, column ref: KPI-12 and KPI 12 on row 2 would have the same web address: write one KPI's ref "
                "the same way on every row, or choose a different ref"
            ],
        ),
        (
            ["KPI 3,Three,percent,higher,annual,1,,,", "kpi  3,Three,percent,higher,annual,1,,,"],
            ["Row 3, column ref: kpi 3 is already on row 2; each KPI once per file"],
        ),
    ],
    ids=["longer than 40", "a slash", "punctuation first", "two spellings of one address", "repeated"],
)
def test_long_and_invalid_refs_are_refused_with_row_messages(app, rows, expected):
    assert problems_of(import_kpis, csv_text(KPI_HEADER, *rows, "KPI 50,Good,number,higher,annual,1,,,")) == expected
    assert db.session.scalars(select(Kpi)).all() == []


def test_another_spelling_of_a_stored_kpis_address_is_refused(app):
    make_kpi("KPI 12")
    db.session.commit()
    assert problems_of(import_kpis, csv_text(KPI_HEADER, "KPI-12,Clash,percent,higher,annual,1,,,")) == [
        "Row 2, column ref: There is already a KPI KPI 12, and KPI-12 would have the same web address: "
        "write KPI 12 to update it, or choose a different ref"
    ]


# --- the links column -------------------------------------------------------------------------------


@pytest.fixture
def refs_with_spaces(app):
    """Workstreams BCP, 4 and 'BCP 4' (so 'BCP 4' reads two ways), E1 with project E1.7, and 'Early Help 2'."""
    make_programme()
    for ref in ("BCP", "4", "BCP 4", "Early Help 2"):
        make_workstream(ref)
    make_project(make_workstream("E1"), "E1.7")
    db.session.commit()


@pytest.mark.parametrize(
    "links, workstreams, projects",
    [
        ("E1 E1.7", ["E1"], ["E1.7"]),  # every word a ref: read as before
        ("e1  e1.7", ["E1"], ["E1.7"]),  # any case, any spacing
        ("BCP 4; E1", ["BCP 4", "E1"], []),
        ("BCP;4", ["4", "BCP"], []),
        ("E1.7, BCP 4", ["BCP 4"], ["E1.7"]),  # a comma separates too: refs have none
        ("Early Help 2", ["Early Help 2"], []),  # one ref with spaces, no other reading
        ("E1 Early Help 2", ["E1", "Early Help 2"], []),  # only one way to read it
        ("", [], []),
    ],
)
def test_links_are_read_from_refs_separated_by_semicolons_or_spaces(refs_with_spaces, links, workstreams, projects):
    import_kpis(
        csv_text(KPI_HEADER + ",links", f'KPI 1,Linked,percent,higher,annual,1,,,,"{links}"'),
        programme=test_programme(),
    )
    db.session.commit()
    stored = kpi("KPI 1")
    assert sorted(w.ref for w in stored.workstreams) == sorted(workstreams)
    assert [p.ref for p in stored.projects] == projects


@pytest.mark.parametrize(
    "links, expected",
    [
        (
            "BCP 4",
            "'BCP 4' can be read as the refs BCP; 4 or as BCP 4: separate the refs with ';'",
        ),
        ("E1 BCP 4", "'E1 BCP 4' can be read as the refs E1; BCP; 4 or as E1; BCP 4: separate the refs with ';'"),
        ("E1 Z9", "'Z9' is not the ref of a workstream or project"),
        ("E1; Z9 9", "'Z9 9' is not the ref of a workstream or project"),
        (
            "Early Help",
            "'Early Help' is not the ref of a workstream or project, nor a list of them: separate the refs with ';'",
        ),
    ],
    ids=["ambiguous", "ambiguous among others", "unknown word", "unknown part", "unknown words"],
)
def test_links_that_read_two_ways_or_name_nothing_are_refused(refs_with_spaces, links, expected):
    data = csv_text(KPI_HEADER + ",links", f"KPI 1,Linked,percent,higher,annual,1,,,,{links}")
    assert problems_of(import_kpis, data) == [f"Row 2, column links: {expected}"]


def test_the_import_page_explains_refs_and_links(admin_client, app):
    make_programme()
    db.session.commit()
    page = " ".join(
        re.sub(r"<[^>]+>", " ", admin_client.get("/p/test/admin/kpis/import").get_data(as_text=True)).split()
    )
    assert "separated by ; like E1.7; BCP 4." in page
    assert "up to 40 characters" in page and "decimal_places" in page


# --- pages: reached by slug and by the ref itself ----------------------------------------------------


@pytest.fixture
def spaced_kpi(app):
    make_programme()
    stored = make_kpi("KPI 12", target=72, tolerance_low=68)
    make_value(stored, date(2023, 3, 31), 69, "Q4 2022/23")
    db.session.commit()
    return stored


@pytest.mark.parametrize(
    "path", ["/p/test/kpis/kpi-12", "/p/test/kpis/KPI%2012", "/p/test/kpis/kpi%2012", "/p/test/kpis/KPI-12"]
)
def test_a_kpi_page_is_reached_by_its_slug_and_by_its_ref(viewer_client, spaced_kpi, path):
    response = viewer_client.get(path)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Measure KPI 12</h1>' in response.get_data(as_text=True)


def test_links_to_kpi_pages_use_the_slug(admin_client, spaced_kpi):
    scorecard = admin_client.get("/p/test/kpis").get_data(as_text=True)
    assert 'href="/p/test/kpis/kpi-12"' in scorecard and "/p/test/kpis/KPI%2012" not in scorecard
    page = admin_client.get("/p/test/kpis/KPI%2012").get_data(as_text=True)
    assert (
        'href="/p/test/kpis/kpi-12/values/new"' in page and 'href="/p/test/kpis/kpi-12/values/2023-03-31/edit"' in page
    )
    form = admin_client.get("/p/test/kpis/KPI%2012/values/new")
    assert form.status_code == 200 and 'action="/p/test/kpis/kpi-12/values/new"' in form.get_data(as_text=True)
    saved = admin_client.post(
        "/p/test/kpis/KPI%2012/values/new",
        data={"period_end": ["30", "6", "2023"], "period_label": "Q1 2023/24", "value": "71", "version": ""},
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/p/test/kpis/kpi-12")
    assert [v.value for v in kpi("KPI 12").values] == [Decimal("69"), Decimal("71")]


@pytest.mark.parametrize("path", ["/p/test/kpis/kpi-13", "/p/test/kpis/" + "x" * 41, "/p/test/kpis/kpi-13/values/new"])
def test_unknown_or_impossible_kpi_addresses_are_not_found(viewer_client, spaced_kpi, path):
    assert viewer_client.get(path).status_code == 404

"""KPI pages in a real browser: accessible (axe), readable without JavaScript, forms that show their errors.

The pages are the children demo programme's, under /p/children/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, save_screenshot, sign_in, writing
from tests.factories import DEFAULT_TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser

READ_PAGES = [
    ("scorecard", "/p/children/kpis"),
    ("scorecard-filtered", "/p/children/kpis?workstream=E&status=amber&frequency="),
    ("scorecard-bad-filter", "/p/children/kpis?status=purple"),
    ("kpi-page", "/p/children/kpis/KPI03"),
    ("kpi-page-trend", "/p/children/kpis/KPI07"),
    ("kpi-page-single-value", "/p/children/kpis/KPI01"),
    ("workstream-panel", "/p/children/workstreams/E1"),
]


@pytest.fixture
def admin_page(page, app) -> Page:
    with writing():
        admin = make_user("admin", name="Pat Director", email="director@council.example.gov.uk")
    sign_in(page, admin.email, DEFAULT_TEST_PASSWORD)
    return page


@pytest.mark.parametrize(("name", "path"), READ_PAGES, ids=[name for name, _ in READ_PAGES])
def test_kpi_page_is_accessible_and_reads_the_same_without_javascript(
    demo_kpis, viewer_page, viewer_no_js_page, name, path
):
    response = viewer_page.goto(path)
    assert response is not None and response.status == 200
    expect(viewer_page.locator("main h1")).to_be_visible()
    save_screenshot(viewer_page, f"kpi-{name}")
    assert_accessible(viewer_page)
    viewer_no_js_page.goto(path)
    assert (
        viewer_no_js_page.locator("main table").all_inner_texts() == viewer_page.locator("main table").all_inner_texts()
    )
    assert viewer_no_js_page.locator("main svg").count() == viewer_page.locator("main svg").count()


def test_the_trend_chart_is_an_image_with_a_name_and_a_table_beside_it(demo_kpis, viewer_page):
    viewer_page.goto("/p/children/kpis/KPI03")
    chart = viewer_page.get_by_role(
        "img", name="KPI03: Percentage of 2-year-olds accessing Early Education Entitlement (EEE), by period"
    )
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 250
    expect(viewer_page.locator(".app-kpi-chart__target")).to_have_count(1)
    expect(viewer_page.locator(".app-kpi-chart__band")).to_have_count(1)
    expect(viewer_page.get_by_role("table", name="Values by period (the figures in the chart)")).to_be_visible()


def test_value_form_shows_errors_then_saves(demo_kpis, admin_page):
    page = admin_page
    page.goto("/p/children/kpis/KPI03/values/new")
    assert_accessible(page)
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2023")
    page.get_by_label("Period label").fill("Q4 2022/23")
    page.get_by_label("Value", exact=True).fill("seventy")
    page.get_by_role("button", name="Save value").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Value must be a number")
    save_screenshot(page, "kpi-value-form-errors")
    assert_accessible(page)
    summary.get_by_role("link", name="Value must be a number").click()
    expect(page.get_by_label("Value", exact=True)).to_be_focused()
    page.get_by_label("Value", exact=True).fill("70")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Value for Q4 2022/23 saved for KPI03.")
    expect(page.get_by_role("table", name="Values by period (the figures in the chart)")).to_contain_text("Q4 2022/23")


def test_import_form_lists_problems_and_is_accessible(demo_kpis, admin_page, tmp_path):
    page = admin_page
    page.goto("/p/children/admin/kpis/import")
    assert_accessible(page)
    bad = tmp_path / "bad-kpis.csv"
    bad.write_text(
        "ref,title,unit,polarity,frequency,target,tolerance_low,tolerance_high,description\n"
        "KPI90,Fine,percent,higher,annual,1,,,\nKPI91,Bad,percent,sideways,annual,x,,,\n",
        encoding="utf-8",
    )
    page.get_by_label("KPI definitions").check()
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("bad-kpis.csv has 2 problems. Nothing was imported")
    expect(page.locator("#import-problems")).to_be_visible()
    save_screenshot(page, "kpi-import-errors")
    assert_accessible(page)

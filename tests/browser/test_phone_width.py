"""Every page at phone width (375 × 812 CSS pixels): nothing scrolls sideways, wide tables sit in
named, keyboard-focusable scroll regions, and axe finds no problem of any impact there.

Each role's pages are checked in one test (both demo programmes and their KPIs load once per test);
every page is visited even when an earlier one fails, and the failures are reported together.
Screenshots go to $TMPDIR/tracker-screenshots/phone-<role>-<page>.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from tests.browser.conftest import (
    PAGE_TIMEOUT_MS,
    LiveServer,
    blocking_violations,
    describe_violations,
    save_screenshot,
    sign_in,
    writing,
)
from tests.factories import DEFAULT_TEST_PASSWORD, make_user
from tracker.board.models import UpdateRound
from tracker.board.round_queries import round_status
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import BoardMeeting, Programme, Project
from tracker.risks.models import Risk

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}

VIEWER_PAGES = [
    ("overview", "/p/children/", 200),
    ("workstream-A", "/p/children/workstreams/A", 200),
    ("sub-workstream-E1", "/p/children/workstreams/E1", 200),
    ("reported-separately-C", "/p/children/workstreams/C", 200),
    ("project-A1", "/p/children/projects/A1", 200),
    ("action-A1.1", "/p/children/actions/A1.1", 200),
    ("actions", "/p/children/actions", 200),
    ("actions-filtered", "/p/children/actions?workstream=B&status=amber&status=red&sort=deadline", 200),
    ("actions-page-2", "/p/children/actions?page=2", 200),
    ("actions-invalid-filter", "/p/children/actions?workstream=Z9&due_within=soon&sort=sideways", 200),
    ("kpi-scorecard", "/p/children/kpis", 200),
    ("kpi-scorecard-filtered", "/p/children/kpis?workstream=E&status=amber&frequency=", 200),
    ("kpi-scorecard-bad-filter", "/p/children/kpis?status=purple", 200),
    ("kpi-KPI03", "/p/children/kpis/KPI03", 200),
    ("kpi-KPI07-trend", "/p/children/kpis/KPI07", 200),
    ("kpi-KPI01-single-value", "/p/children/kpis/KPI01", 200),
    ("statuses", "/statuses", 200),
    ("accessibility-statement", "/accessibility", 200),
    ("change-password", "/account/password", 200),
    ("search-results", "/p/children/search?q=safeguarding", 200),
    ("search-all-programmes", "/search?q=school", 200),
    ("portfolio-home", "/", 200),
    ("portfolio", "/programmes", 200),
    ("education-overview", "/p/education/", 200),
    ("education-workstream-O1", "/p/education/workstreams/O1", 200),
    ("education-project-O1.1", "/p/education/projects/O1.1", 200),
    ("education-kpi-scorecard", "/p/education/kpis", 200),
    ("search-too-long", "/search?q=" + "x" * 201, 200),
    ("not-found", "/p/children/projects/Z99", 404),
    # The board cycle (the demo's, as `flask demo load` leaves it): see tests/browser/test_board_pages.py.
    ("meetings", "/p/children/meetings", 200),
    ("meeting-coming", "/p/children/meetings/2027-01-04", 200),
    ("meeting-frozen", "/p/children/meetings/2026-11-20", 200),
    ("round", "/p/children/meetings/2027-01-04/round", 200),
    ("round-not-opened", "/p/children/meetings/2027-02-12/round", 200),
    ("movement-frozen", "/p/children/meetings/2026-11-20/movement", 200),
    ("movement-live", "/p/children/meetings/2027-01-04/movement", 200),
    ("risks", "/p/children/risks", 200),
    ("risks-bad-filter", "/p/children/risks?state=sideways&level=purple", 200),
    ("quality-refused", "/p/children/quality", 403),
]
LEAD_PAGES = [
    ("my-actions", "/p/children/my-actions", 200),
    ("update-action", "/p/children/actions/A1.1/update", 200),
    ("update-project", "/p/children/projects/A1/update", 200),
    ("action-with-history", "/p/children/actions/A1.1", 200),
    ("project-with-history", "/p/children/projects/A1", 200),
]
ADMIN_PAGES = [
    ("structure", "/p/children/admin/structure", 200),
    ("structure-workstream", "/p/children/admin/structure/workstreams/A", 200),
    ("structure-project", "/p/children/admin/structure/projects/A1", 200),
    ("structure-new-action", "/p/children/admin/structure/actions/new?project=A1", 200),
    ("structure-edit-project", "/p/children/admin/structure/projects/A1/edit", 200),
    ("structure-edit-workstream", "/p/children/admin/structure/workstreams/A/edit", 200),
    ("people", "/admin/users", 200),
    ("new-user", "/admin/users/new", 200),
    ("settings", "/p/children/admin/settings", 200),
    ("new-programme", "/admin/programmes/new", 200),
    ("audit-log", "/admin/audit", 200),
    ("kpi-value-form", "/p/children/kpis/KPI03/values/new", 200),
    ("kpi-import", "/p/children/admin/kpis/import", 200),
    ("meetings", "/p/children/meetings", 200),
    ("meeting-coming", "/p/children/meetings/2027-01-04", 200),
    ("meeting-edit", "/p/children/meetings/2027-02-12/edit", 200),
    ("round-open-form", "/p/children/meetings/2027-02-12/round", 200),
    ("quality", "/p/children/quality", 200),
    ("risks", "/p/children/risks", 200),
    ("risk-new-project", "/p/children/risks/new?project=A1", 200),
    ("project-risk-panel", "/p/children/projects/A1", 200),
]

# Everything the page does sideways, measured in the browser:
#  - the document's width against the window (tolerance 0);
#  - every element that scrolls sideways must be a named, focusable scroll region;
#  - every scroll region must be focusable (tabindex 0) and named by text that exists;
#  - no visible element may stick out past the right edge (hidden by a clipping ancestor, say)
#    unless it sits inside a scroll region.
MEASURE = """
() => {
  const doc = document.documentElement;
  const problems = [];
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.classList.length) text += "." + [...el.classList].join(".");
    const words = (el.innerText || el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    return words ? `${text} ("${words}")` : text;
  };
  if (doc.scrollWidth > window.innerWidth || doc.scrollWidth > doc.clientWidth) {
    problems.push(`the page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  const nameOf = (el) => {
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const labelled = ids.map((id) => document.getElementById(id)).filter(Boolean)
      .map((target) => target.textContent.trim()).join(" ").trim();
    return labelled || (el.getAttribute("aria-label") || "").trim();
  };
  const focusable = (el) => el.tabIndex >= 0 && !el.hasAttribute("disabled");
  const regions = new Set(document.querySelectorAll(".app-table-scroll"));
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth) regions.add(el);
  }
  const regionList = [...regions];
  for (const region of regionList) {
    if (!region.classList.contains("app-table-scroll")) {
      problems.push(`${describe(region)} scrolls sideways but is not an app-table-scroll region`);
    }
    if (region.getAttribute("role") !== "region") problems.push(`${describe(region)} has no role="region"`);
    if (!focusable(region) || region.getAttribute("tabindex") !== "0") {
      problems.push(`${describe(region)} is not keyboard-focusable (tabindex="0")`);
    }
    if (!nameOf(region)) problems.push(`${describe(region)} has no name (aria-labelledby a caption with text)`);
  }
  // Inside a visually hidden element (clipped to nothing) a descendant may reach anywhere unseen.
  const clippedAway = (el) => {
    for (let outer = el.parentElement; outer && outer !== document.body; outer = outer.parentElement) {
      const style = getComputedStyle(outer);
      if (style.clipPath !== "none" || (style.clip && style.clip !== "auto")) return true;
    }
    return false;
  };
  const sticking = [];  // the outermost elements past the right edge
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if ((rect.width === 0 && rect.height === 0) || rect.right <= window.innerWidth) continue;
    if (regionList.some((region) => region.contains(el) && region !== el)) continue;
    if (clippedAway(el)) continue;
    if (sticking.some((outer) => outer.contains(el))) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    sticking.push(el);
    problems.push(`${describe(el)} reaches ${Math.round(rect.right)}px, past the ${window.innerWidth}px window`);
    if (sticking.length >= 5) break;
  }
  return {problems, regions: regionList.length};
}
"""


@pytest.fixture
def phone_accounts(demo_board_cycle):
    """A viewer, the lead of children's project A1 and an admin, with long (wrapping) e-mail addresses.

    Both demo programmes are loaded, with their KPIs and their board cycle: `/` is the portfolio.
    """
    with writing():
        a1 = db.session.scalars(
            select(Project).join(Project.programme).where(Programme.short_name == "children", Project.ref == "A1")
        ).one()
        return {
            "viewer": make_user(
                "viewer",
                name="Val Viewer",
                email="valentina.viewer-longname@children-and-families.council.example.gov.uk",
            ),
            "lead": make_user("lead", person=a1.lead, name="Lee Lead", email="lee.lead@council.example.gov.uk"),
            "admin": make_user(
                "admin", name="Pat Director", email="patricia.director-of-improvement@council.example.gov.uk"
            ),
        }


@pytest.fixture
def phone_page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live.url, viewport=PHONE, locale="en-GB")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def check_at_phone_width(page: Page, name: str) -> list[str]:
    """Measure the open page and run axe on it; return its problems as readable lines."""
    save_screenshot(page, f"phone-{name}")
    measured = page.evaluate(MEASURE)
    problems = list(measured["problems"])
    violations = blocking_violations(page)
    if violations:
        problems.append("axe-core: " + describe_violations(violations))
    return [f"{name} ({page.url}): {problem}" for problem in problems]


def visit_all(page: Page, role: str, pages: list[tuple[str, str, int]]) -> list[str]:
    problems = []
    for name, path, expected_status in pages:
        response = page.goto(path)
        status = response.status if response else None
        if status != expected_status:
            problems.append(f"{role}-{name}: {path} answered {status}, not {expected_status}")
            continue
        if not page.locator("main h1").first.is_visible():
            problems.append(f"{role}-{name}: {path} shows no heading")
        problems += check_at_phone_width(page, f"{role}-{name}")
    return problems


def assert_no_problems(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} problem(s) at 375px:\n" + "\n".join(problems)


def test_viewer_pages_fit_a_phone(phone_page, phone_accounts):
    sign_in(phone_page, phone_accounts["viewer"].email, DEFAULT_TEST_PASSWORD)
    assert_no_problems(visit_all(phone_page, "viewer", VIEWER_PAGES))


def test_lead_pages_fit_a_phone(phone_page, phone_accounts):
    page = phone_page
    sign_in(page, phone_accounts["lead"].email, DEFAULT_TEST_PASSWORD)
    problems = visit_all(page, "lead", LEAD_PAGES[:3])
    # A form with errors: the error summary and the messages beside the fields.
    page.goto("/p/children/actions/A1.1/update")
    page.locator("#deadline-day").fill("31")
    page.locator("#deadline-month").fill("2")
    page.locator("#deadline-year").fill("2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    problems += check_at_phone_width(page, "lead-update-action-errors")
    # Give A1.1 and A1 some history, with a long unbroken string in it, then view them.
    url = "https://www.council.example.gov.uk/children/early-help/hubs/recruitment-plan-2026-27-final-v3.pdf"
    page.goto("/p/children/actions/A1.1/update")
    page.get_by_label("What has happened since the last update").fill(f"Recruitment plan agreed: {url}")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    assert "/update" not in page.url, page.locator(".govuk-error-summary").all_inner_texts()
    page.goto("/p/children/projects/A1/update")
    page.get_by_label("Progress narrative").fill(f"See {url}")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    problems += visit_all(page, "lead", LEAD_PAGES[3:])
    assert_no_problems(problems)


def test_admin_pages_fit_a_phone(phone_page, phone_accounts):
    page = phone_page
    sign_in(page, phone_accounts["admin"].email, DEFAULT_TEST_PASSWORD)
    risk_id = db.session.scalars(select(Risk.id).order_by(Risk.id)).first()
    pages = [
        *ADMIN_PAGES,
        ("edit-user", f"/admin/users/{phone_accounts['viewer'].id}", 200),
        ("risk-edit", f"/p/children/risks/{risk_id}/edit", 200),
    ]
    problems = visit_all(page, "admin", pages)
    # The board forms with their errors: a risk with nothing filled in, a meeting on a day that does not exist.
    page.goto("/p/children/risks/new?project=A1")
    with page.expect_navigation():
        page.get_by_role("button", name="Add risk").click()
    problems += check_at_phone_width(page, "admin-risk-new-errors")
    page.goto("/p/children/meetings/2027-02-12/edit")
    page.locator("#meets_on-day").fill("31")
    page.locator("#meets_on-month").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Save meeting").click()
    page.locator(".govuk-error-summary").wait_for()
    problems += check_at_phone_width(page, "admin-meeting-edit-errors")
    assert_no_problems(problems)


def test_a_lead_behind_in_the_round_fits_a_phone(phone_page, phone_accounts):
    """My actions with the updates a lead owes this round."""
    with writing():
        update_round = db.session.scalars(
            select(UpdateRound).join(UpdateRound.meeting).where(BoardMeeting.meets_on == date(2027, 1, 4))
        ).one()
        behind = next(lead for lead in round_status(update_round).leads if lead.not_updated and lead.lead_id)
        account = make_user(
            "lead", person=db.session.get(Person, behind.lead_id), email="behind@council.example.gov.uk"
        )
    sign_in(phone_page, account.email, DEFAULT_TEST_PASSWORD)
    problems = visit_all(phone_page, "lead-behind", [("my-actions-round", "/p/children/my-actions", 200)])
    assert phone_page.locator("#round-owed").is_visible()
    assert_no_problems(problems)


def test_signed_out_pages_fit_a_phone(phone_page, phone_accounts):
    page = phone_page
    problems = visit_all(page, "signed-out", [("sign-in", "/sign-in", 200)])
    page.get_by_role("button", name="Sign in").click()
    page.locator(".govuk-error-summary").wait_for()
    problems += check_at_phone_width(page, "signed-out-sign-in-errors")
    # The sign-in page a visitor is sent to from a deep link, and the header once signed in.
    page.goto("/p/children/projects/A1")
    problems += check_at_phone_width(page, "signed-out-sign-in-redirect")
    assert_no_problems(problems)

"""The journeys a lead makes before a board, with the keyboard alone: sign in, update an action, download the pack.

Only Tab, typing and Enter: no click, no fill. Each control reached must show where the focus is (WCAG
2.4.7): the GOV.UK focus style is a yellow outline or box-shadow, never nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.board.helpers import make_meeting
from tests.factories import DEFAULT_TEST_PASSWORD
from tests.programme.editing import make_plan
from tracker.extensions import db

pytestmark = pytest.mark.browser

# What the focused element says: its own text or value, else its label's.
FOCUSED_TEXT = """() => {
  const element = document.activeElement;
  const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
  return [element.innerText || "", element.value || "", label].join(" ");
}"""
# Whether the focused element is drawn differently from the page around it.
FOCUS_SHOWN = """() => {
  const style = getComputedStyle(document.activeElement);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
}"""


def tab_to(page: Page, name: str, limit: int = 150) -> None:
    """Press Tab until the focus reaches the control that says ``name``, and check the focus shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if name in page.evaluate(FOCUSED_TEXT):
            assert page.evaluate(FOCUS_SHOWN), f"the focus on {name!r} is not visible on {page.url}"
            return
    raise AssertionError(f"{name!r} never took the focus in {limit} presses of Tab on {page.url}")


@pytest.fixture
def plan(app):
    plan = make_plan()
    make_meeting(plan.project.programme, date(2026, 12, 10))  # the board the pack is for
    db.session.commit()
    return plan


def test_sign_in_update_an_action_and_download_the_pack_with_the_keyboard_alone(page, plan, tmp_path):
    page.goto("/sign-in")
    tab_to(page, "Email address")
    page.keyboard.type(plan.lead.email)
    tab_to(page, "Password")
    page.keyboard.type(DEFAULT_TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/sign-in" not in page.url

    page.goto("/p/test/actions/A1.1")
    tab_to(page, "Update action")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/p/test/actions/a1.1/update")
    tab_to(page, "Amber")  # the status radios: the focus lands on the one checked
    page.keyboard.press("ArrowDown")  # the next one, Red, is chosen as the focus moves
    expect(page.get_by_label("Red", exact=True)).to_be_checked()
    tab_to(page, "Reason for the change of status")
    page.keyboard.type("Two coordinators withdrew.")
    tab_to(page, "What has happened since the last update")
    page.keyboard.press("Control+A")
    page.keyboard.type("Coordinators interviewed; two offers made.")
    tab_to(page, "Save update")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action A1.1 updated.")
    expect(page.locator("main")).to_contain_text("Coordinators interviewed; two offers made.")

    page.goto("/p/test/")
    tab_to(page, "Download the latest board pack (PDF)")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    path = download.value.path()
    assert path is not None
    text = "".join(page_.extract_text() for page_ in PdfReader(path).pages)
    assert "A1.1 Recruit hub coordinators Alex Lead 31 January 2027 Red" in text, "the pack shows the update just saved"

"""Two people edit the same action in two browsers: the second save gets the conflict page, both texts kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _new_context, assert_accessible, save_screenshot, sign_in
from tests.factories import DEFAULT_TEST_PASSWORD
from tests.programme.editing import make_plan
from tracker.extensions import db
from tracker.programme.models import Action

pytestmark = pytest.mark.browser

FIRST_TEXT = "Olu: three coordinators appointed, induction on 2 December."
SECOND_TEXT = "Alex: recruitment paused while the budget is reviewed."


def test_the_second_save_gets_a_conflict_page_and_the_first_save_is_intact(app, browser, live):
    plan = make_plan()
    plan.action.lead = plan.other_lead.person  # Olu leads the action, Alex leads its project: both may edit it
    db.session.commit()
    action_id, opened_version = plan.action.id, plan.action.version

    olu_context, alex_context = _new_context(browser, live), _new_context(browser, live)
    try:
        olu, alex = olu_context.new_page(), alex_context.new_page()
        sign_in(olu, plan.other_lead.email, DEFAULT_TEST_PASSWORD)
        sign_in(alex, plan.lead.email, DEFAULT_TEST_PASSWORD)
        olu.goto("/p/test/actions/A1.1/update")
        alex.goto("/p/test/actions/A1.1/update")  # both forms open on version 1

        olu.get_by_label("What has happened since the last update").fill(FIRST_TEXT)
        with olu.expect_navigation():
            olu.get_by_role("button", name="Save update").click()
        expect(olu.locator(".govuk-notification-banner")).to_contain_text("Action A1.1 updated.")
        expect(olu.locator("main")).to_contain_text(FIRST_TEXT)

        alex.get_by_label("Amber").check()
        alex.get_by_label("What has happened since the last update").fill(SECOND_TEXT)
        with alex.expect_navigation() as navigation:
            alex.get_by_role("button", name="Save update").click()
        assert navigation.value.status == 409
        heading = alex.get_by_role("heading", level=1)
        expect(heading).to_have_text("Someone else updated action A1.1 while you were editing it")
        expect(alex.locator('td[data-conflict="theirs"]').filter(has_text=FIRST_TEXT)).to_be_visible()
        expect(alex.locator('td[data-conflict="yours"]').filter(has_text=SECOND_TEXT)).to_be_visible()
        expect(alex.get_by_text("Olu Other saved a change on")).to_be_visible()
        # The form below keeps what Alex typed, ready to save again.
        expect(alex.get_by_label("What has happened since the last update")).to_have_value(SECOND_TEXT)
        assert_accessible(alex)
        save_screenshot(alex, "two-editors-conflict")

        db.session.commit()  # end the test's read transaction, so the next read sees the server's writes
        stored = db.session.get(Action, action_id)
        assert stored.progress_note == FIRST_TEXT and stored.version == opened_version + 1
        db.session.commit()

        # Alex decides to apply their text on top: the pre-filled form now carries the newer version.
        with alex.expect_navigation() as navigation:
            alex.get_by_role("button", name="Save my update again").click()
        assert navigation.value.status == 200
        expect(alex.locator("main")).to_contain_text(SECOND_TEXT)
        expect(alex.locator("#history-heading + p + ol > li")).to_have_count(2)  # both saves in the timeline
        db.session.commit()  # end the test's read transaction, so the next read sees the server's writes
        assert db.session.get(Action, action_id).progress_note == SECOND_TEXT
        db.session.commit()
    finally:
        olu_context.close()
        alex_context.close()

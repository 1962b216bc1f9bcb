"""The accessibility helper itself: it catches real problems, with JavaScript on or off."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="/static/favicon.svg">
<form><input type="text" name="q"></form></main></body></html>"""


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_assert_accessible_reports_serious_problems_readably(page, no_js_page, live, javascript):
    target = page if javascript else no_js_page
    target.route(
        lambda url: url.endswith("/broken"),
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=BROKEN_PAGE),
    )
    target.goto("/broken")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(target)
    report = str(failure.value)
    assert "image-alt" in report and "label" in report  # image without alt text; input without a label
    assert "<img" in report  # names the offending element


def test_pages_without_javascript_are_checked_as_served(demo_programme, viewer_no_js_page):
    viewer_no_js_page.goto("/p/children/actions?workstream=B&status=amber")
    assert_accessible(viewer_no_js_page)

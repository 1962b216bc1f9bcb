"""Browser-test fixtures: the app served on a local port, Debian Chromium driven by Playwright.

The live server is one app for the whole session, built from the same test configuration and
database as tests/conftest.py. Each test still gets empty tables from the ``app`` fixture; data a
test creates through ``app`` and commits is what the live server then shows.

Pages open relative URLs against the live server (``page.goto("/actions")``). The live server
checks CSRF tokens, as production does, so forms are exercised exactly as people submit them.

Fixtures: ``page`` / ``no_js_page`` (signed out), ``viewer_page`` / ``viewer_no_js_page`` (signed in
as a viewer through the sign-in form), ``demo_programme`` (the children demo plan, committed),
``demo_kpis`` (its KPIs too), ``demo_programmes`` (both demo plans, children and education, with
their KPIs: the home page is then the portfolio) and ``demo_board_cycle`` (both demo plans with the
demo accounts and the board cycle `flask demo load` adds: meetings, two frozen boards, an open
round with some leads behind, the children programme's risks).

Helpers for tests:
    writing()                        a block whose data is committed for the live server to see
    sign_in(page, email, password)   signs in through the real sign-in form
    assert_accessible(page)          axe-core: no violation of any impact (minor included)
    save_screenshot(page, name)      a full-page PNG in $TMPDIR/tracker-screenshots for humans
"""

from __future__ import annotations

import os
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import TODAY, make_test_config
from tests.factories import DEFAULT_TEST_PASSWORD, make_user
from tracker import create_app
from tracker.core.cache import get_cache
from tracker.core.database import write_intent
from tracker.demo.board_cycle import DemoBoardCycleResult, load_demo_board_cycle
from tracker.demo.loader import (
    CHILDREN,
    EDUCATION,
    DemoLoadResult,
    load_demo_accounts,
    load_demo_kpis,
    load_demo_programme,
)
from tracker.extensions import db
from tracker.programme.queries_programmes import programme_by_short_name

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(os.environ.get("TMPDIR", "/tmp")) / "tracker-screenshots"
# Issue 14: 0 violations of any impact, not only the serious ones.
BLOCKING_IMPACTS = ("minor", "moderate", "serious", "critical")
# Long enough for a slow CI machine, short enough that a hung page fails the test quickly.
PAGE_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a browser: mark it so it can be selected or skipped."""
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in item.path.parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        """Return the absolute URL of path on the live server."""
        return self.url + path


@pytest.fixture(scope="session")
def live_server(_schema, database_url):
    """Serve a second app on the test database from a thread, on a free loopback port."""
    app = create_app(make_test_config(database_url, WTF_CSRF_ENABLED=True))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live(app, live_server) -> LiveServer:
    """The live server, for a test whose data lives in the (freshly wiped) test database.

    Tables are wiped and refilled between tests, so the data version can repeat: the live
    server's roll-up cache is emptied so that it never shows the previous test's figures.
    """
    with live_server.app.app_context():
        get_cache().clear()
    yield live_server
    with live_server.app.app_context():
        get_cache().clear()


@contextmanager
def writing():
    """Run the test's own writes as BEGIN IMMEDIATE transactions, then commit them.

    On SQLite the live server may write (sign-in, session records) while a test sets up data;
    a deferred transaction that read first cannot then take the write lock and fails with
    "database is locked" at once. BEGIN IMMEDIATE waits for the lock instead.
    """
    token = write_intent.set(True)
    try:
        db.session.commit()  # start from a fresh transaction that will begin IMMEDIATE
        yield
        db.session.commit()
    finally:
        write_intent.reset(token)


@pytest.fixture
def demo_programme(app) -> DemoLoadResult:
    """Load the children demo programme (pages under /p/children/) and commit it, so that the live server sees it."""
    with writing():
        return load_demo_programme(TODAY, demo=CHILDREN)


@pytest.fixture
def demo_kpis(demo_programme) -> DemoLoadResult:
    """The children demo programme with its KPIs and their values."""
    with writing():
        load_demo_kpis(CHILDREN)
    return demo_programme


@pytest.fixture
def demo_programmes(app) -> dict[str, DemoLoadResult]:
    """Load both demo programmes, children and education, with their KPIs: `/` is then the portfolio."""
    with writing():
        loaded = {demo.short_name: load_demo_programme(TODAY, demo=demo) for demo in (CHILDREN, EDUCATION)}
        for demo in (CHILDREN, EDUCATION):
            load_demo_kpis(demo)
    return loaded


@pytest.fixture
def demo_board_cycle(demo_programmes) -> dict[str, DemoBoardCycleResult]:
    """Both demo programmes with the demo accounts and their board cycle, as `flask demo load` leaves them.

    The board calendar is planned, the two boards before today are frozen with real changes between
    them, an update round is open for the next board with some leads behind, and the children
    programme has its risks. The demo director (director@demo.example.gov.uk) is an admin.
    """
    with writing():
        load_demo_accounts([demo.short_name for demo in (CHILDREN, EDUCATION)])
        db.session.flush()
        return {
            demo.short_name: load_demo_board_cycle(programme_by_short_name(demo.short_name), TODAY, demo.risks)
            for demo in (CHILDREN, EDUCATION)
        }


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Contexts with JavaScript off: axe cannot run in them (page.evaluate never returns there).
_SCRIPTLESS_CONTEXTS: weakref.WeakSet[BrowserContext] = weakref.WeakSet()
VIEWPORT = {"width": 1280, "height": 900}


def _new_context(browser: Browser, live: LiveServer, **options) -> BrowserContext:
    context = browser.new_context(base_url=live.url, viewport=VIEWPORT, locale="en-GB", **options)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    if options.get("java_script_enabled") is False:
        _SCRIPTLESS_CONTEXTS.add(context)
    _POLICY_VIOLATIONS[context] = []
    context.on("console", lambda message: _note_policy_violation(context, message.text))
    return context


# Chromium reports what the Content-Security-Policy blocked (a script, a style, an image) on the
# console; every browser test fails if a page it opened had anything blocked.
_POLICY_VIOLATIONS: weakref.WeakKeyDictionary[BrowserContext, list[str]] = weakref.WeakKeyDictionary()


def _note_policy_violation(context: BrowserContext, text: str) -> None:
    if "Content Security Policy" in text:
        _POLICY_VIOLATIONS[context].append(text)


def _close_checked(context: BrowserContext) -> None:
    violations = _POLICY_VIOLATIONS.get(context, [])
    context.close()
    assert not violations, "The Content-Security-Policy blocked: " + "; ".join(violations)


@pytest.fixture
def context(browser, live) -> BrowserContext:
    context = _new_context(browser, live)
    yield context
    _close_checked(context)


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


@pytest.fixture
def no_js_context(browser, live) -> BrowserContext:
    """A browser context with JavaScript switched off, to prove pages work without it."""
    context = _new_context(browser, live, java_script_enabled=False)
    yield context
    _close_checked(context)


@pytest.fixture
def no_js_page(no_js_context) -> Page:
    return no_js_context.new_page()


@pytest.fixture
def viewer_account(app):
    """A viewer (any member of staff) with the default test password, committed for the live server."""
    with writing():
        return make_user("viewer", name="Val Viewer", email="viewer@council.example.gov.uk")


@pytest.fixture
def viewer_page(page, viewer_account) -> Page:
    sign_in(page, viewer_account.email, DEFAULT_TEST_PASSWORD)
    return page


@pytest.fixture
def viewer_no_js_page(no_js_page, viewer_account) -> Page:
    sign_in(no_js_page, viewer_account.email, DEFAULT_TEST_PASSWORD)
    return no_js_page


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real sign-in form and wait for the page it leads to."""
    page.goto("/sign-in")
    form = page.locator("main form")
    form.get_by_label("Email address", exact=True).fill(email)
    form.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        form.get_by_role("button", name="Sign in").click()
    assert "/sign-in" not in page.url, f"Sign-in as {email} did not leave the sign-in page:\n{page.inner_text('main')}"


def blocking_violations(page: Page) -> list[dict]:
    """Run axe-core on the page and return its violations of every impact, minor to critical."""
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.extend("       " + line for line in node["failureSummary"].splitlines())
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more elements")
    return "\n".join(lines)


def _scriptless_copy(page: Page) -> Page:
    """Open the page's current DOM in a context where axe can run, with every page script blocked.

    The copy is served at the same URL (so styles and images load as before) with a
    Content-Security-Policy that forbids scripts: it is the page as a browser without
    JavaScript shows it, and Playwright can still inject axe.
    """
    html, url = page.content(), page.url
    context = page.context.browser.new_context(
        storage_state=page.context.storage_state(), viewport=VIEWPORT, locale="en-GB"
    )
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    copy = context.new_page()
    copy.route(
        lambda requested: requested == url,
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=html,
            headers={"Content-Security-Policy": "script-src 'none'"},
        ),
    )
    copy.goto(url)
    return copy


def assert_accessible(page: Page) -> None:
    """Fail with a readable list if axe-core finds any violation, whatever its impact.

    Works on pages with JavaScript off too: axe then checks a script-free copy of the page.
    """
    target = _scriptless_copy(page) if page.context in _SCRIPTLESS_CONTEXTS else page
    try:
        violations = blocking_violations(target)
    finally:
        if target is not page:
            target.context.close()
    assert not violations, f"axe-core found problems on {page.url}:\n" + describe_violations(violations)


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot for a human to look at; return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

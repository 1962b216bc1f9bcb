"""Requests per second and p99 latency of the progress pages under load, served by gunicorn, against /healthz.

    .venv/bin/python bench/throughput.py [--duration 10] [--write-rate 2] [--pages overview,kpi,...]
                                         [--dir FOLDER] [--rebuild]
                                         [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/DBNAME]

Serves the 15,000-action bench programme (`demo scale`, see benchdb.py) with gunicorn (4 sync
workers, `wsgi:app`) on a free loopback port and loads one URL at a time with wrk (2 threads,
16 connections, --latency), after a 2-second warm-up of that URL:

* plain: /healthz (unauthenticated), then the overview, a workstream, a project and an action page,
  the filtered action list, the KPI list and one KPI, the meetings page (signed in as a viewer) and
  My actions (signed in as a lead who leads actions in the programme);
* with writes: the overview and the workstream page again while a separate process saves action
  updates through the real update service (`update_action`, as the programme office) at
  --write-rate a second, alternating an action of workstream B and one of another workstream
  between Amber and Red: each save makes the programme's cached pages stale, as a lead's save does;
* memory: the resident memory (VmRSS) of the gunicorn master and its workers after the loads.

Targets: each page sustains at least a quarter of the /healthz rate of the same run (the run with
writes is compared with the plain /healthz rate) with a p99 latency of at most 50 ms; gunicorn uses
less than 300 MiB. A response other than 2xx/3xx, a wrk timeout, or a signed-in page that answers
with anything but the page (a redirect to sign-in, say) fails the run. Prints markdown table rows
for bench/RESULTS.md and exits 1 if a target is missed.

SQLite: works on a copy of the bench database (throughput.db, beside bench.db) because it writes to
it: the other bench scripts keep measuring the data they always did. With --postgres the URL names
a PostgreSQL database, empty or built before, in which the same programme is built through the same
commands on first use. Either way `flask db upgrade` runs first, and what the pages need is added
once: KPIs, risks and board meetings (benchdb.add_kpis_risks_meetings, as board_cycle.py adds them),
the programme office account the writer uses, and a lead account (`flask users create --role lead
--person ...`) linked to the person who leads the most of the programme's actions.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import multiprocessing
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchdb import (
    REPO_ROOT,
    VIEWER_EMAIL,
    VIEWER_PASSWORD,
    BenchDatabase,
    add_kpis_risks_meetings,
    csrf_token_from,
    ensure_bench_database,
    ensure_postgres_database,
    flask,
    flip_status,
    office_user,
    working_copy,
)

TARGET_RATIO = 0.25
TARGET_P99_MS = 50.0
TARGET_RSS_MIB = 300.0
WORKERS = 4
THREADS = 2
CONNECTIONS = 16
WARM_UP_S = 2
# wrk and the checks made with urllib send the same headers, so a check sees what wrk is served.
USER_AGENT = "tracker-bench"
LEAD_EMAIL = "bench.lead@example.gov.uk"
LEAD_PASSWORD = "bench lead copper kestrel"
PROGRAMME_TITLE = "Synthetic improvement programme"
# The --pages labels, in the order the pages are loaded; the run with writes loads WRITE_PAGES again.
PAGE_KEYS = (
    "healthz",
    "overview",
    "workstream",
    "project",
    "action",
    "action-list",
    "kpis",
    "kpi",
    "meetings",
    "my-actions",
)
WRITE_PAGES = ("overview", "workstream")


@dataclass(frozen=True)
class Page:
    """One URL to load: `key` is its --pages label; `who` signs in for it (None: nobody)."""

    key: str
    name: str
    url: str
    who: str | None
    # Text the page must contain: proof that it is the page, with its content, not an empty list.
    must_contain: str = ""


@dataclass(frozen=True)
class Setup:
    """What was found or made in the database for the pages to show, and how to describe it."""

    database: str
    action_slug: str
    kpi_slug: str
    kpi_title: str
    kpi_note: str
    lead_note: str


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    rate: float
    p99_ms: float
    requests: int
    # wrk's socket errors: requests that timed out (no answer in 10 s) or whose connection failed.
    timeouts: int
    socket_errors: int
    mean_bytes: float
    output: str = field(default="", repr=False)


@dataclass(frozen=True)
class Row:
    """One line of the results: a page's load in one run, judged against /healthz's rate."""

    run: str
    page: Page
    load: Load
    healthz_rate: float
    writes: int | None = None

    @property
    def ratio(self) -> float:
        return self.load.rate / self.healthz_rate

    @property
    def verdict(self) -> str:
        """PASS, or FAIL with what failed; /healthz is the reference, failed only by requests that failed.

        A request that timed out or lost its connection is not in wrk's latencies: the p99 would
        look better than what was served, so any such request fails the page.
        """
        problems = []
        if self.page.key != "healthz":
            if self.ratio < TARGET_RATIO:
                problems.append("rate")
            if self.load.p99_ms > TARGET_P99_MS:
                problems.append("p99")
        if self.load.timeouts:
            problems.append(f"{self.load.timeouts} timeouts")
        if self.load.socket_errors:
            problems.append(f"{self.load.socket_errors} socket errors")
        if problems:
            return f"FAIL ({', '.join(problems)})"
        return "reference" if self.page.key == "healthz" else "PASS"


# --- the database --------------------------------------------------------------------------------


def open_database(args: argparse.Namespace) -> BenchDatabase:
    """Return the database to serve (SQLite copy or PostgreSQL), built if need be and migrated to the head."""
    bench = ensure_bench_database(args.dir, args.rebuild)
    if args.postgres:
        target: BenchDatabase = ensure_postgres_database(args.postgres, bench.folder / "postgres")
    else:
        target = working_copy(bench, "throughput.db", args.rebuild)
    # A database built before a newer migration must be brought up to date before the app serves it.
    flask(target, "db", "upgrade")
    print(f"{target.url}: migrated to the head (flask db upgrade)", flush=True)
    return target


def prepare(target: BenchDatabase) -> Setup:
    """Add what the pages and the writer need (once) and find the action, KPI and lead the pages show."""
    os.environ.update(database_environ(target))
    from sqlalchemy import select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.kpis.models import Kpi
    from tracker.programme.models import Action, Programme, Project

    app = create_app()
    with app.app_context():
        had_kpis = bool(db.session.scalar(select(Kpi.id).join(Programme).where(Programme.short_name == "scale")))
        db.session.remove()
    add_kpis_risks_meetings(app)  # adds KPIs, risks and meetings only when the programme has no KPI
    with app.app_context():
        office_user()  # the writer's account, made before anything is timed
        programme = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
        action = db.session.scalars(
            select(Action)
            .join(Project, Action.project_id == Project.id)
            .where(Project.programme_id == programme.id, Project.ref == "B1", Action.archived_at.is_(None))
            .order_by(Action.position, Action.ref_sort)
            .limit(1)
        ).one()
        kpis = db.session.scalars(select(Kpi).where(Kpi.programme_id == programme.id).order_by(Kpi.ref_sort)).all()
        if not kpis:
            raise SystemExit("The scale programme has no KPIs, even after adding them.")
        origin = "already there" if had_kpis else "added by this run: benchdb.add_kpis_risks_meetings"
        kpi_note = f"{len(kpis)} in the programme ({origin}); the KPI page is {kpis[0].ref}'s"
        lead_note = ensure_lead(target, programme.id)
        name = db.engine.dialect.name
        version = ".".join(str(part) for part in db.engine.dialect.server_version_info or ())
        database = f"{'PostgreSQL' if name == 'postgresql' else 'SQLite'} {version}"
        setup = Setup(database, action.slug, kpis[0].slug, kpis[0].title, kpi_note, lead_note)
        db.session.remove()
        db.engine.dispose()  # gunicorn and the writer open their own connections
    return setup


def database_environ(target: BenchDatabase) -> dict[str, str]:
    """The variables that point create_app() at the bench database: the same for gunicorn and the writer."""
    return {key: value for key, value in target.environ().items() if key in ("DATABASE_URL", "TRACKER_INSTANCE_PATH")}


def ensure_lead(target: BenchDatabase, programme_id: int) -> str:
    """Make the lead account once, through `flask users create`, linked to the busiest lead; describe it.

    The busiest lead (most live actions in the programme) gives My actions the most to show. A person
    already linked to someone else's account is passed over: an account links one person.
    """
    from sqlalchemy import func, select

    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.people.models import Person
    from tracker.programme.models import Action

    led = func.count(Action.id)
    user = db.session.scalars(select(User).where(User.email == LEAD_EMAIL)).first()
    query = (
        select(Person.name, led)
        .join(Action, Action.lead_id == Person.id)
        .where(Action.programme_id == programme_id, Action.archived_at.is_(None))
        .group_by(Person.id, Person.name)
    )
    if user is not None:
        if user.person_id is None:
            raise SystemExit(f"{LEAD_EMAIL} exists but leads nothing: remove it or use --rebuild.")
        name, count = db.session.execute(query.where(Person.id == user.person_id)).one()
        return f"{LEAD_EMAIL} (lead, linked to {name}: {count} actions)"
    linked = select(User.person_id).where(User.person_id.is_not(None))
    name, count = db.session.execute(query.where(Person.id.not_in(linked)).order_by(led.desc()).limit(1)).one()
    db.session.rollback()  # end the read before the CLI writes
    print(f"Creating the lead account {LEAD_EMAIL}, linked to {name} ({count} actions) …", flush=True)
    flask(
        target,
        "users",
        "create",
        "--email",
        LEAD_EMAIL,
        "--name",
        "Bench lead",
        "--role",
        "lead",
        "--person",
        name,
        stdin=LEAD_PASSWORD + "\n",
    )
    return f"{LEAD_EMAIL} (lead, linked to {name}: {count} actions; account made by this run)"


def pages_for(setup: Setup) -> list[Page]:
    """The URLs to load, in order: /healthz first, the reference every page is compared with."""
    p = "/p/scale"
    return [
        Page("healthz", "/healthz", "/healthz", None, '"status":"ok"'),
        Page("overview", "Overview", f"{p}/", "viewer", PROGRAMME_TITLE),
        Page("workstream", "Workstream page", f"{p}/workstreams/B", "viewer", f'href="{p}/projects/b1"'),
        Page("project", "Project page", f"{p}/projects/B1", "viewer", f'href="{p}/actions/{setup.action_slug}"'),
        Page("action", "Action page", f"{p}/actions/{setup.action_slug}", "viewer", f'href="{p}/projects/b1"'),
        Page(
            "action-list",
            "Action list, filtered",
            f"{p}/actions?workstream=B&status=amber&sort=deadline",
            "viewer",
            f'href="{p}/actions/b',
        ),
        Page("kpis", "KPI list", f"{p}/kpis", "viewer", f'href="{p}/kpis/{setup.kpi_slug}"'),
        Page("kpi", "KPI page", f"{p}/kpis/{setup.kpi_slug}", "viewer", setup.kpi_title),
        Page("meetings", "Meetings", f"{p}/meetings", "viewer", f'href="{p}/meetings/'),
        Page("my-actions", "My actions (lead)", f"{p}/my-actions", "lead", f'href="{p}/actions/'),
    ]


# --- gunicorn and signing in ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(target: BenchDatabase, port: int) -> subprocess.Popen:
    """Start gunicorn in its own process group (so it can be stopped with its workers) and wait for it.

    Its output (the app's one JSON line per request among it) goes to gunicorn.log in the bench
    folder: logging stays on, as in production, without burying the results.
    """
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "--workers", str(WORKERS), "--worker-class", "sync"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    log_path = target.folder / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=REPO_ROOT, env=target.environ(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server)
    except BaseException:
        stop_gunicorn(server)
        print(log_path.read_text()[-3000:], file=sys.stderr)
        raise
    print(f"gunicorn's output: {log_path}", flush=True)
    return server


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit code {server.returncode}) before answering.")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer at {base} within {timeout:.0f} s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(base: str, email: str, password: str) -> str:
    """Sign in through the sign-in form (CSRF token and all); return the Cookie header value.

    Proves the cookie opens the overview itself, not a redirect to the sign-in page.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(base + "/sign-in", timeout=10) as response:
        token = csrf_token_from(response.read().decode())
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
    try:
        opener.open(base + "/sign-in", data=form, timeout=30)
        raise SystemExit(f"Sign-in did not redirect: {email} could not sign in.")
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302 or "/sign-in" in redirect.headers.get("Location", ""):
            raise SystemExit(f"Sign-in as {email} failed: HTTP {redirect.code}") from None
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    fetch(base + "/p/scale/", cookie, PROGRAMME_TITLE)
    return cookie


def fetch(url: str, cookie: str | None, must_contain: str) -> int:
    """GET the URL as wrk will (same headers, no redirects followed); return the body's length.

    Fails on anything but a 200 carrying the expected text: a redirect to sign-in would otherwise
    count as a success in wrk's eyes (3xx), and measure the redirect instead of the page.
    """
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
    try:
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location", "")
        raise SystemExit(f"{url} answered HTTP {error.code}" + (f" to {location}" if location else "")) from None
    if status != 200 or must_contain not in body:
        raise SystemExit(f"{url} answered HTTP {status} without {must_contain!r}: not the page expected.")
    return len(body.encode())


# --- load ----------------------------------------------------------------------------------------

TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def run_wrk(url: str, seconds: int, cookie: str | None) -> Load:
    """Load url with wrk; return what it measured. Any non-2xx/3xx response is a failure."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    command += ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    out = result.stdout
    if result.returncode != 0:
        raise SystemExit(f"wrk failed:\n{out}\n{result.stderr}")
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"Some responses to {url} were errors:\n{out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.MULTILINE)
    total = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read", out)
    if not (rate and p99 and total):
        raise SystemExit(f"Could not read wrk's output:\n{out}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    connect, read, write, timeouts = (int(n) for n in errors.groups()) if errors else (0, 0, 0, 0)
    requests = int(total.group(1))
    if not requests:
        raise SystemExit(f"wrk completed no request to {url} in {seconds} s:\n{out}")
    return Load(
        rate=float(rate.group(1)),
        p99_ms=float(p99.group(1)) * TIME_UNITS_MS[p99.group(2)],
        requests=requests,
        timeouts=timeouts,
        socket_errors=connect + read + write,
        mean_bytes=float(total.group(2)) * SIZE_UNITS[total.group(3)] / requests,
        output=out,
    )


def measure(base: str, page: Page, cookie: str | None, seconds: int, warm_up: bool = True) -> Load:
    """Check the page, warm every worker's caches, load it, and check it again.

    The checks before and after make sure wrk loaded the page itself all along: the same 200 with
    the expected content, and wrk's responses about as long as the page (a redirect to sign-in is
    a few hundred bytes; a page is kilobytes).
    """
    size = fetch(base + page.url, cookie, page.must_contain)
    if warm_up:
        run_wrk(base + page.url, WARM_UP_S, cookie)
    load = run_wrk(base + page.url, seconds, cookie)
    fetch(base + page.url, cookie, page.must_contain)
    if load.mean_bytes < size / 2:
        raise SystemExit(
            f"{page.url}: wrk's responses averaged {load.mean_bytes:.0f} bytes against {size} for the page: "
            f"it was not served the page.\n{load.output}"
        )
    print(
        f"  {page.name:<22} {page.url:<55} {load.rate:7.0f} requests/s, p99 {load.p99_ms:6.1f} ms"
        + (f", {load.timeouts} timeouts" if load.timeouts else "")
        + (f", {load.socket_errors} socket errors" if load.socket_errors else ""),
        flush=True,
    )
    return load


# --- the writer ----------------------------------------------------------------------------------


def write_loop(environ: dict[str, str], rate: float, ready, go, stop, count) -> None:
    """The writer process: save action updates at `rate` a second through the update service until stopped.

    Its own create_app() on the same database as gunicorn, an app context (so a new session) per
    save, as a request has. Alternates an Amber or Red action of workstream B (the workstream page's
    own data changes) and one elsewhere, chosen at random, flipping it between Amber and Red.
    """
    os.environ.update(environ)
    from tracker import create_app
    from tracker.extensions import db
    from tracker.programme.models import Action

    app = create_app()
    with app.app_context():
        in_b, elsewhere = writable_actions()
    rng = random.Random(7)
    ready.set()
    go.wait()
    start, n = time.monotonic(), 0
    while not stop.is_set():
        with app.app_context():
            action = db.session.get(Action, rng.choice(in_b if n % 2 == 0 else elsewhere))
            flip_status(action, office_user(), n)
        n += 1
        with count.get_lock():
            count.value = n
        stop.wait(max(0.0, start + n / rate - time.monotonic()))


def writable_actions() -> tuple[list[int], list[int]]:
    """Return the ids of the live Amber and Red actions of workstream B (and its sub-workstreams), and of the rest."""
    from sqlalchemy import or_, select

    from tracker.extensions import db
    from tracker.programme.models import Action, Programme, Project, Workstream
    from tracker.programme.status import Status

    programme = db.session.scalars(select(Programme).where(Programme.short_name == "scale")).one()
    b = db.session.scalars(
        select(Workstream).where(Workstream.programme_id == programme.id, Workstream.ref == "B")
    ).one()
    rows = db.session.execute(
        select(Action.id, or_(Workstream.id == b.id, Workstream.parent_id == b.id))
        .join(Project, Action.project_id == Project.id)
        .join(Workstream, Project.workstream_id == Workstream.id)
        .where(
            Action.programme_id == programme.id,
            Action.archived_at.is_(None),
            Action.status.in_([Status.AMBER, Status.RED]),
        )
    ).all()
    in_b = [action_id for action_id, in_workstream in rows if in_workstream]
    elsewhere = [action_id for action_id, in_workstream in rows if not in_workstream]
    if not in_b or not elsewhere:
        raise SystemExit("No Amber or Red action to update in workstream B, or none elsewhere.")
    return in_b, elsewhere


class Writer:
    """The writer process seen from the bench: started, counted while pages are loaded, stopped."""

    def __init__(self, environ: dict[str, str], rate: float):
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing shared with this one
        self.ready, self.go, self.stop = context.Event(), context.Event(), context.Event()
        self.count = context.Value("i", 0)
        self.process = context.Process(
            target=write_loop, args=(environ, rate, self.ready, self.go, self.stop, self.count), name="bench-writer"
        )

    def start(self, timeout: float = 120.0) -> None:
        """Start it and wait until it is ready to write (the app built, the actions chosen), then let it go."""
        self.process.start()
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.5):
            if not self.process.is_alive() or time.monotonic() > deadline:
                self.terminate()
                raise SystemExit("The writer did not start (see its error above).")
        self.go.set()

    @property
    def writes(self) -> int:
        """Writes saved so far; fails the run if the writer has died (its writes would have stopped)."""
        if not self.process.is_alive():
            raise SystemExit(f"The writer stopped during the run (exit code {self.process.exitcode}).")
        return self.count.value

    def finish(self) -> int:
        """Stop it after the save under way; return how many it saved in all."""
        self.stop.set()
        self.process.join(60)
        if self.process.exitcode != 0:
            self.terminate()
            raise SystemExit(f"The writer failed (exit code {self.process.exitcode}).")
        return self.count.value

    def terminate(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)


def with_writes(
    base: str, pages: list[Page], cookies: dict, environ: dict, rate: float, seconds: int
) -> list[tuple[Page, Load, int]]:
    """Load the pages again while the writer saves updates; the count of writes during each page's load."""
    if not pages or rate <= 0:
        return []
    print(f"With writes: a writer process saving {rate:g} action updates a second …", flush=True)
    writer = Writer(environ, rate)
    writer.start()
    loads = []
    try:
        for page in pages:
            before, started = writer.writes, time.monotonic()
            load = measure(base, page, cookies.get(page.who), seconds, warm_up=False)
            made, elapsed = writer.writes - before, time.monotonic() - started
            print(f"    {made} writes during the {elapsed:.1f} s of checks and load ({made / elapsed:.2f}/s)")
            loads.append((page, load, made))
        total = writer.finish()
    except BaseException:
        writer.terminate()
        raise
    print(f"  The writer saved {total} updates in all.", flush=True)
    return loads


# --- memory and the report -----------------------------------------------------------------------


def gunicorn_memory(master: int) -> tuple[float, float, int]:
    """Return the summed VmRSS and PSS (MiB) of the gunicorn master and its children, and how many processes.

    VmRSS is the target's measure; it counts pages the processes share (libraries) once per process.
    PSS shares them out, so it is what the processes cost together; printed beside it.
    """
    pids = [master, *children(master)]
    rss_kib = pss_kib = 0
    for pid in pids:
        rss_kib += int(re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M).group(1))
        pss_kib += int(re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.M).group(1))
    return rss_kib / 1024, pss_kib / 1024, len(pids)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def print_report(rows: list[Row], memory: tuple[float, float, int], setup: Setup, args) -> bool:
    """Print the markdown rows, memory and machine; return whether every target was met."""
    print()
    print(
        f"15,000-action programme (`demo scale`), {setup.database}; gunicorn {WORKERS} sync workers, wrk "
        f"{THREADS} threads / {CONNECTIONS} connections, {args.duration} s per URL after a {WARM_UP_S} s warm-up "
        "(none in the run with writes)"
    )
    print(f"KPIs: {setup.kpi_note}. My actions: {setup.lead_note}.")
    print(
        f"Targets: requests/s at least {TARGET_RATIO:.2f} of /healthz's (the plain run's, for both runs) and "
        f"p99 at most {TARGET_P99_MS:.0f} ms; gunicorn below {TARGET_RSS_MIB:.0f} MiB."
    )
    print()
    print("| Run | Page | URL | requests/s | ratio | p99 ms | writes | verdict |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for row in rows:
        writes = "–" if row.writes is None else str(row.writes)
        verdict = row.verdict if row.verdict.startswith(("reference", "PASS")) else f"**{row.verdict}**"
        print(
            f"| {row.run} | {row.page.name} | `{row.page.url}` | {row.load.rate:.0f} | {row.ratio:.2f} "
            f"| {row.load.p99_ms:.1f} | {writes} | {verdict} |"
        )
    rss_mib, pss_mib, processes = memory
    memory_ok = rss_mib < TARGET_RSS_MIB
    print()
    print(
        f"Memory after the loads: gunicorn master + {processes - 1} workers, VmRSS summed {rss_mib:.0f} MiB "
        f"(target < {TARGET_RSS_MIB:.0f} MiB): {'PASS' if memory_ok else 'FAIL'}; PSS summed {pss_mib:.0f} MiB"
    )
    load1, load5, load15 = os.getloadavg()
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {setup.database}, "
        f"load average {load1:.2f} / {load5:.2f} / {load15:.2f} at the end"
    )
    failed = [f"{row.run}: {row.page.name}" for row in rows if row.verdict.startswith("FAIL")]
    failed += [] if memory_ok else ["memory"]
    print("FAIL: " + ", ".join(failed) if failed else "PASS: every target met")
    return not failed


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL (default 10)")
    parser.add_argument("--write-rate", type=float, default=2.0, help="writes a second while loading (0: no such run)")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL database URL to build (once) and use instead")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the bench database")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the SQLite database and its copy again (PostgreSQL: drop it)"
    )
    parser.add_argument(
        "--pages", default=None, help=f"comma-separated subset of {','.join(PAGE_KEYS)} (/healthz always)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk).")

    wanted = set(PAGE_KEYS)
    if args.pages:
        wanted = {label.strip() for label in args.pages.split(",") if label.strip()} | {"healthz"}
        if wanted - set(PAGE_KEYS):
            parser.error(f"unknown --pages {', '.join(sorted(wanted - set(PAGE_KEYS)))}; use {', '.join(PAGE_KEYS)}")

    target = open_database(args)
    setup = prepare(target)
    pages = pages_for(setup)
    assert tuple(page.key for page in pages) == PAGE_KEYS
    pages = [page for page in pages if page.key in wanted]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(target, port)
    try:
        cookies = {"viewer": session_cookie(base, VIEWER_EMAIL, VIEWER_PASSWORD)}
        if any(page.who == "lead" for page in pages):
            cookies["lead"] = session_cookie(base, LEAD_EMAIL, LEAD_PASSWORD)
        print(f"gunicorn ({WORKERS} sync workers) on {base}, {setup.database}", flush=True)
        print("Plain:", flush=True)
        loads = [(page, measure(base, page, cookies.get(page.who), args.duration)) for page in pages]
        healthz = loads[0][1].rate
        rows = [Row("plain", page, load, healthz) for page, load in loads]
        write_pages = [page for page in pages if page.key in WRITE_PAGES]
        written = with_writes(base, write_pages, cookies, database_environ(target), args.write_rate, args.duration)
        run = f"with writes ({args.write_rate:g}/s)"
        rows += [Row(run, page, load, healthz, made) for page, load, made in written]
        memory = gunicorn_memory(server.pid)
    finally:
        stop_gunicorn(server)
    return 0 if print_report(rows, memory, setup, args) else 1


if __name__ == "__main__":
    sys.exit(main())

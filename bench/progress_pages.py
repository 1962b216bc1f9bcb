"""Time the progress pages on a 15,000-action programme (SQLite), in process with the test client.

    .venv/bin/python bench/progress_pages.py [--requests 50] [--dir FOLDER] [--rebuild]

For each page: warm-up requests, then --requests timed requests signed in as a viewer; prints the
median and p95 wall-clock time in milliseconds, the median CPU time, and the SQL statements per
request, against the targets
(overview p95 <= 50 ms, filtered action list p95 <= 20 ms). Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchdb import VIEWER_EMAIL, VIEWER_PASSWORD, csrf_token_from, ensure_bench_database, percentile

# (label, URL, p95 target in ms or None)
PAGES = [
    ("Overview", "/p/scale/", 50.0),
    ("Workstream page", "/p/scale/workstreams/B", None),
    ("Project page", "/p/scale/projects/B1", None),
    ("Action list, filtered", "/p/scale/actions?workstream=B&status=amber&sort=deadline", 20.0),
    ("Action list, unfiltered", "/p/scale/actions", None),
]
WARM_UP = 5


@dataclass
class Timing:
    label: str
    url: str
    target_ms: float | None
    median_ms: float
    p95_ms: float
    cpu_median_ms: float
    statements: int
    requests: int

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return "-"
        return "PASS" if self.p95_ms <= self.target_ms else "FAIL"


def signed_in_client(app):
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": VIEWER_EMAIL, "password": VIEWER_PASSWORD, "csrf_token": token})
    if response.status_code != 302 or "/sign-in" in response.headers.get("Location", ""):
        raise SystemExit(f"Could not sign in as {VIEWER_EMAIL}: HTTP {response.status_code}")
    return client


def measure(app, client, label: str, url: str, target_ms: float | None, requests: int) -> Timing:
    from sqlalchemy import event

    from tracker.extensions import db

    statements: list[int] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
            statements[-1] += 1

    with app.app_context():
        engine = db.engine
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered HTTP {response.status_code}")
    durations, cpu_times = [], []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(requests):
            statements.append(0)
            start, cpu_start = time.perf_counter(), time.process_time()
            response = client.get(url)
            durations.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    durations.sort()
    return Timing(
        label,
        url,
        target_ms,
        statistics.median(durations),
        percentile(durations, 0.95),
        statistics.median(cpu_times),
        max(statements),
        requests,
    )


def print_table(timings: list[Timing]) -> None:
    header = (
        f"{'Page':<25} {'URL':<50} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>6} {'SQL/req':>7} "
        f"{'target p95':>10}  result"
    )
    print(header)
    print("-" * len(header))
    for t in timings:
        target = f"<= {t.target_ms:.0f} ms" if t.target_ms else "-"
        print(
            f"{t.label:<25} {t.url:<50} {t.median_ms:>9.1f} {t.p95_ms:>7.1f} {t.cpu_median_ms:>6.1f} "
            f"{t.statements:>7} {target:>10}  {t.verdict}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (at least 30)")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the bench database")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args()
    if args.requests < 30:
        parser.error("--requests must be at least 30")

    bench_db = ensure_bench_database(args.dir, args.rebuild)
    os.environ.update({k: v for k, v in bench_db.environ().items() if k in ("DATABASE_URL", "TRACKER_INSTANCE_PATH")})
    from tracker import create_app

    app = create_app()
    client = signed_in_client(app)
    timings = [measure(app, client, label, url, target, args.requests) for label, url, target in PAGES]
    print()
    print(
        f"Progress pages on {bench_db.path.name}: 12 workstreams, 400 projects, 15,000 actions (SQLite); "
        f"{args.requests} requests each after {WARM_UP} warm-up; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end"
    )
    print("(median/p95: wall-clock time per request; CPU ms: median CPU time of this process per request,")
    print(" which other work on the machine does not inflate; SQL/req: most statements any one request sent)")
    print_table(timings)
    failed = [t for t in timings if t.verdict == "FAIL"]
    print()
    print("FAIL: " + ", ".join(t.label for t in failed) if failed else "PASS: every target met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

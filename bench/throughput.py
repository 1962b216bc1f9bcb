"""Requests per second under load: the overview against /healthz, served by gunicorn.

    .venv/bin/python bench/throughput.py [--duration 10] [--dir FOLDER] [--rebuild]

Serves the 15,000-action bench database (see benchdb.py) with gunicorn (4 sync workers) on a free
loopback port, loads /healthz and then the overview with wrk (2 threads, 16 connections), the
overview with a viewer's session cookie, and prints both rates and their ratio. Target: the
overview sustains at least a quarter of the /healthz rate. Stops gunicorn by itself; exits 1 if
the target is missed.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from benchdb import REPO_ROOT, VIEWER_EMAIL, VIEWER_PASSWORD, csrf_token_from, ensure_bench_database

TARGET_RATIO = 0.25
WORKERS = 4
THREADS = 2
CONNECTIONS = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer at {base} within {timeout:.0f} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(base: str) -> str:
    """Sign in as the bench viewer through the sign-in form; return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(base + "/sign-in", timeout=10) as response:
        token = csrf_token_from(response.read().decode())
    form = urllib.parse.urlencode({"email": VIEWER_EMAIL, "password": VIEWER_PASSWORD, "csrf_token": token}).encode()
    try:
        opener.open(base + "/sign-in", data=form, timeout=30)
        raise SystemExit("Sign-in did not redirect: the bench viewer could not sign in.")
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302 or "/sign-in" in redirect.headers.get("Location", ""):
            raise SystemExit(f"Sign-in failed: HTTP {redirect.code}") from None
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    # Prove the cookie opens the overview itself, not a redirect to the sign-in page.
    request = urllib.request.Request(base + "/p/scale/", headers={"Cookie": cookie})
    with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
        body = response.read().decode()
        if response.status != 200 or "Synthetic improvement programme" not in body:
            raise SystemExit("The session cookie does not open the overview.")
    return cookie


def run_wrk(url: str, seconds: int, cookie: str | None = None) -> float:
    """Load url with wrk; return requests per second. Any non-2xx/3xx response is a failure."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        raise SystemExit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    if "Non-2xx or 3xx responses" in result.stdout:
        raise SystemExit(f"Some responses were errors:\n{result.stdout}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if not match:
        raise SystemExit(f"Could not read wrk's output:\n{result.stdout}")
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", result.stdout)
    print(
        f"  {url}: {float(match.group(1)):.0f} requests/s" + (f", mean latency {latency.group(1)}" if latency else ""),
        flush=True,
    )
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the bench database")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk).")
    gunicorn = Path(sys.executable).parent / "gunicorn"

    bench_db = ensure_bench_database(args.dir, args.rebuild)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=REPO_ROOT,
        env=bench_db.environ(),
        start_new_session=True,
    )
    try:
        wait_until_up(base)
        cookie = session_cookie(base)
        print(
            f"gunicorn ({WORKERS} sync workers) on {base}; wrk {THREADS} threads, {CONNECTIONS} connections, "
            f"{args.duration} s per URL after a 2 s warm-up",
            flush=True,
        )
        run_wrk(base + "/p/scale/", 2, cookie)  # warm-up: every worker fills its roll-up cache
        healthz = run_wrk(base + "/healthz", args.duration)
        overview = run_wrk(base + "/p/scale/", args.duration, cookie)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

    ratio = overview / healthz
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print()
    print(f"{'URL':<28} {'requests/s':>10}")
    print(f"{'/healthz':<28} {healthz:>10.0f}")
    print(f"{'/ (overview, signed in)':<28} {overview:>10.0f}")
    print(f"overview / healthz = {ratio:.2f} (target >= {TARGET_RATIO:.2f}): {verdict}")
    print(f"15,000-action programme, SQLite, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())

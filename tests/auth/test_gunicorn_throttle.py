"""Throttling holds across processes: the app served by gunicorn with 4 workers, CSRF on.

The attempts are counted in the database, so it does not matter which worker answers.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import make_test_config
from tests.factories import DEFAULT_TEST_PASSWORD, make_programme, make_user
from tracker import create_app
from tracker.extensions import db

pytestmark = pytest.mark.slow

GUNICORN = Path(sys.executable).parent / "gunicorn"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
EMAIL = "lead@council.example.gov.uk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_server(tmp_path):
    database_url = "sqlite:///" + str(tmp_path / "tracker.db")
    setup_app = create_app(make_test_config(database_url))
    with setup_app.app_context():
        db.create_all()
        make_programme()
        make_user("lead", email=EMAIL)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        textwrap.dedent(f"""
        SQLALCHEMY_DATABASE_URI = {database_url!r}
        SECRET_KEY = "gunicorn-test-secret"
        PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
        WTF_CSRF_ENABLED = True
    """)
    )
    # A WSGI entry point for this test only: it tells us which worker answered.
    (tmp_path / "worker_pid_app.py").write_text(
        textwrap.dedent("""
        import os
        from tracker import create_app

        app = create_app()

        @app.after_request
        def _worker_pid(response):
            response.headers["X-Worker-Pid"] = str(os.getpid())
            return response
    """)
    )
    port = free_port()
    env = {**os.environ, "TRACKER_INSTANCE_PATH": str(instance), "REDIS_URL": ""}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--pythonpath",
            str(tmp_path),
            "--timeout",
            "60",
            "worker_pid_app:app",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:  # not listening yet, or still booting workers
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def attempt(base: str, password: str) -> tuple[int, str, str]:
    """Sign in as a fresh browser would: fetch the form (cookie + CSRF token), then post it."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(base + "/sign-in", timeout=30) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": password}).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener.add_handler(NoRedirect())
    try:
        with opener.open(base + "/sign-in", data=body, timeout=30) as response:
            return response.status, response.headers["X-Worker-Pid"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Worker-Pid"], error.read().decode()


def test_eleventh_attempt_is_refused_whichever_worker_answers(gunicorn_server):
    # Ten wrong passwords at once, so that several workers are busy and each takes some.
    with ThreadPoolExecutor(max_workers=10) as pool:
        first_ten = list(pool.map(lambda _: attempt(gunicorn_server, "not the password"), range(10)))
    assert [status for status, _, _ in first_ten] == [200] * 10
    assert all("Email or password is incorrect" in page for _, _, page in first_ten)
    workers = {pid for _, pid, _ in first_ten}
    assert len(workers) >= 2, f"all attempts landed on one worker: {workers}"

    later = [attempt(gunicorn_server, "not the password") for _ in range(2)]
    assert [status for status, _, _ in later] == [429, 429]
    assert all("Too many failed attempts. Try again in 5 minutes." in page for _, _, page in later)

    status, _, page = attempt(gunicorn_server, DEFAULT_TEST_PASSWORD)
    assert status == 429 and "Too many failed attempts" in page  # the right password is refused during lockout

"""Serving in production: a JSON line per request with its id, the proxy's headers trusted for exactly
the configured hops, readiness tied to the migrations' head, and a Redis that stops answering costs
the cache, not the page."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from tests.conftest import make_test_config, sign_in
from tracker import PROJECT_ROOT, create_app
from tracker.core.request_log import LOGGER_NAME, JsonLines
from tracker.extensions import db


@pytest.fixture
def request_lines(caplog):
    logger = logging.getLogger(LOGGER_NAME)
    propagate, level = logger.propagate, logger.level
    logger.addHandler(caplog.handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # each line once, from this handler only
    yield caplog
    logger.removeHandler(caplog.handler)
    logger.propagate, logger.level = propagate, level


def test_each_request_writes_one_json_line_with_its_id_user_route_status_and_duration(
    database_url, app, viewer_user, request_lines
):
    db.session.commit()  # the account must be visible to the second app's own session
    logged_app = create_app(make_test_config(database_url, LOG_REQUESTS=True))
    client = logged_app.test_client()
    with logged_app.app_context():
        sign_in(client, viewer_user)
    request_lines.clear()

    response = client.get("/programmes", headers={"X-Request-Id": "proxy-id-0001"})
    refused = client.get("/programmes", headers={"X-Request-Id": "<script>"})

    lines = [json.loads(JsonLines().format(record)) for record in request_lines.records]
    assert [line["status"] for line in lines] == [200, 200]
    first, second = lines
    assert first["request_id"] == "proxy-id-0001" == response.headers["X-Request-Id"]
    assert first["user_id"] == viewer_user.id
    assert first["route"] == "/programmes" and first["method"] == "GET"
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert second["request_id"] != "<script>" and len(second["request_id"]) == 32, "an unusable id is replaced"
    assert refused.headers["X-Request-Id"] == second["request_id"]


@pytest.mark.parametrize(
    ("hops", "seen_address", "seen_scheme"), [(0, "127.0.0.1", "http"), (1, "203.0.113.9", "https")]
)
def test_forwarded_headers_are_trusted_only_for_the_configured_hops(database_url, hops, seen_address, seen_scheme):
    from flask import request

    app = create_app(make_test_config(database_url, PROXY_HOPS=hops))

    @app.get("/who-am-i-for-test")
    def who_am_i():
        return f"{request.remote_addr} {request.scheme}"

    from tracker.core.registry import registry_of

    registry_of(app).allow_anonymous("who_am_i")
    response = app.test_client().get(
        "/who-am-i-for-test",
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert response.get_data(as_text=True) == f"{seen_address} {seen_scheme}"


def test_readiness_waits_for_the_migrations_and_liveness_does_not(tmp_path):
    url = "sqlite:///" + str(tmp_path / "ready.db")
    app = create_app(make_test_config(url))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    behind = client.get("/readyz")
    assert behind.status_code == 503 and behind.json["database"] == "behind"

    env = {"TRACKER_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    upgrade = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tracker", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json == {"status": "ok", "database": "current", "cache": "ok"}


def test_pages_still_answer_when_redis_stops_answering(database_url, app, viewer_user):
    # Nothing listens on port 1: every Redis call fails at once, as when Redis is restarted.
    db.session.commit()
    app_without_redis = create_app(make_test_config(database_url, REDIS_URL="redis://127.0.0.1:1/0"))
    client = app_without_redis.test_client()
    with app_without_redis.app_context():
        sign_in(client, viewer_user)
    assert client.get("/programmes").status_code == 200
    ready = client.get("/readyz")
    assert ready.json["cache"].startswith("unavailable")

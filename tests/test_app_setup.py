"""Set-up: configuration from the environment, the instance folder, SQLite settings, health check."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from tracker.config import database_url_from_env, load_or_create_secret_key
from tracker.extensions import db


def test_database_url_defaults_to_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url_from_env(str(tmp_path)) == f"sqlite:///{tmp_path}/tracker.db"


def test_postgres_urls_get_the_psycopg_driver(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.internal:5432/tracker")
    assert database_url_from_env(str(tmp_path)) == "postgresql+psycopg://app@db.internal:5432/tracker"


def test_secret_key_is_generated_once_and_kept_private(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_or_create_secret_key(str(tmp_path))
    assert len(first) >= 64
    assert load_or_create_secret_key(str(tmp_path)) == first
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_or_create_secret_key(str(tmp_path)) == "from-the-environment"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings only apply to SQLite")
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    from tests.conftest import make_test_config
    from tracker import create_app

    broken = create_app(make_test_config(f"sqlite:///{tmp_path}/missing-folder/nothing.db"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_write_requests_take_the_write_lock_only_for_themselves(client):
    """A POST begins IMMEDIATE on SQLite; the flag must not outlive the request in the thread."""
    from tracker.core.database import write_intent

    client.post("/sign-in", data={"email": "nobody@example.gov.uk", "password": "wrong password here"})
    assert write_intent.get() is False

"""Set-up: configuration from the environment, the instance folder, SQLite settings, health check."""
from __future__ import annotations

import ast
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


# Upward imports that stay, each with its reason (see docs/ARCHITECTURE.md).
ALLOWED_UPWARD_IMPORTS = {
    # The user form offers the programme's open workstreams for a lead's editor rights.
    ("tracker/auth/queries.py", "tracker.programme.models"),
}


def _imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """Return (line, module) for every import outside `if TYPE_CHECKING:` blocks."""
    type_only = {
        sub.lineno for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom))
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or node.lineno in type_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif node.module == "tracker":
            found += [(node.lineno, f"tracker.{alias.name}") for alias in node.names]
        elif node.module:
            found.append((node.lineno, node.module))
    return found


def test_no_domain_imports_a_domain_above_it():
    """core < people < auth < audit < history < programme < kpis < demo, as create_app walks them."""
    from tracker import DOMAINS, PROJECT_ROOT

    rank = {domain.__name__: position for position, domain in enumerate(DOMAINS)}
    upward = []
    for path in sorted((PROJECT_ROOT / "tracker").glob("*/**/*.py")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        own = "tracker." + relative.split("/")[1]
        if own not in rank:
            continue
        for line, module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            above = rank.get(".".join(module.split(".")[:2]), -1) > rank[own]
            if above and (relative, ".".join(module.split(".")[:3])) not in ALLOWED_UPWARD_IMPORTS:
                upward.append(f"{relative}:{line} imports {module}")
    assert not upward, "Imports from a layer above:\n" + "\n".join(upward)

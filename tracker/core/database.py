"""Engine settings per database (SQLite needs WAL, a busy timeout and foreign keys), and a flush that
turns a lost race on a versioned row into a VersionConflict."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm.exc import StaleDataError

from tracker.core.errors import VersionConflict
from tracker.extensions import db

# Set for requests that write: SQLite then takes the write lock at BEGIN (BEGIN IMMEDIATE)
# instead of failing with "database is locked" when a read transaction tries to upgrade.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)

    @app.before_request
    def _mark_write_requests() -> None:
        from flask import request

        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _forget_write_intent(_error) -> None:
        # The flag lives in the thread's context, not the request's: left set, every later
        # transaction in this thread (a test's, a CLI command's) would take the write lock.
        write_intent.set(False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from pysqlite so that BEGIN is ours to word (see the
        # SQLAlchemy SQLite dialect notes on serializable isolation / savepoints).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def flush_or_conflict(item: Any, expected_version: int | None) -> None:
    """Flush; a concurrent save that slipped in between reading the item and writing it is a conflict too."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise VersionConflict(item, expected_version) from error

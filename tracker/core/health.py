"""Health checks for load balancers and orchestrators.

/healthz (liveness): the app answers and its database answers.
/readyz (readiness): also the schema is at the migrations' head, so a new version is not sent traffic
before `flask db upgrade` has run. It reports the shared cache (Redis) too, but a cache that does not
answer leaves the app ready: each worker then keeps its own entries (tracker/core/cache.py).
"""

from __future__ import annotations

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from tracker.core.cache import get_cache
from tracker.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


def _schema_state() -> str:
    """'current', 'behind' (migrations not yet run) or 'unavailable'."""
    head = ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()
    try:
        if not inspect(db.session.connection()).has_table("alembic_version"):
            return "behind"
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        db.session.rollback()
        return "unavailable"
    return "current" if current == head else "behind"


@bp.get("/readyz")
def readyz():
    schema = _schema_state()
    cache = "ok" if get_cache().answers() else "unavailable (each worker uses its own)"
    ready = schema == "current"
    body = {"status": "ok" if ready else "not ready", "database": schema, "cache": cache}
    return jsonify(body), 200 if ready else 503

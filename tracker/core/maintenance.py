"""Housekeeping after large writes."""

from sqlalchemy import text

from tracker.extensions import db


def refresh_planner_statistics() -> None:
    """Run ANALYZE so the query planner picks the right indexes after a bulk load."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()

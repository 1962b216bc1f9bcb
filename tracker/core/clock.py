"""The one clock of the service: timestamps in UTC, and the day every rule is judged on."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """Return the current moment in UTC (model defaults call this, never datetime.now())."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date; FIXED_TODAY in the app's config pins it for tests and demos."""
    if has_app_context():
        fixed = current_app.config.get("FIXED_TODAY")
        if fixed:
            return fixed
    return date.today()


def as_utc(moment: datetime) -> datetime:
    """Return a stored timestamp as an aware UTC datetime (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

"""Sign-in throttling: too many failures for an account or from an address lock it for a while.

Counters are rows in the login_attempt table, so every gunicorn worker (and every server
sharing the database) sees the same count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, literal, select

from tracker.auth.models import LoginAttempt
from tracker.core.clock import as_utc, utcnow
from tracker.extensions import db

MAX_FAILURES = 10
WINDOW = timedelta(minutes=5)
KEEP_ATTEMPTS_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Lockout:
    """Sign-in is refused until this moment."""

    until: datetime

    def minutes_left(self, now: datetime | None = None) -> int:
        """Return the whole minutes (at least 1) until the lock lifts."""
        seconds = (self.until - (now or utcnow())).total_seconds()
        return max(1, math.ceil(seconds / 60))

    @property
    def message(self) -> str:
        """Return what the sign-in page says during the lockout."""
        minutes = self.minutes_left()
        return f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def _lockout_from(failure_times: list[datetime]) -> Lockout | None:
    """The lock lifts when the 10th most recent failure leaves the window."""
    if len(failure_times) < MAX_FAILURES:
        return None
    tenth_latest = sorted((as_utc(t) for t in failure_times), reverse=True)[MAX_FAILURES - 1]
    return Lockout(until=tenth_latest + WINDOW)


def _latest_failures(*conditions: ColumnElement[bool]) -> list[datetime]:
    query = select(LoginAttempt.at).where(*conditions).order_by(LoginAttempt.at.desc()).limit(MAX_FAILURES)
    return list(db.session.scalars(query))


def current_lockout(email: str, ip: str, now: datetime | None = None) -> Lockout | None:
    """Return the lockout for this account or address, if either has too many recent failures."""
    now = now or utcnow()
    since = now - WINDOW
    failures = (LoginAttempt.succeeded.is_(False)) & (LoginAttempt.refused.is_(False)) & (LoginAttempt.at > since)
    # A successful sign-in clears the account's count (it proves the owner has the password);
    # it does not clear the address's count, or one known account would unlock guessing at others.
    last_success = (
        select(func.max(LoginAttempt.at))
        .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(True))
        .scalar_subquery()
    )
    since_success = func.coalesce(last_success, literal(since, LoginAttempt.at.type))
    by_account = _latest_failures(failures, LoginAttempt.email == email, LoginAttempt.at > since_success)
    by_ip = _latest_failures(failures, LoginAttempt.ip == ip)
    lockouts = [lock for lock in (_lockout_from(by_account), _lockout_from(by_ip)) if lock and lock.until > now]
    return max(lockouts, key=lambda lock: lock.until) if lockouts else None


def record_attempt(email: str, ip: str, succeeded: bool, refused: bool = False) -> None:
    """Add an attempt to the session (the caller commits) and prune attempts older than a day."""
    db.session.add(LoginAttempt(email=email[:254], ip=ip[:45], succeeded=succeeded, refused=refused, at=utcnow()))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - KEEP_ATTEMPTS_FOR))

"""Reads for the audit log page: one page of events, newest first, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.audit.models import AuditEvent
from tracker.core.errors import NotFound
from tracker.extensions import db

EVENTS_PER_PAGE = 50
NO_SUCH_PAGE = "The audit log has no page with that number."


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit log, with where it stands among the pages."""

    events: list[AuditEvent]
    total: int
    number: int
    pages: int


def audit_page(asked: str) -> AuditPage:
    """Return the page asked for (a page number as typed in the address); refuse one that does not exist."""
    if not asked.isdigit() or int(asked) < 1 or len(asked) > 9:
        raise NotFound(NO_SUCH_PAGE)
    number = int(asked)
    total = db.session.scalar(select(func.count(AuditEvent.id))) or 0
    pages = max(1, -(-total // EVENTS_PER_PAGE))
    if number > pages:
        raise NotFound(NO_SUCH_PAGE)
    events = db.session.scalars(
        select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(EVENTS_PER_PAGE)
        .offset((number - 1) * EVENTS_PER_PAGE)
    ).all()
    return AuditPage(list(events), total, number, pages)

"""The audit log page: admins only, newest first, a page at a time."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.audit.models import AuditEvent
from tracker.audit.services import event_label
from tracker.auth.access import admin_required
from tracker.extensions import db

bp = Blueprint("audit", __name__)

EVENTS_PER_PAGE = 50


@bp.get("/admin/audit")
@admin_required
def audit_log():
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1 or len(page) > 9:
        abort(404)
    page_number = int(page)
    total = db.session.scalar(select(func.count(AuditEvent.id))) or 0
    pages = max(1, -(-total // EVENTS_PER_PAGE))
    if page_number > pages:
        abort(404)
    events = db.session.scalars(
        select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(EVENTS_PER_PAGE)
        .offset((page_number - 1) * EVENTS_PER_PAGE)
    ).all()
    return render_template("admin/audit.html", title="Audit log", events=events, total=total, page=page_number,
                           pages=pages, event_label=event_label)

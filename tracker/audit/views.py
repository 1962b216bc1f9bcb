"""The audit log page: admins only, newest first, a page at a time."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from tracker.audit.queries import audit_page
from tracker.audit.services import event_label
from tracker.auth.access import admins_only

bp = Blueprint("audit", __name__)
bp.before_request(admins_only)


@bp.get("/admin/audit")
def audit_log() -> str:
    """Show a page of the audit log, newest first."""
    page = audit_page(request.args.get("page", "1"))
    return render_template(
        "admin/audit.html",
        title="Audit log",
        events=page.events,
        total=page.total,
        page=page.number,
        pages=page.pages,
        event_label=event_label,
    )

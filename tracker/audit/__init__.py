"""The audit log: who did what and from where, for the programme office."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the audit log page and its menu entry, and record auth's account events."""
    from tracker.audit.services import record_audit_event
    from tracker.audit.views import bp
    from tracker.auth.events import use_recorder
    from tracker.auth.permissions import is_admin
    from tracker.core.registry import registry_of

    app.register_blueprint(bp)
    use_recorder(app, record_audit_event)
    registry_of(app).add_nav_item("audit.audit_log", "Audit log", 90, is_admin)

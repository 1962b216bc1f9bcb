"""The audit log: who did what and from where, for the programme office."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.audit.views import bp
    from tracker.auth.permissions import is_admin
    from tracker.core.registry import registry_of

    app.register_blueprint(bp)
    registry_of(app).add_nav_item("audit.audit_log", "Audit log", 90, is_admin)

"""The risk register: risks and challenges with their mitigations, at programme, workstream and project level."""

from __future__ import annotations

from flask import Flask

AUDIT_LABELS = {
    "risk_added": "Risk: added",
    "risk_changed": "Risk: changed",
    "risk_closed": "Risk: closed",
    "risk_reopened": "Risk: reopened",
}

# The register is read like the progress pages: open to everyone while the admin has made those public.
READ_PAGES = ("risks.register",)


def init_app(app: Flask) -> None:
    """Register the risk pages, the item pages' risk panel helpers, the menu entry and audit labels."""
    import tracker.risks.models  # noqa: F401
    from tracker.core.registry import registry_of
    from tracker.programme.permissions import public_progress_pages_on
    from tracker.risks.models import RiskLevel
    from tracker.risks.permissions import may_read_risks
    from tracker.risks.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["RiskLevel"] = RiskLevel
    registry = registry_of(app)
    registry.allow_public(READ_PAGES, when=public_progress_pages_on)
    # The register's address names a programme, so the menu shows it on that programme's pages only.
    registry.add_nav_item("risks.register", "Risks", 35, may_read_risks, scope="programme")
    # Each item's risks on its page; the programme's own on the overview.
    for page in ("overview", "workstream", "project"):
        registry.add_page_panel(page, "risks/_risk_panel.html", 30)
    registry.add_audit_labels(AUDIT_LABELS)

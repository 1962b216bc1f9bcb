"""KPIs linked to the programme: targets, tolerance bands, values, scorecard and trend charts."""

from __future__ import annotations

from flask import Flask

AUDIT_LABELS = {
    "kpis_imported": "KPIs imported",
    "kpi_value_saved": "KPI value saved",
}


def init_app(app: Flask) -> None:
    """Register the KPI pages, menu entry, audit labels and commands on the app."""
    from tracker.auth.permissions import is_signed_in
    from tracker.core.registry import registry_of
    from tracker.kpis import cli
    from tracker.kpis.views import bp

    app.register_blueprint(bp)
    cli.register(app)
    registry = registry_of(app)
    # The scorecard's address names a programme, so the menu shows it on that programme's pages only.
    registry.add_nav_item("kpis.scorecard", "KPIs", 30, is_signed_in, scope="programme")
    # The KPIs linked to a workstream or project, on its page.
    registry.add_page_panel("workstream", "kpis/_kpi_panel.html", 20)
    registry.add_page_panel("project", "kpis/_kpi_panel.html", 20)
    registry.add_audit_labels(AUDIT_LABELS)

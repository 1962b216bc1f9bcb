"""Downloads of a programme: the whole plan as a workbook or CSV files, the filtered action list, the KPIs."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the download addresses, the overview's panel of download links and `flask export programme`."""
    from tracker.core.registry import registry_of
    from tracker.exports import cli, views
    from tracker.programme.permissions import public_progress_pages_on

    app.register_blueprint(views.bp)
    cli.register(app)  # flask export programme FILE
    registry = registry_of(app)
    # The overview is where a reader looks for "the whole programme"; the action list links its own.
    registry.add_page_panel("overview", "exports/_overview_downloads.html", 40)
    # The action list's download is the list itself: open to everyone while the list is. The whole
    # programme holds the KPIs too, which stay with signed-in staff.
    registry.allow_public(views.PUBLIC_DOWNLOADS, when=public_progress_pages_on)

"""The board pack: the document the board reads, from a frozen board or the live position, as a web page and a PDF."""

from __future__ import annotations

from flask import Flask

READ_PAGES = (
    "pack.pack_page",
    "pack.pack_pdf",
    "pack.latest_pack_page",
    "pack.latest_pack_pdf",
    "pack.project_report_pdf",
)


def init_app(app: Flask) -> None:
    """Register the pack's pages, its panels on the meeting, overview and project pages, and its command."""
    from tracker.core.registry import registry_of
    from tracker.pack import cli, views
    from tracker.programme.permissions import public_progress_pages_on

    app.register_blueprint(views.bp)
    registry = registry_of(app)
    registry.add_page_panel("meeting", "pack/_meeting_pack.html", 30)
    registry.add_page_panel("overview", "pack/_overview_pack.html", 5)
    registry.add_page_panel("project", "pack/_project_report.html", 40)
    # Read like the progress pages: by anyone while the programme's are public (the appendix stays the
    # programme office's: the views leave it out for everyone else).
    registry.allow_public(READ_PAGES, when=public_progress_pages_on)
    cli.register(app)

"""The board pack: the document the board reads, from a frozen board or the live position, as a web page and a PDF."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pack's pages, its panel on the meeting page and its command."""
    from tracker.core.registry import registry_of
    from tracker.pack import cli, views

    app.register_blueprint(views.bp)
    registry_of(app).add_page_panel("meeting", "pack/_meeting_pack.html", 30)
    registry_of(app).add_page_panel("overview", "pack/_overview_pack.html", 5)
    cli.register(app)

"""Finding things: one search across workstreams, projects and actions, and a 404 page that helps."""

from __future__ import annotations

from flask import Flask

# Readable by the same people as the progress pages: signed-in staff, and anyone while they are public
# (for /search: while any programme's are, and then it finds only the public programmes' items).
SEARCH_PAGES = ("search.search",)


def init_app(app: Flask) -> None:
    """Register the search page, its menu entry and the 404 page's suggestions."""
    from tracker.core.registry import registry_of
    from tracker.search.highlight import highlight
    from tracker.search.not_found import not_found_links
    from tracker.search.scope import may_search, search_open_to_public
    from tracker.search.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["not_found_links"] = not_found_links
    app.jinja_env.filters["highlight"] = highlight
    registry = registry_of(app)
    registry.allow_public(SEARCH_PAGES, when=search_open_to_public)
    registry.add_nav_item("search.search", "Search", 25, may_search)

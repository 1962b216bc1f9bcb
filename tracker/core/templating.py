"""Jinja filters and globals shared by every page."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from tracker.core.registry import registry_of


def govuk_date(value: date | datetime | None, with_time: bool = False) -> str:
    """Format a date the GOV.UK way: 17 March 2023 (no leading zero)."""
    if value is None:
        return ""
    text = f"{value.day} {value.strftime('%B %Y')}"
    if with_time and isinstance(value, datetime):
        text += f" at {value.strftime('%H:%M')}"
    return text


def plural(count: int, singular: str, many: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def register(app: Flask) -> None:
    app.jinja_env.filters["govuk_date"] = govuk_date
    app.jinja_env.globals["plural"] = plural
    app.jinja_env.globals["service_name"] = "Improvement programme tracker"
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["page_panels"] = lambda page: registry_of().panels_of(page)


def nav_items(scope: str = "site") -> list[tuple[str, str, str]]:
    """Return (endpoint, text, address) of the navigation of one scope ("site" or "programme") for the current user.

    A page belonging to one programme links to that programme's pages; elsewhere those entries,
    whose addresses need a programme, are left out.
    """
    from flask import url_for
    from flask_login import current_user
    from werkzeug.routing import BuildError

    items = []
    for item in registry_of().nav_items:
        if item.scope != scope or not item.shown_to(current_user):
            continue
        try:
            items.append((item.endpoint, item.text, url_for(item.endpoint)))
        except BuildError:
            continue
    return items

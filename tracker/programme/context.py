"""Which programme a request is about: the one its web address names (``/p/<short_name>/...``).

Pages of one programme sit under ``/p/<programme>``. The app pulls the short name out of the
address before the view runs, so views never take it as an argument, and fills it back in when
a page of that programme builds a link to another (``url_for("programme.action", ref=...)``).
Pages outside any programme (the portfolio, My actions, search across all) name it in the link.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import select

from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.programme.models import Programme

PREFIX = "/p/<programme>"


def _take_programme_from_address(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.programme_short_name = values.pop("programme", None) if values else None
    g.pop("programme", None)  # g outlives a request in tests and the CLI: read the programme afresh


def _put_programme_in_links(endpoint: str, values: dict[str, Any]) -> None:
    if "programme" in values or not current_app.url_map.is_endpoint_expecting(endpoint, "programme"):
        return
    programme = g.get("programme")
    short_name = programme.short_name if programme is not None else g.get("programme_short_name")
    if short_name is not None:
        values["programme"] = short_name


def current_programme() -> Programme:
    """Return the programme the page's address names, loaded once per request; NotFound if there is none."""
    if g.get("programme") is None:
        short_name = g.get("programme_short_name")
        if short_name is None:
            raise NotFound("This page belongs to a programme, and the address does not name one.")
        g.programme = db.session.scalars(select(Programme).where(Programme.short_name == short_name)).first()
        if g.programme is None:
            raise NotFound(f"There is no programme called {short_name}.")
    return g.programme


def current_programme_or_none() -> Programme | None:
    """Return the programme of this page, or None on a page outside any programme (or a wrong address)."""
    try:
        return current_programme()
    except NotFound:
        return None


def current_programme_id() -> int | None:
    """Return the id of this page's programme, for role questions; None outside a programme."""
    programme = current_programme_or_none()
    return programme.id if programme else None


def use_programme(programme: Programme) -> None:
    """Make ``programme`` the current one outside a request (commands), so links and reads name it."""
    g.programme = programme
    g.programme_short_name = programme.short_name


def init_app(app: Flask) -> None:
    """Read the programme out of every address, and write it into links of the same programme."""
    app.url_value_preprocessor(_take_programme_from_address)
    app.url_defaults(_put_programme_in_links)

"""What the 404 page offers: only pages that exist for this visitor, and a search for what they asked."""

from __future__ import annotations

import contextlib
import re
from typing import NamedTuple
from urllib.parse import unquote

from flask import request, url_for
from flask_login import current_user

from tracker.core.errors import NotFound
from tracker.extensions import db
from tracker.programme.forms import MAX_SEARCH_LENGTH

# Addresses no person would search for: files, scripts and probes.
_FILE_LIKE = re.compile(
    r"\.(php\d?|aspx?|jsp|cgi|pl|env|ini|cfg|bak|sql|css|js|mjs|map|png|jpe?g|gif|svg|ico|txt|xml|json|html?)$", re.I
)


class Link(NamedTuple):
    href: str
    text: str


def search_text_for(path: str, view_args: dict | None) -> str | None:
    """Return the words a visitor was looking for in an address that found nothing, when sensible.

    A ref in a known kind of address (/projects/Z99) is used as it is; otherwise the last part of
    the path, with hyphens and underscores read as spaces. Files, probes and nonsense give None.
    """
    values = [value for value in (view_args or {}).values() if isinstance(value, str)]
    if len(values) == 1:
        text = values[0]
    else:
        parts = [part for part in unquote(path).split("/") if part]
        if not parts:
            return None
        text = parts[-1]
        if _FILE_LIKE.search(text):
            return None
        text = text.replace("-", " ").replace("_", " ")
    text = " ".join(text.split())
    if not text or len(text) > MAX_SEARCH_LENGTH or not any(ch.isalnum() for ch in text):
        return None
    if any(ord(ch) < 32 or ch in "<>{}\\" for ch in text):
        return None
    return text


def not_found_links() -> list[Link]:
    """Return the pages a 404 page may offer this visitor; never raises (the 404 page must not fail)."""
    try:
        return _links()
    except Exception:
        with contextlib.suppress(Exception):
            db.session.rollback()
        return []


def _links() -> list[Link]:
    from tracker.programme import queries
    from tracker.programme.permissions import may_read_progress

    if request.endpoint == "static":
        return []
    try:
        queries.current_programme()  # loaded once a request: usually already there
    except NotFound:
        return []
    if not may_read_progress(current_user):
        return []
    links = [Link(url_for("programme.overview"), "go to the programme overview")]
    text = search_text_for(request.path, request.view_args)
    if text:
        links.append(Link(url_for("search.search", q=text), f"search for ‘{text}’"))
    else:
        links.append(Link(url_for("search.search"), "search the programme"))
    links.append(Link(url_for("programme.action_list"), "see the list of actions"))
    return links

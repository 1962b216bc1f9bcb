"""What the 404 page offers: only pages that exist for this visitor, and a search for what they asked.

Inside a programme (``/p/<programme>/...``) it offers that programme's overview, a search in it and
its action list; outside any programme, the home page and a search across all of them; for a
programme that does not exist, the list of programmes and the home page.
"""

from __future__ import annotations

import contextlib
import re
from typing import NamedTuple
from urllib.parse import unquote

from flask import request, url_for
from flask_login import current_user

from tracker.auth.permissions import is_signed_in
from tracker.extensions import db
from tracker.programme.context import current_programme_or_none
from tracker.programme.forms import MAX_SEARCH_LENGTH
from tracker.programme.models import Programme
from tracker.search import queries
from tracker.search.scope import addressed_to_a_programme

# Addresses no person would search for: files, scripts and probes.
_FILE_LIKE = re.compile(
    r"\.(php\d?|aspx?|jsp|cgi|pl|env|ini|cfg|bak|sql|css|js|mjs|map|png|jpe?g|gif|svg|ico|txt|xml|json|html?)$", re.I
)
# The programme part of an address (tracker.programme.context.PREFIX), and what follows it.
_IN_A_PROGRAMME = re.compile(r"^/p/([^/]+)(/.*)?$")


class Link(NamedTuple):
    href: str
    text: str


def search_text_for(path: str, view_args: dict | None) -> str | None:
    """Return the words a visitor was looking for in an address that found nothing, when sensible.

    A ref in a known kind of address (/p/x/projects/Z99) is used as it is; otherwise the last part of
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
    if request.endpoint == "static":
        return []
    match = _IN_A_PROGRAMME.match(request.path)
    if match is None:
        return _links_outside_programmes()
    # A page of a programme that found nothing has loaded its programme; an address no page matched has not.
    if addressed_to_a_programme():
        programme = current_programme_or_none()
    else:
        programme = queries.programme_named(unquote(match[1]))
    if programme is None:
        return _links_for_an_unknown_programme()
    return _links_in(programme, match[2] or "")


def _home() -> Link:
    return Link(url_for("site.home"), "go to the home page")


def _links_in(programme: Programme, rest_of_path: str) -> list[Link]:
    # Signed-in staff read every programme; anyone else only while its progress pages are public.
    if not (is_signed_in(current_user) or programme.public_progress_pages):
        return [_home()]  # the same as for a programme that does not exist: nothing is given away
    name = programme.short_name
    links = [Link(url_for("programme.overview", programme=name), "go to the programme overview")]
    text = search_text_for(rest_of_path, request.view_args)
    if text:
        links.append(Link(url_for("search.search", programme=name, q=text), f"search this programme for ‘{text}’"))
    else:
        links.append(Link(url_for("search.search", programme=name), "search this programme"))
    links.append(Link(url_for("programme.action_list", programme=name), "see the list of actions"))
    return links


def _links_outside_programmes() -> list[Link]:
    links = [_home()]
    # Signed-in staff search every programme (when there is one); anyone else the public ones.
    if queries.any_programme() if is_signed_in(current_user) else queries.any_public_programme():
        text = search_text_for(request.path, request.view_args)
        if text:
            links.append(Link(url_for("search.search", programme=None, q=text), f"search all programmes for ‘{text}’"))
        else:
            links.append(Link(url_for("search.search", programme=None), "search all programmes"))
    return links


def _links_for_an_unknown_programme() -> list[Link]:
    if not is_signed_in(current_user):
        return [_home()]  # the list of programmes is for signed-in staff
    return [Link(url_for("site.programmes"), "see the list of programmes"), _home()]

"""Which programmes a search looks in, and who may search: one programme under /p/<programme>, else all readable.

The search page has one endpoint, ``search.search``, with two addresses: ``/p/<programme>/search``
(one programme) and ``/search`` (every programme the visitor may read). ``url_for("search.search")``
builds the first on a page of a programme (the app fills ``programme`` in) and the second elsewhere,
so the header's search box and the menu search the programme being read, or all of them.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from tracker.auth.permissions import is_signed_in
from tracker.programme.context import current_programme
from tracker.programme.models import Programme
from tracker.programme.permissions import public_progress_pages_on
from tracker.search import queries


def addressed_to_a_programme() -> bool:
    """Return whether this request's address names a programme (/p/<programme>/...)."""
    rule = request.url_rule
    return rule is not None and "programme" in rule.arguments


def programmes_to_search() -> list[Programme]:
    """Return the programme the address names, or every programme the visitor may read (by name).

    Signed-in staff read every programme; anyone else only those whose progress pages are public.
    (The sign-in guard has already turned away anonymous visitors of a programme that is not public.)
    """
    if addressed_to_a_programme():
        return [current_programme()]
    return queries.readable_programmes(signed_in=is_signed_in(current_user))


def search_open_to_public() -> bool:
    """Anyone may search one programme while its progress pages are public, and all while any one is."""
    if addressed_to_a_programme():
        return public_progress_pages_on()
    return queries.any_public_programme()


def may_search(user: object) -> bool:
    """Signed-in staff always; anyone else while there is a public programme to search (see above)."""
    return is_signed_in(user) or search_open_to_public()

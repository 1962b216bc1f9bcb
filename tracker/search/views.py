"""The search page: a GET form whose results are grouped by kind of item, each labelled with its programme."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.programme.context import PREFIX, current_programme
from tracker.search import queries
from tracker.search.forms import ALL_PROGRAMMES, SearchForm
from tracker.search.scope import addressed_to_a_programme, programmes_to_search

bp = Blueprint("search", __name__)


# One endpoint, two addresses (tracker.search.scope): url_for builds the one that fits the page.
@bp.get("/search")
@bp.get(PREFIX + "/search")
def search() -> str | Response:
    """Show the search form and, for a search that can be run, what it found (in one programme or all)."""
    form = SearchForm(formdata=request.args)
    # The sign-in guard has let only readers of the progress pages in (tracker.search.init_app).
    programme = current_programme() if addressed_to_a_programme() else None
    asked = bool(request.args.get("q", "").strip())
    valid = form.validate() if asked else True
    if programme is not None and form.scope.data == ALL_PROGRAMMES and valid:
        # programme=None: the address across all programmes, even on a page of one.
        return redirect(url_for("search.search", programme=None, q=form.q.data or None))
    results = queries.search(form.q.data, programmes_to_search()) if asked and valid and form.q.data else None
    return render_template(
        "search/search.html",
        title="Search",
        form=form,
        programme=programme,
        results=results,
        per_kind=queries.RESULTS_PER_KIND,
    )

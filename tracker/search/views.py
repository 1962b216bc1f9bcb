"""The search page: a GET form whose results are grouped by kind of item."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from tracker.search import queries
from tracker.search.forms import SearchForm

bp = Blueprint("search", __name__)


@bp.get("/search")
def search() -> str:
    """Show the search form and, for a search that can be run, what it found."""
    form = SearchForm(formdata=request.args)
    # The sign-in guard has let only readers of the progress pages in (tracker.search.init_app).
    asked = bool(request.args.get("q", "").strip())
    valid = form.validate() if asked else True
    results = queries.search(form.q.data) if asked and valid and form.q.data else None
    return render_template(
        "search/search.html",
        title="Search",
        form=form,
        results=results,
        per_kind=queries.RESULTS_PER_KIND,
    )

"""The action list's filters, read from a query string exactly as the list page reads them.

This uses the list page's own form and its ``to_filters`` step, so a download can never hold a
different set of actions from the page.
"""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from tracker.programme import queries
from tracker.programme.forms import ActionFilterForm
from tracker.programme.models import Programme


def action_filters(programme: Programme, day: date, args: MultiDict[str, str]) -> queries.ActionFilters:
    """Return the filters the list page would apply; filters it refuses show every action, as the page does."""
    workstreams, people = queries.filter_choices(programme)
    form = ActionFilterForm(formdata=args)
    form.set_choices(workstreams, people)
    if args and not form.validate():
        return queries.ActionFilters()
    return form.to_filters(workstreams, queries.next_board(programme, day))

"""The search form: read from the query string, so every search has a URL to bookmark and share."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Length, Optional

from tracker.core.forms import CleanForm
from tracker.programme.forms import MAX_SEARCH_LENGTH

THIS_PROGRAMME = "programme"
ALL_PROGRAMMES = "all"


def _one_line(value: object) -> object:
    return " ".join(value.split()) if isinstance(value, str) else value


class SearchForm(CleanForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = StringField(
        "Search workstreams, projects and actions",
        description="Enter a reference, words from a title or progress report, or a lead's name",
        filters=[_one_line],
        validators=[
            Optional(),
            Length(max=MAX_SEARCH_LENGTH, message=f"Search terms must be {MAX_SEARCH_LENGTH} characters or fewer"),
        ],
    )
    # Radios on a programme's search page only (/search always looks in every readable programme);
    # any value but ALL_PROGRAMMES reads as this programme, so a tampered address never fails.
    scope = StringField("Search in", default=THIS_PROGRAMME)
    scope_choices = ((THIS_PROGRAMME, "This programme"), (ALL_PROGRAMMES, "All programmes"))

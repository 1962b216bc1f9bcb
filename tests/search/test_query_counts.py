"""The search page and a text-filtered action list send the same statements at two programme sizes."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY, wipe_tables
from tests.factories import make_user
from tracker.demo.scale import build_synthetic_programme

PAGES = ["/search?q=lead", "/search?q=a1", "/search?q=no+such+thing", "/actions?q=lead+0&sort=deadline"]


def statement_counts(app, signed_in_client, count_queries) -> dict[str, tuple[int, int]]:
    app.extensions["tracker_cache"].clear()
    client = signed_in_client(make_user("viewer"))
    counts = {}
    for url in PAGES:
        first = count_queries(lambda url=url: client.get(url))
        repeat = count_queries(lambda url=url: client.get(url))
        assert client.get(url).status_code == 200, url
        counts[url] = (first, repeat)
    return counts


@pytest.mark.slow
def test_statement_count_does_not_grow_with_the_programme(app, signed_in_client, count_queries):
    build_synthetic_programme(workstreams=6, projects=60, actions=300, today=TODAY)
    small = statement_counts(app, signed_in_client, count_queries)
    wipe_tables()
    build_synthetic_programme(workstreams=12, projects=400, actions=4000, today=TODAY)
    large = statement_counts(app, signed_in_client, count_queries)
    assert small == large
    # The user and their session, the programme's public setting at most, then one statement per kind.
    assert large["/search?q=lead"][1] <= 6

"""Each page sends the same number of SQL statements at 1,000 and at 15,000 actions."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY, wipe_tables
from tests.factories import make_user
from tracker.demo.scale import build_synthetic_programme

PAGES = [
    "/",
    "/workstreams/A",
    "/projects/A1",
    "/actions/A1.1",
    "/actions",
    "/actions?workstream=B&status=amber&sort=deadline",
    "/actions?overdue=y&sort=-deadline&page=3",
    "/actions?due_within=6&lead=1",
]


def statement_counts(app, signed_in_client, count_queries) -> dict[str, tuple[int, int]]:
    """Return (first request, repeat request) statement counts per page, for a signed-in viewer."""
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
    build_synthetic_programme(workstreams=12, projects=400, actions=1000, today=TODAY)
    small = statement_counts(app, signed_in_client, count_queries)
    wipe_tables()
    build_synthetic_programme(workstreams=12, projects=400, actions=15000, today=TODAY)
    large = statement_counts(app, signed_in_client, count_queries)
    assert small == large
    # The overview reads the cached roll-up on repeat visits: the user, the programme, little else.
    assert large["/"][1] <= 4

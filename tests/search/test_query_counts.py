"""The search pages and a text-filtered action list send the same statements at two programme sizes.

Beside the large synthetic programme sits a small one with the same refs (A, A1, A1.1), so the
search across all programmes really looks in two, and a programme's own search must not mix them.
"""

from __future__ import annotations

import pytest

from tests.conftest import TODAY, wipe_tables
from tests.factories import make_user
from tests.search.helpers import a_programme_with_a1
from tracker.demo.scale import build_synthetic_programme

PAGES = [
    "/search?q=lead",
    "/search?q=a1",
    "/search?q=no+such+thing",
    "/p/scale/search?q=lead",
    "/p/scale/search?q=a1",
    "/p/other/search?q=a1",
    "/p/scale/actions?q=lead+0&sort=deadline",
]


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


def build(actions: int, projects: int, workstreams: int) -> None:
    # The synthetic programme first: it takes over a programme it finds (tracker.demo.scale).
    build_synthetic_programme(workstreams=workstreams, projects=projects, actions=actions, today=TODAY)
    a_programme_with_a1("other", "Another programme")


@pytest.mark.slow
def test_statement_count_does_not_grow_with_the_programme(app, signed_in_client, count_queries):
    build(workstreams=6, projects=60, actions=300)
    small = statement_counts(app, signed_in_client, count_queries)
    wipe_tables()
    build(workstreams=12, projects=400, actions=4000)
    large = statement_counts(app, signed_in_client, count_queries)
    assert small == large
    # The user and their session, the programmes searched, then one statement per kind.
    assert large["/search?q=lead"][1] <= 6
    assert large["/p/scale/search?q=lead"][1] <= 6
    assert large["/search?q=a1"] == large["/p/scale/search?q=a1"]  # two programmes cost no more than one

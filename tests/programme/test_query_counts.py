"""Each page sends the same number of SQL statements at 1,000 and at 15,000 actions, beside another programme."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY, wipe_tables
from tests.factories import make_action, make_programme, make_project, make_user, make_workstream
from tracker.demo.scale import build_synthetic_programme

PAGES = [
    "/",
    "/programmes",
    "/p/scale/",
    "/p/scale/workstreams/A",
    "/p/scale/projects/A1",
    "/p/scale/actions/A1.1",
    "/p/scale/actions",
    "/p/scale/actions?workstream=B&status=amber&sort=deadline",
    "/p/scale/actions?overdue=y&sort=-deadline&page=3",
    "/p/scale/actions?due_within=6&lead=1",
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


def a_second_programme_with_the_same_refs() -> None:
    """A small programme whose refs (A, A1, A1.1) are the synthetic one's too: pages must not mix them."""
    other = make_programme(short_name="other", name="Another programme")
    make_action(make_project(make_workstream("A", programme=other), "A1"), "A1.1")


@pytest.mark.slow
def test_statement_count_does_not_grow_with_the_programme(app, signed_in_client, count_queries):
    build_synthetic_programme(workstreams=12, projects=400, actions=1000, today=TODAY)
    a_second_programme_with_the_same_refs()
    small = statement_counts(app, signed_in_client, count_queries)
    wipe_tables()
    build_synthetic_programme(workstreams=12, projects=400, actions=15000, today=TODAY)
    a_second_programme_with_the_same_refs()
    large = statement_counts(app, signed_in_client, count_queries)
    assert small == large
    # The overview reads the cached roll-up on repeat visits: the user, the programme, little else.
    assert large["/p/scale/"][1] <= 4

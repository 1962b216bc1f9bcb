"""Every progress page renders for the demo programme and unknown refs get a styled 404."""

from tests.conftest import TODAY
from tracker.demo.loader import load_demo_programme


def test_demo_programme_pages_render(viewer_client, app):
    client = viewer_client
    load_demo_programme(TODAY)
    for url in ["/", "/workstreams/A", "/workstreams/E1", "/projects/A1", "/actions/A1.1", "/actions", "/statuses"]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_unknown_refs_get_a_styled_not_found_page(viewer_client, app):
    client = viewer_client
    load_demo_programme(TODAY)
    for url in ["/workstreams/Z9", "/projects/A99", "/actions/A1.999"]:
        response = client.get(url)
        assert response.status_code == 404
        assert b"Page not found" in response.data
        assert b"Traceback" not in response.data

"""Every progress page renders for both demo programmes and unknown refs get a styled 404."""

from tests.conftest import TODAY
from tracker.demo.loader import EDUCATION, load_demo_programme


def test_demo_programme_pages_render(viewer_client, app):
    client = viewer_client
    load_demo_programme(TODAY)
    load_demo_programme(TODAY, demo=EDUCATION)
    for url in [
        "/",
        "/programmes",
        "/p/children/",
        "/p/children/workstreams/A",
        "/p/children/workstreams/E1",
        "/p/children/projects/A1",
        "/p/children/actions/A1.1",
        "/p/children/actions",
        "/p/education/",
        "/p/education/workstreams/O1",
        "/p/education/projects/O1.1",
        "/p/education/actions",
        "/statuses",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_unknown_refs_get_a_styled_not_found_page(viewer_client, app):
    client = viewer_client
    load_demo_programme(TODAY)
    for url in ["/p/children/workstreams/Z9", "/p/children/projects/A99", "/p/children/actions/A1.999", "/p/nope/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert b"Page not found" in response.data
        assert b"Traceback" not in response.data

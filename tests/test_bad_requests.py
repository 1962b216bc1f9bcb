"""Requests no person could type get a styled 400, never a 500, on SQLite and PostgreSQL."""

import pytest


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("get", "/p/test/actions/A1%00", None),
        ("get", "/p/test/projects/%00", None),
        ("get", "/p/test/actions?lead=%00&status=amber", None),
        ("post", "/sign-in", {"email": "a\x00@example.gov.uk", "password": "x" * 12}),
    ],
)
def test_nul_bytes_get_a_clear_400(viewer_client, method, url, data):
    response = getattr(viewer_client, method)(url, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "characters that cannot be used" in page
    assert "Traceback" not in page

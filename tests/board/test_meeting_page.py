"""A meeting's own page: its dates, and what the board cycle adds — the round, the freeze button, what moved."""

from __future__ import annotations

from tests.board.helpers import board_world


def test_the_office_sees_the_freeze_button_then_who_froze_the_board(app, admin_client):
    board_world()
    page = admin_client.get("/p/test/meetings/2026-11-27").get_data(as_text=True)
    assert "Improvement Board, Friday 27 November 2026" in page and "Updates due by" in page
    assert "Freeze the board of 27 November 2026" in page
    assert 'href="/p/test/meetings/2026-11-27/round"' in page and 'href="/p/test/meetings/2026-11-27/movement"' in page
    response = admin_client.post("/p/test/meetings/2026-11-27/freeze")
    assert response.status_code == 302 and response.headers["Location"] == "/p/test/meetings/2026-11-27"
    page = admin_client.get("/p/test/meetings/2026-11-27").get_data(as_text=True)
    assert "Freeze the board" not in page and "was frozen by Pat Director" in page


def test_readers_see_the_meeting_without_the_button(app, viewer_client):
    board_world()
    page = viewer_client.get("/p/test/meetings/2026-11-27").get_data(as_text=True)
    assert "Freeze the board" not in page and "Change the date or deadline" not in page
    assert viewer_client.get("/p/test/meetings/2026-11-28").status_code == 404
    listing = viewer_client.get("/p/test/meetings").get_data(as_text=True)
    assert 'href="/p/test/meetings/2026-11-27"' in listing

"""Frozen boards on the web: the freeze button's action, movement since the last board, and data quality.

Freezing is for the programme office (the service refuses anyone else); the movement page is read
like the progress pages by anyone signed in; the data-quality page is the programme office's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from tracker.auth.permissions import can_manage_programme
from tracker.board.movement import LIST_FOLD, movement_for_meeting
from tracker.board.quality import quality_for_programme
from tracker.board.round_queries import meeting_on
from tracker.board.snapshots import BOARD_FROZEN, freeze_board, snapshot_of
from tracker.core.cache import cached
from tracker.core.clock import today
from tracker.core.errors import NotAllowed
from tracker.core.templating import govuk_date
from tracker.core.web import attempt, first_message
from tracker.extensions import db
from tracker.programme.context import PREFIX, current_programme

bp = Blueprint("board", __name__, url_prefix=PREFIX)


@bp.post("/meetings/<meets_on>/freeze")
def freeze(meets_on: str) -> Response:
    """Freeze the programme's position for the meeting (the programme office); then show what moved."""
    programme = current_programme()
    meeting = meeting_on(programme, meets_on)
    outcome = attempt(lambda: freeze_board(programme, meeting, current_user))
    if outcome.ok:
        db.session.commit()
        flash(f"The board of {govuk_date(meeting.meets_on)} is frozen: later edits will not change it.", "success")
    else:
        flash(first_message(outcome.refused), "error")
    return redirect(url_for("meetings.meeting_page", meets_on=meeting.meets_on.isoformat()))


@bp.get("/meetings/<meets_on>/movement")
def movement(meets_on: str) -> str:
    """Show what moved between the meeting's board and the one before (or the live position, before it is frozen).

    Long lists show their first LIST_FOLD entries and a link to the page with every entry (?full=1).
    """
    programme = current_programme()
    meeting = meeting_on(programme, meets_on)
    moved = movement_for_meeting(programme, meeting, today())
    limit = None if request.args.get("full") == "1" else LIST_FOLD
    body = None
    if moved is not None:  # the same movement always renders the same body: kept beside it
        body = cached(
            f"html:{moved.key}:{limit}",
            lambda: Markup(render_template("board/_movement_body.html", movement=moved, limit=limit)),
        )
    return render_template("board/movement.html", programme=programme, meeting=meeting, movement=moved, body=body)


@bp.get("/quality")
def quality() -> str:
    """Show the data-quality checks on the live position, grouped by check, for the programme office."""
    programme = current_programme()
    if not can_manage_programme(current_user, programme.id):
        raise NotAllowed("Only the programme office can see the data-quality checks.")
    day = today()
    return render_template("board/quality.html", programme=programme, results=quality_for_programme(programme, day))


def _board_date(iso: str | None) -> str:
    """Show a document's ISO date the GOV.UK way (17 March 2023)."""
    return govuk_date(date.fromisoformat(iso)) if iso else ""


def register(app: Flask) -> None:
    """Add the frozen-board pages, the freeze button's helper, the audit label and the data-quality menu entry."""
    from tracker.core.registry import registry_of
    from tracker.programme.context import current_programme_id

    app.register_blueprint(bp)
    app.jinja_env.filters["board_date"] = _board_date
    registry = registry_of(app)
    registry.add_audit_labels({BOARD_FROZEN: "Board: position frozen"})
    registry.add_page_panel("meeting", "board/_meeting_board.html", 10)
    registry.add_nav_item(
        "board.quality",
        "Data quality",
        75,
        lambda user: can_manage_programme(user, current_programme_id()),
        scope="programme",
    )


@bp.app_context_processor
def _freeze_helpers() -> dict[str, Any]:
    """Let a meeting's page show the freeze button to the programme office only."""
    return {
        "may_freeze_board": lambda meeting: can_manage_programme(current_user, meeting.programme_id),
        "snapshot_of": snapshot_of,
    }

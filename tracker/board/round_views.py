"""The update round page of a board meeting: per lead, items updated and not updated since the round opened.

The programme office opens the round from the same page, choosing which items leads must update.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tracker.auth.permissions import can_manage_programme
from tracker.board.models import RoundScope
from tracker.board.round_queries import MyRound, last_update, meeting_on, owed_by, round_of, round_status
from tracker.board.rounds import AUDIT_LABELS, open_round, require_round_opener
from tracker.core.clock import today
from tracker.core.forms import CleanForm
from tracker.core.registry import registry_of
from tracker.core.templating import govuk_date
from tracker.core.web import attempt
from tracker.extensions import db
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.models import BoardMeeting, Programme

bp = Blueprint("rounds", __name__, url_prefix=PREFIX + "/meetings")

Page = tuple[str, int]


class OpenRoundForm(CleanForm):
    """Which items the round asks leads to update."""

    scope = RadioField(
        "Which items must leads update?",
        choices=[SelectChoice(scope.value, scope.label) for scope in RoundScope],
        default=RoundScope.OPEN.value,
        validators=[InputRequired("Select which items leads must update")],
        invalid_choice_message="Select which items leads must update",
        widget=GovRadioInput(),
    )
    submit = SubmitField("Open the update round", widget=GovSubmitInput())


def _page(programme: Programme, meeting: BoardMeeting, form: OpenRoundForm) -> Page:
    update_round = round_of(meeting)
    return (
        render_template(
            "board/round.html",
            title=f"Update round for the board on {govuk_date(meeting.meets_on)}",
            programme=programme,
            meeting=meeting,
            status=round_status(update_round) if update_round is not None else None,
            form=form,
            may_open=can_manage_programme(current_user, programme.id),
            today=today(),
        ),
        200,
    )


@bp.get("/<meets_on>/round")
def round_page(meets_on: str) -> Page:
    """Show, per lead, the items updated and not updated since the round opened (or the form to open it)."""
    programme = current_programme()
    return _page(programme, meeting_on(programme, meets_on), OpenRoundForm())


@bp.post("/<meets_on>/round/open")
def open_round_page(meets_on: str) -> Page | Response:
    """Open the meeting's update round (the programme office only; once per meeting)."""
    programme = current_programme()
    meeting = meeting_on(programme, meets_on)
    require_round_opener(current_user, programme.id)
    form = OpenRoundForm()
    if not form.validate():
        return _page(programme, meeting, form)
    user = current_user._get_current_object()  # noqa: SLF001 - the real User, for the audit log
    outcome = attempt(lambda: open_round(user, meeting, RoundScope(form.scope.data), today()), form)
    if not outcome.ok or outcome.result is None:
        return _page(programme, meeting_on(programme, meets_on), form)
    db.session.commit()
    flash(f"Update round opened: leads owe updates on {outcome.result.item_count} items.", "success")
    return redirect(url_for("rounds.round_page", meets_on=meeting.meets_on.isoformat()))


def _round_owed_for(user: object, programme: Programme) -> MyRound | None:
    """What the user owes in the programme's current round, for My actions (templates/board/_my_round.html)."""
    return owed_by(user, programme, today())


def register(app: Flask) -> None:
    """Add the round page, its audit label, and the globals My actions and the item pages use."""
    app.register_blueprint(bp)
    registry = registry_of(app)
    registry.add_audit_labels(AUDIT_LABELS)
    app.jinja_env.globals.update(round_owed_for=_round_owed_for, last_updated=last_update)
    # The item pages say when an item was last updated and by whom; My actions lists what this round asks for.
    registry.add_page_panel("action", "board/_last_updated.html", 10)
    registry.add_page_panel("project", "board/_last_updated.html", 10)
    registry.add_page_panel("my_actions", "board/_my_round.html", 10)

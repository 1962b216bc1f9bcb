"""The board meetings page: past and coming boards; the programme office plans them and changes one.

Each view loads, authorises, validates and calls a service (tracker.programme.meetings).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import SubmitField
from wtforms.validators import Optional

from tracker.core.clock import today
from tracker.core.forms import GovDateField, VersionedForm, text_area
from tracker.core.web import Outcome, attempt, first_message
from tracker.extensions import db
from tracker.programme import meetings
from tracker.programme.calendar import DEFAULT_DEADLINE_WORKING_DAYS, long_date
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.models import BoardMeeting

bp = Blueprint("meetings", __name__, url_prefix=PREFIX)


class MeetingForm(VersionedForm):
    """One meeting's date, update deadline and note (shape only: the service holds the rules)."""

    meets_on = GovDateField("Date of the meeting", validators=[Optional()], description="For example, 19 3 2027")
    update_deadline = GovDateField(
        "Updates due by",
        validators=[Optional()],
        description=f"The date by which leads must have updated their items. Leave it empty for "
        f"{DEFAULT_DEADLINE_WORKING_DAYS} working days before the meeting; left at that, it moves with the meeting.",
    )
    note = text_area(
        "Note",
        meetings.MAX_MEETING_NOTE,
        "Shown beside the meeting, for example why it is not on the usual day. Optional.",
    )
    submit = SubmitField("Save meeting", widget=GovSubmitInput())

    @classmethod
    def showing(cls, meeting: BoardMeeting) -> MeetingForm:
        return cls(
            data={
                "meets_on": meeting.meets_on,
                "update_deadline": meeting.update_deadline,
                "note": meeting.note,
                "version": str(meeting.version),
            }
        )

    def to_change(self) -> meetings.MeetingChange:
        return meetings.MeetingChange(self.meets_on.data, self.update_deadline.data, self.note.data or "")


@bp.get("/meetings")
def meeting_list() -> str:
    """List the board's past and coming meetings, the next one first among those to come."""
    programme = current_programme()
    day = today()
    return render_template(
        "programme/meetings.html",
        title="Board meetings",
        programme=programme,
        page=meetings.meetings_page(programme, day),
        may_plan=meetings.may_plan_meetings(current_user, programme),
        plan_months=meetings.DEFAULT_PLAN_MONTHS,
        today=day,
    )


@bp.get("/meetings/<isodate:meets_on>")
def meeting_page(meets_on: str) -> str:
    """Show one board meeting: its date and deadline, and what other parts of the tracker add (round, freeze, pack)."""
    programme = current_programme()
    meeting = meetings.meeting_in_address(programme, meets_on)
    return render_template(
        "programme/meeting.html",
        title=f"{programme.board_name}, {long_date(meeting.meets_on)}",
        programme=programme,
        meeting=meeting,
        may_plan=meetings.may_plan_meetings(current_user, programme),
        today=today(),
    )


@bp.post("/meetings/plan")
def plan() -> Response:
    """Add the cycle's missing meetings for the next 12 months; meetings already planned stay as they are."""
    programme = current_programme()
    meetings.require_meetings_office(current_user, programme)
    outcome = attempt(lambda: meetings.plan_months(programme, current_user, today()))
    if not outcome.ok:
        flash(first_message(outcome.refused), "error")
    elif outcome.result:
        db.session.commit()
        added = outcome.result
        words = "board meeting" if len(added) == 1 else "board meetings"
        flash(f"Planned {len(added)} {words}, up to {long_date(added[-1].meets_on)}.", "success")
    else:
        flash(f"Every board meeting of the next {meetings.DEFAULT_PLAN_MONTHS} months was already planned.", "success")
    return redirect(url_for("meetings.meeting_list"))


@bp.route("/meetings/<meets_on>/edit", methods=["GET", "POST"])
def edit_meeting(meets_on: str) -> Response | tuple[str, int]:
    """Change a meeting's date, update deadline or note."""
    programme = current_programme()
    meeting = meetings.meeting_in_address(programme, meets_on)
    meetings.require_meetings_office(current_user, programme)
    if request.method == "GET":
        return _form_page(meeting, MeetingForm.showing(meeting))
    form = MeetingForm()
    if not form.validate():
        return _form_page(meeting, form)
    outcome = attempt(lambda: meetings.change_meeting(meeting, current_user, form.to_change(), form.seen_version), form)
    if not outcome.ok:
        if outcome.conflict is not None:
            form.show_version(meeting.version)  # re-read after the rollback: saving again applies the form on top
        return _form_page(meeting, form, outcome)
    db.session.commit()
    flash(f"Board meeting on {long_date(meeting.meets_on)} saved." if outcome.result else "Nothing changed.", "success")
    return redirect(url_for("meetings.meeting_list"))


def _form_page(meeting: BoardMeeting, form: MeetingForm, outcome: Outcome[list[str]] | None = None) -> tuple[str, int]:
    is_conflict = outcome is not None and outcome.conflict is not None
    html = render_template(
        "programme/meeting_form.html",
        title=f"Change the board meeting on {long_date(meeting.meets_on)}",
        programme=meeting.programme,
        meeting=meeting,
        form=form,
        is_conflict=is_conflict,
    )
    return html, 409 if is_conflict else 200

"""Update returns by spreadsheet for a round: the leads' workbooks, the upload, its preview, and the save.

The programme office downloads one workbook per lead (or a zip of them all); the office, or the lead a
workbook is made out to, uploads it filled in. The upload is only read and previewed — changes,
conflicts and problems — and the confirmation saves it all through the update service, or nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from tracker.auth.permissions import can_manage_programme
from tracker.board.models import UpdateRound
from tracker.board.round_queries import meeting_on, round_of
from tracker.core.clock import today
from tracker.core.errors import NotAllowed, NotFound
from tracker.core.web import limit_upload_size
from tracker.exports.views import download
from tracker.extensions import db
from tracker.programme.context import PREFIX, current_programme
from tracker.returns import queries, services
from tracker.returns.forms import ConfirmReturnForm, UploadReturnForm
from tracker.returns.permissions import may_handle_return, require_office, require_return_handler
from tracker.returns.queries import LeadReturn
from tracker.returns.workbook import read_return, return_workbook
from tracker.spreadsheets.reading import Limits, Problem
from tracker.spreadsheets.writing import XLSX_MIMETYPE, ZIP_MIMETYPE, download_name, zip_bytes

bp = Blueprint("returns", __name__, url_prefix=PREFIX + "/meetings")

Page = str | tuple[str, int] | BaseResponse
UPLOAD_LIMIT = Limits().max_bytes


limit_upload_size(bp, UPLOAD_LIMIT)


@bp.errorhandler(413)
def _too_large(_error: HTTPException) -> tuple[str, int]:
    meets_on = (request.view_args or {}).get("meets_on", "")
    back = url_for("returns.returns_page", meets_on=meets_on) if meets_on else url_for("programme.overview")
    limit_mb = UPLOAD_LIMIT // 2**20
    return render_template("returns/too_large.html", title="The file is too large", limit_mb=limit_mb, back=back), 413


def _round(meets_on: str) -> UpdateRound:
    meeting = meeting_on(current_programme(), meets_on)
    update_round = round_of(meeting)
    if update_round is None:
        raise NotFound("No update round has been opened for this board meeting yet.")
    set_committed_value(update_round, "meeting", meeting)  # the meeting just read: no second statement for it
    return update_round


def _lead_return(meets_on: str, lead_id: int) -> LeadReturn:
    """Load a lead's return and refuse anyone but the office and that lead."""
    update_round = _round(meets_on)
    require_return_handler(current_user, update_round.programme_id, lead_id)
    return queries.lead_return(update_round, lead_id)


def _file_name(lead_return: LeadReturn) -> str:
    meets_on = lead_return.update_round.meeting.meets_on.isoformat()
    return download_name("update-return", meets_on, lead_return.lead.name, extension="xlsx")


@bp.get("/<isodate:meets_on>/returns")
def returns_page(meets_on: str) -> Page:
    """List the round's leads with their workbooks to download and upload (a lead sees their own)."""
    update_round = _round(meets_on)
    office = can_manage_programme(current_user, update_round.programme_id)
    leads = [
        p
        for p in queries.leads_in_round(update_round)
        if may_handle_return(current_user, update_round.programme_id, p.id)
    ]
    if not leads and not office:
        raise NotAllowed("Only the programme office, and leads who owe updates in this round, use update returns.")
    return render_template(
        "returns/returns.html", update_round=update_round, meeting=update_round.meeting, leads=leads, office=office
    )


@bp.get("/<isodate:meets_on>/returns/<int:lead_id>.xlsx")
def return_download(meets_on: str, lead_id: int) -> Response:
    """Download a lead's workbook: their items in the round, where each stands, blank columns to fill in."""
    lead_return = _lead_return(meets_on, lead_id)
    return download(return_workbook(lead_return), XLSX_MIMETYPE, _file_name(lead_return))


@bp.get("/<isodate:meets_on>/returns/all.zip")
def all_returns(meets_on: str) -> Response:
    """Download every lead's workbook in one zip (the programme office)."""
    update_round = _round(meets_on)
    require_office(current_user, update_round.programme_id)
    returns = queries.round_returns(update_round)
    body = zip_bytes((_file_name(lead_return), return_workbook(lead_return)) for lead_return in returns)
    name = download_name("update-returns", update_round.meeting.meets_on.isoformat(), extension="zip")
    return download(body, ZIP_MIMETYPE, name)


def _upload_page(lead_return: LeadReturn, form: UploadReturnForm, **preview: object) -> tuple[str, int]:
    plan = preview.get("plan")
    status = 409 if isinstance(plan, services.ReturnPlan) and plan.conflicts else 200
    context = {"lead_return": lead_return, "meeting": lead_return.update_round.meeting, "lead": lead_return.lead}
    return render_template("returns/upload.html", form=form, **context, **preview), status


@bp.route("/<isodate:meets_on>/returns/<int:lead_id>/upload", methods=["GET", "POST"])
def upload_return(meets_on: str, lead_id: int) -> Page:
    """Upload a filled-in return and see what it would change, its conflicts and problems; nothing is saved yet."""
    lead_return = _lead_return(meets_on, lead_id)
    form = UploadReturnForm()
    if not form.validate_on_submit():
        return _upload_page(lead_return, form)
    rows, problems = read_return(form.content, form.file_name)
    plan = services.plan_return(current_user, lead_return, rows, today())
    plan.problems = sorted([*problems, *plan.problems], key=_by_row)
    confirm = ConfirmReturnForm()
    confirm.carry(rows, lead_return.update_round.id, lead_id)
    return _upload_page(lead_return, form, plan=plan, confirm=confirm, file_name=form.file_name)


def _by_row(problem: Problem) -> tuple[int, str]:
    return problem.row or 0, problem.column or ""


@bp.post("/<isodate:meets_on>/returns/<int:lead_id>/apply")
def apply_return(meets_on: str, lead_id: int) -> Page:
    """Save the previewed return as ordinary updates, all of it or none; conflicts and problems are shown again."""
    lead_return = _lead_return(meets_on, lead_id)
    confirm = ConfirmReturnForm()
    rows = confirm.carried(lead_return.update_round.id, lead_id) if confirm.validate_on_submit() else None
    if rows is None:
        form = UploadReturnForm()
        form.file.errors = ["The checked return was too old or not the one shown: upload the workbook again"]
        return _upload_page(lead_return, form)
    try:
        plan = services.apply_return(current_user._get_current_object(), lead_return, rows, today())  # noqa: SLF001
    except services.ReturnRefused as refused:
        db.session.rollback()
        return _upload_page(_lead_return(meets_on, lead_id), UploadReturnForm(), plan=refused.plan, confirm=confirm)
    db.session.commit()
    flash(f"Update return of {lead_return.lead.name} saved: {len(plan.updates)} items updated.", "success")
    return redirect(url_for("returns.returns_page", meets_on=meets_on))

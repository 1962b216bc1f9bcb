"""The board pack on the web: an accessible page and its PDF, and each project's highlight report (PDF),
for everyone who may read the programme (anyone while its progress pages are public: see ``__init__``).

The appendix of data-quality findings is the programme office's (as the data-quality page is).
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from tracker.auth.permissions import can_manage_programme
from tracker.board.round_queries import meeting_on
from tracker.core.clock import today
from tracker.core.refs import ref_slug
from tracker.pack.content import Pack
from tracker.pack.project_pdf import render_project_report
from tracker.pack.queries import meeting_for_latest_pack, pack_for_meeting, project_report_for
from tracker.pack.stored import pack_pdf_for_meeting
from tracker.programme.charts import BarRow, stacked_status_bars
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.status import Status

bp = Blueprint("pack", __name__, url_prefix=PREFIX)


def _pack(meets_on: str) -> tuple[Pack, str]:
    programme = current_programme()
    meeting = meeting_on(programme, meets_on)
    office = can_manage_programme(current_user, programme.id)
    return pack_for_meeting(programme, meeting, today(), no_appendix=not office), meeting.meets_on.isoformat()


def status_chart(pack: Pack):
    """The projects and actions chart of the pack, as server SVG (the page shows its table beside it)."""
    rows = [
        BarRow(
            kind.capitalize(),
            {s: pack.counts[kind][s.value] for s in Status},
            {"Reported separately": pack.separately[kind]},
        )
        for kind in ("projects", "actions")
    ]
    return stacked_status_bars(rows, "Projects and actions by status")


@bp.get("/meetings/<isodate:meets_on>/pack")
def pack_page(meets_on: str) -> str:
    """Show the board pack as an accessible page that prints cleanly."""
    pack, day = _pack(meets_on)
    return render_template("pack/pack.html", pack=pack, chart=status_chart(pack), meets_on=day, Status=Status)


@bp.get("/meetings/<isodate:meets_on>/pack.pdf")
def pack_pdf(meets_on: str) -> Response:
    """Send the board pack as a PDF (a frozen board's is rendered once, then read from its file)."""
    programme = current_programme()
    meeting = meeting_on(programme, meets_on)
    office = can_manage_programme(current_user, programme.id)
    data = pack_pdf_for_meeting(programme, meeting, today(), no_appendix=not office)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="board-pack-{meeting.meets_on.isoformat()}.pdf"'
    return response


@bp.get("/board-pack")
def latest_pack_page() -> WerkzeugResponse:
    """Send the reader to the latest board pack: the latest frozen board's, else the next meeting's (live)."""
    meeting = meeting_for_latest_pack(current_programme(), today())
    return redirect(url_for("pack.pack_page", meets_on=meeting.meets_on.isoformat()))


@bp.get("/board-pack.pdf")
def latest_pack_pdf() -> WerkzeugResponse:
    """Send the reader to the latest board pack's PDF."""
    meeting = meeting_for_latest_pack(current_programme(), today())
    return redirect(url_for("pack.pack_pdf", meets_on=meeting.meets_on.isoformat()))


@bp.get("/projects/<ref>/highlight-report.pdf")
def project_report_pdf(ref: str) -> Response:
    """Send a project's one-page highlight report (the live position) as a PDF."""
    report = project_report_for(current_programme(), ref, today())
    response = Response(render_project_report(report), mimetype="application/pdf")
    name = f"project-{ref_slug(report.project.ref)}-highlight-report-{today().isoformat()}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""KPI pages: scorecard, KPI page with trend chart, value entry, admin CSV import, JSON/CSV export."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.services import record_audit_event
from tracker.extensions import db
from tracker.kpis import services
from tracker.kpis.charts import kpi_trend_chart, trend_points
from tracker.kpis.forms import IMPORT_KINDS, STATUS_FILTERS, KpiImportForm, KpiValueForm, ScorecardFilterForm
from tracker.kpis.importer import ImportRejected, import_kpi_values, import_kpis
from tracker.kpis.models import Frequency, Kpi, KpiValue
from tracker.kpis.permissions import can_enter_kpi_values, can_import_kpis
from tracker.programme import queries
from tracker.core.templating import govuk_date

bp = Blueprint("kpis", __name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@bp.app_template_global("kpis_for")
def kpis_for(item) -> list[services.KpiRow]:
    """The KPI panel's rows for a workstream or project page, in one statement."""
    return services.kpis_for(item)


@bp.app_template_filter("kpi_number")
def kpi_number(value, unit) -> str:
    return services.format_number(value, unit)


@bp.app_template_global("can_enter_kpi_values")
def _can_enter_kpi_values(kpi: Kpi) -> bool:
    return can_enter_kpi_values(current_user, kpi)


@bp.get("/kpis")
def scorecard():
    workstreams = queries.live_workstreams()
    form = ScorecardFilterForm(formdata=request.args)
    form.set_workstreams(workstreams)
    filters = services.ScorecardFilters()
    invalid = False
    if request.args:
        if form.validate():
            if form.workstream.data:
                filters.workstream = next(ws for ws in workstreams if ws.ref == form.workstream.data)
            filters.status = form.status.data or None
            filters.frequency = Frequency(form.frequency.data) if form.frequency.data else None
        else:
            invalid = True
            for field in (form.workstream, form.status, form.frequency):
                if field.errors:
                    field.errors = [f"Choose a {field.label.text.lower()} from the list"]
    rows = services.scorecard(filters)
    return render_template(
        "kpis/scorecard.html", title="KPI scorecard", form=form, rows=rows, filters=filters, invalid=invalid,
        status_filters=STATUS_FILTERS, can_import=can_import_kpis(current_user),
    )


@bp.get("/kpis.json")
def scorecard_json():
    body = json.dumps(services.scorecard_json(services.scorecard()), indent=2, ensure_ascii=False)
    return Response(body + "\n", mimetype="application/json")


@bp.get("/kpis.csv")
def scorecard_csv():
    return Response(
        services.scorecard_csv(services.scorecard()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=kpi-scorecard.csv"},
    )


def _kpi_or_404(ref: str) -> Kpi:
    kpi = services.kpi_by_ref(ref)
    if kpi is None:
        abort(404, description=f"There is no KPI {ref}.")
    return kpi


@bp.get("/kpis/<ref>")
def kpi_page(ref: str):
    kpi = _kpi_or_404(ref)
    points = services.period_points(kpi)
    target = services.current_target(kpi)
    latest = points[-1] if points else None
    chart = kpi_trend_chart(
        trend_points(points), kpi.unit, f"{kpi.label}: {kpi.title}, by period", _chart_description(kpi, points),
        chart_id=f"kpi-chart-{kpi.id}",
    )
    return render_template(
        "kpis/kpi.html", title=f"{kpi.label}: {kpi.title}", kpi=kpi, points=points, latest=latest, target=target,
        target_text=services.target_text(target, kpi.unit), tolerance_text=services.tolerance_text(target, kpi.unit),
        targets=[(t, services.target_text(t, kpi.unit), services.tolerance_text(t, kpi.unit)) for t in kpi.targets],
        chart=chart, history=services.value_history(kpi), can_enter=can_enter_kpi_values(current_user, kpi),
    )


def _chart_description(kpi: Kpi, points: list[services.PeriodPoint]) -> str:
    if not points:
        return "No values yet."
    first, last = points[0], points[-1]
    text = (f"{len(points)} period{'s' if len(points) != 1 else ''} from {first.value.period_label} to "
            f"{last.value.period_label}. Latest value {services.format_number(last.value.value, kpi.unit)}")
    if last.assessment.target is not None:
        text += f" against a target of {services.format_number(last.assessment.target, kpi.unit)}"
    if last.assessment.status is not None:
        text += f": {last.assessment.status.label}"
    return text + ". The table after the chart gives every figure."


def _authorise_entry(kpi: Kpi) -> None:
    if not can_enter_kpi_values(current_user, kpi):
        abort(403)


@bp.route("/kpis/<ref>/values/new", methods=["GET", "POST"])
def new_value(ref: str):
    kpi = _kpi_or_404(ref)
    _authorise_entry(kpi)
    form = KpiValueForm()
    if form.validate_on_submit():
        given = form.to_input()
        clash = next((v for v in kpi.values if v.period_end == given.period_end), None)
        if clash is not None:
            form.period_end.errors.append(
                f"There is already a value for the period ending {govuk_date(clash.period_end)} ({clash.period_label}); change that value instead"
            )
        else:
            services.record_value(kpi, given, None, source="form", user=current_user)
            if _commit_or_report(form, f"KPI {kpi.ref}: {given.period_label} value added"):
                flash(f"Value for {given.period_label} saved for {kpi.label}.", "success")
                return redirect(url_for("kpis.kpi_page", ref=kpi.ref))
    return render_template("kpis/value_form.html", title=f"Add a value for {kpi.label}", kpi=kpi, form=form,
                           value=None), 200


@bp.route("/kpis/<ref>/values/<period_end>/edit", methods=["GET", "POST"])
def edit_value(ref: str, period_end: str):
    kpi = _kpi_or_404(ref)
    _authorise_entry(kpi)
    try:
        period = date.fromisoformat(period_end)
    except ValueError:
        abort(404, description="There is no value for that period.")
    value = next((v for v in kpi.values if v.period_end == period), None)
    if value is None:
        abort(404, description=f"KPI {kpi.ref} has no value for the period ending {govuk_date(period)}.")
    form = KpiValueForm()
    if request.method == "GET":
        _fill_form(form, value)
    elif form.validate_on_submit():
        given = form.to_input()
        clash = next((v for v in kpi.values if v.period_end == given.period_end and v is not value), None)
        if form.seen_version != value.version:
            form.form_errors.append(
                f"Someone else saved this value while you were editing it: it is now "
                f"{services.format_number(value.value, kpi.unit)} for {value.period_label}. Check your figures and save again."
            )
            form.version.data = str(value.version)
        elif clash is not None:
            form.period_end.errors.append(
                f"There is already a value for the period ending {govuk_date(clash.period_end)} ({clash.period_label}); change that value instead"
            )
        else:
            outcome = services.record_value(kpi, given, value, source="form", user=current_user)
            if _commit_or_report(form, f"KPI {kpi.ref}: {given.period_label} value changed"):
                flash(f"Value for {given.period_label} saved for {kpi.label}." if outcome == "updated"
                      else f"Nothing changed for {given.period_label}.", "success")
                return redirect(url_for("kpis.kpi_page", ref=kpi.ref))
    return render_template("kpis/value_form.html", title=f"Change the {value.period_label} value of {kpi.label}",
                           kpi=kpi, form=form, value=value)


def _fill_form(form: KpiValueForm, value: KpiValue) -> None:
    form.period_end.data = value.period_end
    form.period_label.data = value.period_label
    for name in ("value", "numerator", "denominator", "national", "statistical_neighbours", "regional"):
        number = getattr(value, name)
        getattr(form, name).data = services.number_for_export(number) if number is not None else ""
    form.commentary.data = value.commentary
    form.version.data = str(value.version)


def _commit_or_report(form: KpiValueForm, detail: str) -> bool:
    """Commit the value; if someone saved the same period at the same moment, say so and write nothing."""
    try:
        record_audit_event("kpi_value_saved", detail)
        db.session.commit()
        return True
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        form.form_errors.append("Someone else saved a value for this period at the same moment. Reload the KPI page and check it.")
        return False


@bp.route("/admin/kpis/import", methods=["GET", "POST"])
def import_upload():
    if not can_import_kpis(current_user):
        abort(403)
    form = KpiImportForm()
    problems = None
    filename = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            form.file.errors.append("The file must be smaller than 5 MB")
        else:
            try:
                if form.kind.data == "kpis":
                    summary = import_kpis(data)
                else:
                    summary = import_kpi_values(data, source=f"upload {upload.filename}", user=current_user)
                record_audit_event("kpis_imported", f"{IMPORT_KINDS[form.kind.data]} from {upload.filename}: {summary.sentence()}")
                db.session.commit()
            except ImportRejected as rejected:
                db.session.rollback()
                problems, filename = rejected.problems, upload.filename
            else:
                flash(f"{summary.sentence()} File: {upload.filename}.", "success")
                return redirect(url_for("kpis.import_upload"))
    return render_template("kpis/import.html", title="Import KPIs or KPI values", form=form, problems=problems,
                           filename=filename)

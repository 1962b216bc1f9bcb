"""KPI pages: scorecard, KPI page with trend chart, value entry, admin CSV import, JSON/CSV export.

Each view loads, authorises, validates, calls a service (``values.save_value`` or
``importer.import_file``) and commits; a refusal comes back on the form through ``core.web.attempt``.
Every page belongs to one programme (``/p/<programme>/kpis...``): KPIs are read from, and imported
into, the programme the address names, and who may enter or import is asked of that programme.
"""

from __future__ import annotations

import json
from decimal import Decimal

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers.response import Response as BaseResponse

from tracker.core.web import attempt, normalised_query
from tracker.extensions import db
from tracker.kpis import export, importer, queries, values
from tracker.kpis.charts import kpi_chart
from tracker.kpis.forms import STATUS_FILTERS, KpiImportForm, KpiValueForm, ScorecardFilterForm
from tracker.kpis.models import Kpi, KpiUnit, KpiValue
from tracker.kpis.numbers import format_number, format_stated, format_value, target_text, tolerance_text
from tracker.kpis.permissions import can_enter_kpi_values, can_import_kpis
from tracker.programme import queries as programme_queries
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.models import Programme, Project, Workstream
from tracker.programme.scopes import beyond_actions_scope, cached_for_reader

bp = Blueprint("kpis", __name__, url_prefix=PREFIX)

Page = str | tuple[str, int] | BaseResponse


@bp.app_template_global("kpis_for")
def kpis_for(item: Workstream | Project) -> list[queries.KpiRow]:
    """Return the KPI panel's rows for a workstream or project page, in one statement."""
    return queries.kpis_for(item)


@bp.app_template_filter("kpi_number")
def kpi_number(value: Decimal | float | int | None, unit: KpiUnit | None) -> str:
    """Return a number exactly as stored, with its unit (replaced values, numerators and denominators)."""
    return format_number(value, unit)


@bp.app_template_filter("kpi_value")
def kpi_value(value: Decimal | float | int | None, kpi: Kpi) -> str:
    """Return a KPI's value as it is published: at the KPI's decimal places, as every KPI page shows it."""
    return format_value(value, kpi.unit, kpi.places)


@bp.app_template_filter("kpi_stated")
def kpi_stated(value: Decimal | float | int | None, kpi: Kpi) -> str:
    """Return a target or comparator as stated (never rounded), with at least the KPI's decimal places."""
    return format_stated(value, kpi.unit, kpi.places)


@bp.app_template_global("can_enter_kpi_values")
def _can_enter_kpi_values(kpi: Kpi) -> bool:
    return can_enter_kpi_values(current_user, kpi)


@bp.get("/kpis")
def scorecard() -> Page:
    """Show the programme's KPI scorecard, filtered as the query string asks."""
    programme = current_programme()
    query = normalised_query()
    invalid, body = cached_for_reader(
        "kpi-scorecard", programme, beyond_actions_scope(), (query,), lambda: _render_scorecard_body(programme)
    )
    return render_template(
        "kpis/scorecard.html", title="KPI scorecard", programme=programme, body=body, filters_invalid=invalid
    )


def _render_scorecard_body(programme: Programme) -> tuple[bool, Markup]:
    """Return whether the filters were refused, and the scorecard's content as HTML."""
    form = ScorecardFilterForm(formdata=request.args)
    filters, invalid = form.to_filters(programme_queries.live_workstreams(programme))
    body = render_template(
        "kpis/_scorecard_body.html",
        programme=programme,
        form=form,
        rows=queries.scorecard(programme, filters),
        filters=filters,
        invalid=invalid,
        status_filters=STATUS_FILTERS,
        can_import=can_import_kpis(current_user, programme),
    )
    return invalid, Markup(body)


@bp.get("/kpis.json")
def scorecard_json() -> Response:
    """Download the programme's scorecard as JSON, as `flask export kpis` prints it."""
    body = json.dumps(export.scorecard_json(queries.scorecard(current_programme())), indent=2, ensure_ascii=False)
    return Response(body + "\n", mimetype="application/json")


@bp.get("/kpis.csv")
def scorecard_csv() -> Response:
    """Download the programme's scorecard as CSV, as `flask export kpis --format csv` prints it."""
    programme = current_programme()
    return Response(
        export.scorecard_csv(queries.scorecard(programme)),
        mimetype="text/csv",
        # Named for its programme: downloads from two programmes must not overwrite each other.
        headers={"Content-Disposition": f"attachment; filename=kpi-scorecard-{programme.short_name}.csv"},
    )


@bp.get("/kpis/<ref>")
def kpi_page(ref: str) -> Page:
    """Show a KPI, reached by its slug or its ref: definition, targets, trend chart, values and changes to them."""
    programme = current_programme()
    kpi = queries.kpi_by_ref(programme, ref)
    body = cached_for_reader("kpi", programme, beyond_actions_scope(), (kpi.id,), lambda: _render_kpi_body(kpi))
    return render_template("kpis/kpi.html", title=f"{kpi.label}: {kpi.title}", kpi=kpi, body=body)


def _render_kpi_body(kpi: Kpi) -> Markup:
    points = queries.period_points(kpi)
    target = queries.current_target(kpi)
    return Markup(
        render_template(
            "kpis/_kpi_body.html",
            kpi=kpi,
            points=points,
            latest=points[-1] if points else None,
            target=target,
            target_text=target_text(target, kpi.unit, kpi.places),
            tolerance_text=tolerance_text(target, kpi.unit, kpi.places),
            targets=[
                (t, target_text(t, kpi.unit, kpi.places), tolerance_text(t, kpi.unit, kpi.places)) for t in kpi.targets
            ],
            chart=kpi_chart(kpi, points),
            history=queries.value_history(kpi),
            can_enter=can_enter_kpi_values(current_user, kpi),
        )
    )


@bp.route("/kpis/<ref>/values/new", methods=["GET", "POST"])
def new_value(ref: str) -> Page:
    """Add a value for a new period."""
    kpi = queries.kpi_by_ref(current_programme(), ref)
    values.authorise_entry(current_user, kpi)
    form = KpiValueForm()
    if form.validate_on_submit():
        saved = _save(form, kpi, replacing=None)
        if saved is not None:
            return saved
    title = f"Add a value for {kpi.label}"
    return render_template("kpis/value_form.html", title=title, kpi=kpi, form=form, value=None), 200


@bp.route("/kpis/<ref>/values/<period_end>/edit", methods=["GET", "POST"])
def edit_value(ref: str, period_end: str) -> Page:
    """Change a period's value, unless someone saved it since the form was opened."""
    kpi = queries.kpi_by_ref(current_programme(), ref)
    values.authorise_entry(current_user, kpi)
    value = queries.stored_value(kpi, period_end)
    form = KpiValueForm()
    if request.method == "GET":
        form.show_value(value)
    elif form.validate_on_submit():
        saved = _save(form, kpi, replacing=value)
        if saved is not None:
            return saved
    title = f"Change the {value.period_label} value of {kpi.label}"
    return render_template("kpis/value_form.html", title=title, kpi=kpi, form=form, value=value)


def _save(form: KpiValueForm, kpi: Kpi, replacing: KpiValue | None) -> BaseResponse | None:
    """Save the form's figures and commit; return the redirect, or None to show the form (with why) again."""
    given = form.to_input()
    # An edit that carries no version saw none (0 is never one): it must not overwrite the stored value.
    seen_version = None if replacing is None else form.seen_version or 0
    outcome = attempt(
        lambda: values.save_value(
            kpi, _signed_in_user(), given, replacing=replacing, seen_version=seen_version, source="form"
        ),
        form,
    )
    if outcome.conflict is not None and replacing is not None:
        _show_newer_value(form, kpi, replacing)
    if not outcome.ok or not _committed(form):
        return None
    unchanged = outcome.result == "unchanged"
    flash(
        f"Nothing changed for {given.period_label}."
        if unchanged
        else f"Value for {given.period_label} saved for {kpi.label}.",
        "success",
    )
    return redirect(url_for("kpis.kpi_page", ref=kpi.slug))


def _signed_in_user() -> object:
    # The account itself, not the request's proxy for it: services keep it on history and audit rows.
    return current_user._get_current_object()  # noqa: SLF001


def _show_newer_value(form: KpiValueForm, kpi: Kpi, value: KpiValue) -> None:
    """Say what the value is now (the refused save was rolled back) and carry its version to save on top of it."""
    form.form_errors.append(
        f"Someone else saved this value while you were editing it: it is now {format_number(value.value, kpi.unit)} "
        f"for {value.period_label}. Check your figures and save again."
    )
    form.show_version(value.version)


def _committed(form: KpiValueForm) -> bool:
    """Commit the save; if someone saved the same period at the same moment, say so and keep nothing."""
    try:
        db.session.commit()
        return True
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        form.form_errors.append(
            "Someone else saved a value for this period at the same moment. Reload the KPI page and check it."
        )
        return False


@bp.route("/admin/kpis/import", methods=["GET", "POST"])
def import_upload() -> Page:
    """Import a CSV file of the programme's KPI definitions or values, or list every problem in it."""
    programme = current_programme()
    importer.authorise_import(current_user, programme)
    form = KpiImportForm()
    problems = None
    if form.validate_on_submit():
        problems = _import(form, programme)
        if problems is None:
            return redirect(url_for("kpis.import_upload"))
    return render_template(
        "kpis/import.html",
        title="Import KPIs or KPI values",
        programme=programme,
        form=form,
        problems=problems,
        filename=form.file_name if problems is not None else None,
    )


def _import(form: KpiImportForm, programme: Programme) -> list[importer.RowProblem] | None:
    """Import the uploaded file and commit, flashing what was done; return its problems instead if it was rejected."""
    try:
        summary = importer.import_file(
            form.kind.data,
            form.content,
            programme=programme,
            file_name=form.file_name,
            source=f"upload {form.file_name}",
            user=_signed_in_user(),
        )
    except importer.ImportRejected as rejected:
        db.session.rollback()
        return rejected.problems
    db.session.commit()
    flash(f"{summary.sentence()} File: {form.file_name}.", "success")
    return None

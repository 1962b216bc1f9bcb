"""Read-only progress pages: overview, workstream, project, action and the action list."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, render_template, request, url_for

from markupsafe import Markup

from tracker.core.cache import cached
from tracker.core.clock import today
from tracker.programme.charts import BarRow, stacked_status_bars
from tracker.programme import queries
from tracker.programme.forms import SORT_OPTIONS, ActionFilterForm
from tracker.programme.rollups import programme_rollup, project_action_counts, summary_sentences
from tracker.programme.status import Status

bp = Blueprint("programme", __name__)


@bp.before_app_request
def _forget_last_requests_programme() -> None:
    # g outlives a request when an app context is already pushed (tests, CLI); the programme
    # must be read afresh by every request so its data_version is current.
    g.pop("programme", None)


def rollup_for_today():
    """Return the programme roll-up, recomputed only when data or the date has changed."""
    programme = queries.current_programme()
    day = today()
    key = f"rollup:{programme.data_version}:{day.isoformat()}"
    return cached(key, lambda: programme_rollup(programme, day))


@bp.get("/")
def overview():
    programme = queries.current_programme()
    rollup = rollup_for_today()
    key = f"overview:{programme.data_version}:{rollup.today.isoformat()}"
    body = cached(key, lambda: _render_overview_body(programme, rollup))
    return render_template("programme/overview.html", programme=programme, overview_body=body)


def _render_overview_body(programme, rollup) -> Markup:
    chart_rows = [
        BarRow("Projects", rollup.projects.by_status, {"Reported separately": sum(rollup.projects.reported_separately.values())}),
        BarRow("Actions", rollup.actions.by_status, {"Reported separately": sum(rollup.actions.reported_separately.values())}),
    ]
    chart = stacked_status_bars(chart_rows, "Projects and actions by status, this board's items")
    return Markup(
        render_template(
            "programme/_overview_body.html",
            programme=programme,
            rollup=rollup,
            chart=chart,
            project_sentences=summary_sentences(rollup.projects, "project", "projects"),
            action_sentences=summary_sentences(rollup.actions, "action", "actions"),
        )
    )


@bp.get("/workstreams/<ref>")
def workstream(ref: str):
    programme = queries.current_programme()
    workstream = queries.workstream_by_ref(ref)
    rollup = rollup_for_today()
    root_id = workstream.parent_id or workstream.id
    totals = next((row for row in rollup.workstreams if row.id == root_id), None)
    projects = queries.projects_in(workstream)
    action_counts = project_action_counts([p.id for p in projects], rollup.today, rollup.next_board)
    return render_template(
        "programme/workstream.html",
        programme=programme,
        workstream=workstream,
        totals=totals if workstream.parent_id is None else None,
        projects=projects,
        action_counts=action_counts,
        rollup=rollup,
    )


@bp.get("/projects/<ref>")
def project(ref: str):
    programme = queries.current_programme()
    project = queries.project_by_ref(ref)
    day = today()
    actions = [a for a in project.actions if a.archived_at is None]
    counts = {s: 0 for s in Status}
    for action in actions:
        counts[action.status] += 1
    return render_template(
        "programme/project.html",
        programme=programme,
        project=project,
        actions=actions,
        counts=counts,
        today=day,
        next_board=programme.next_board_date(day),
    )


@bp.get("/actions/<ref>")
def action(ref: str):
    programme = queries.current_programme()
    action = queries.action_by_ref(ref)
    day = today()
    return render_template(
        "programme/action.html", programme=programme, action=action, today=day, next_board=programme.next_board_date(day)
    )


@bp.get("/actions")
def action_list():
    programme = queries.current_programme()
    day = today()
    # The list is the same for everyone who asks the same question of the same data: it is
    # rendered once per (data version, day, query) like the overview, so never stale.
    query = urlencode(sorted(request.args.items(multi=True)))
    key = f"actions:{programme.data_version}:{day.isoformat()}:{query}"
    invalid, body = cached(key, lambda: _render_action_list_body(programme, day))
    return render_template("programme/actions.html", action_list_body=body, filters_invalid=invalid)


def _render_action_list_body(programme, day: date) -> tuple[bool, Markup]:
    """Return whether the filters were refused, and the list's content as HTML."""
    workstreams, people = queries.filter_choices(programme)
    form = ActionFilterForm(formdata=request.args)
    form.set_choices(workstreams, people)
    filters = queries.ActionFilters()
    invalid = bool(request.args) and not form.validate()
    if not invalid:
        filters = _filters_from(form, workstreams, programme.next_board_date(day))
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    per_page = current_app.config["ACTIONS_PER_PAGE"]
    result = queries.filtered_actions(filters, day, page, per_page)
    body = render_template(
        "programme/_actions_body.html",
        programme=programme,
        form=form,
        invalid=invalid,
        filters=filters,
        result=result,
        today=day,
        next_board=programme.next_board_date(day),
        sort_options=SORT_OPTIONS,
        page_url=lambda number: url_for("programme.action_list", **{**request.args.to_dict(flat=False), "page": number}),
    )
    return invalid, Markup(body)


def _filters_from(form: ActionFilterForm, workstreams, next_board: date) -> queries.ActionFilters:
    filters = queries.ActionFilters(sort=form.sort.data or "ref", overdue=bool(form.overdue.data))
    if form.before_board.data:
        filters.due_before = next_board
    if form.workstream.data:
        chosen = next(ws for ws in workstreams if ws.ref == form.workstream.data)
        filters.workstream = chosen
        filters.workstream_ids = (chosen.id, *(ws.id for ws in workstreams if ws.parent_id == chosen.id))
    if form.lead.data:
        filters.lead_id = int(form.lead.data)
    filters.statuses = tuple(Status(value) for value in form.status.data or [])
    filters.due_within_weeks = form.due_within.data
    return filters


@bp.get("/statuses")
def status_definitions():
    return render_template("programme/statuses.html", title="What the statuses mean")


@bp.get("/accessibility")
def accessibility():
    return render_template("programme/accessibility.html", title="Accessibility statement")

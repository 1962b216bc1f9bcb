"""Read-only progress pages: overview, workstream, project, action and the action list.

Each page's content is cached: the overview and the action list per programme data version, the item
pages per version of their scope (``programme.scopes``), so a lead's update in one workstream does not
make every other workstream's page render again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from tracker.auth.permissions import can_manage_programme
from tracker.core.cache import cached
from tracker.core.clock import today
from tracker.core.web import normalised_query
from tracker.programme import queries
from tracker.programme.charts import BarRow, stacked_status_bars
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.data_version import version_key
from tracker.programme.forms import SORT_OPTIONS, ActionFilterForm
from tracker.programme.models import Action, Programme, Project, Workstream
from tracker.programme.permissions import rights_key
from tracker.programme.rollups import ProgrammeRollup, programme_rollup, project_action_counts, summary_sentences
from tracker.programme.scopes import Scope, cached_for_reader, project_scope, workstream_scope
from tracker.programme.status import Status

bp = Blueprint("programme", __name__, url_prefix=PREFIX)


def rollup_for_today() -> ProgrammeRollup:
    """Return the programme roll-up, recomputed only when data or the date has changed."""
    programme = current_programme()
    day = today()
    return cached(version_key("rollup", programme, day.isoformat()), lambda: programme_rollup(programme, day))


@bp.get("/")
def overview() -> str:
    """Show the programme's roll-up: counts by status, chart and board sentences (before then, what comes next)."""
    programme = current_programme()
    rollup = rollup_for_today()
    if not rollup.workstreams:
        return _welcome(programme)
    day = rollup.today.isoformat()
    body = cached(version_key("overview", programme, day), lambda: _render_overview_body(programme, rollup))
    # The panels other parts add (risks, downloads) carry this reader's edit links: cached per rights too.
    panels = cached(
        version_key("overview-panels", programme, day, rights_key(current_user, programme.id)),
        lambda: Markup(render_template("programme/_overview_panels.html", programme=programme)),
    )
    return render_template("programme/overview.html", programme=programme, overview_body=body, panels=panels)


def _welcome(programme: Programme) -> str:
    """The overview of a programme with nothing in it yet: next steps for its admins, a plain word for others."""
    admin = can_manage_programme(current_user, programme.id)
    return render_template("programme/welcome.html", programme=programme, admin=admin)


def _render_overview_body(programme: Programme, rollup: ProgrammeRollup) -> Markup:
    chart_rows = [
        BarRow(label, counts.by_status, {"Reported separately": sum(counts.reported_separately.values())})
        for label, counts in (("Projects", rollup.projects), ("Actions", rollup.actions))
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


def _page_body(kind: str, scope: Scope, item_id: int, render: Callable[[], str]) -> Markup:
    """Return an item page's content, rendered once per (scope version, day, reader's rights)."""
    return cached_for_reader(kind, current_programme(), scope, (item_id,), lambda: Markup(render()))


@bp.get("/workstreams/<ref>")
def workstream(ref: str) -> str:
    """Show a workstream's totals and its projects with their action counts."""
    programme = current_programme()
    workstream = queries.workstream_by_ref(programme, ref)
    scope = workstream_scope(workstream.parent_id or workstream.id)
    body = _page_body("workstream", scope, workstream.id, lambda: _render_workstream_body(programme, workstream))
    return render_template("programme/workstream.html", programme=programme, workstream=workstream, body=body)


def _render_workstream_body(programme: Programme, workstream: Workstream) -> str:
    rollup = rollup_for_today()
    root_id = workstream.parent_id or workstream.id
    totals = next((row for row in rollup.workstreams if row.id == root_id), None)
    projects = queries.projects_in(workstream)
    action_counts = project_action_counts([p.id for p in projects], rollup.today, rollup.next_board)
    return render_template(
        "programme/_workstream_body.html",
        programme=programme,
        workstream=workstream,
        totals=totals if workstream.parent_id is None else None,
        projects=projects,
        action_counts=action_counts,
        rollup=rollup,
    )


@bp.get("/projects/<ref>")
def project(ref: str) -> str:
    """Show a project and its live actions."""
    programme = current_programme()
    project = queries.project_by_ref(programme, ref)
    scope = project_scope(project.id)
    body = _page_body("project", scope, project.id, lambda: _render_project_body(programme, project))
    return render_template("programme/project.html", programme=programme, project=project, body=body)


def _render_project_body(programme: Programme, project: Project) -> str:
    day = today()
    actions = queries.live_actions_of(project)
    counts = dict.fromkeys(Status, 0)
    for action in actions:
        counts[action.status] += 1
    return render_template(
        "programme/_project_body.html",
        programme=programme,
        project=project,
        actions=actions,
        counts=counts,
        today=day,
        next_board=queries.next_board(programme, day),
    )


@bp.get("/actions/<ref>")
def action(ref: str) -> str:
    """Show an action and its history."""
    programme = current_programme()
    action = queries.action_by_ref(programme, ref)
    scope = project_scope(action.project_id)  # the action's page shows its project's title and its own history
    body = _page_body("action", scope, action.id, lambda: _render_action_body(programme, action))
    return render_template("programme/action.html", programme=programme, action=action, body=body)


def _render_action_body(programme: Programme, action: Action) -> str:
    day = today()
    return render_template(
        "programme/_action_body.html",
        programme=programme,
        action=action,
        today=day,
        next_board=queries.next_board(programme, day),
    )


@bp.get("/actions")
def action_list() -> str:
    """Show the filtered, sorted, paged list of actions."""
    programme = current_programme()
    day = today()
    # The list is the same for everyone who asks the same question of the same data: it is
    # rendered once per (data version, day, query) like the overview, so never stale.
    query = normalised_query()
    invalid, body = cached(
        version_key("actions", programme, day.isoformat(), query), lambda: _render_action_list_body(programme, day)
    )
    return render_template("programme/actions.html", action_list_body=body, filters_invalid=invalid)


def _render_action_list_body(programme: Programme, day: date) -> tuple[bool, Markup]:
    """Return whether the filters were refused, and the list's content as HTML."""
    workstreams, people = queries.filter_choices(programme)
    form = ActionFilterForm(formdata=request.args)
    form.set_choices(workstreams, people)
    next_board = queries.next_board(programme, day)
    invalid = bool(request.args) and not form.validate()
    filters = queries.ActionFilters() if invalid else form.to_filters(workstreams, next_board)
    result = queries.filtered_actions(
        programme, filters, day, _page_asked_for(), current_app.config["ACTIONS_PER_PAGE"]
    )
    body = render_template(
        "programme/_actions_body.html",
        programme=programme,
        form=form,
        invalid=invalid,
        filters=filters,
        result=result,
        today=day,
        next_board=next_board,
        sort_options=SORT_OPTIONS,
        page_url=lambda number: url_for(
            "programme.action_list", **{**request.args.to_dict(flat=False), "page": number}
        ),
    )
    return invalid, Markup(body)


def _page_asked_for() -> int:
    try:
        return int(request.args.get("page", "1"))
    except ValueError:
        return 1

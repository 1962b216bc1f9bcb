"""The risk register's pages: the register with its heat map, and adding, changing, closing and reopening a risk.

Each view loads, authorises, validates and calls a service in tracker.risks.services; the service
writes history and the audit log. A save against a newer version is answered 409 with the other
person's values beside the user's own, and the form filled in to apply them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.core.errors import NotFound
from tracker.core.web import Outcome, attempt, first_message
from tracker.extensions import db
from tracker.history.services import latest_save
from tracker.people.queries import people_by_name
from tracker.programme import queries as programme_queries
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.models import Programme, Project, Workstream
from tracker.risks import queries, services
from tracker.risks.charts import heat_map
from tracker.risks.forms import STATE_CHOICES, RiskFilterForm, RiskForm, RiskStateForm
from tracker.risks.models import Risk
from tracker.risks.permissions import can_edit_risk, can_edit_risks_of, require_risk_adder, require_risk_editor
from tracker.risks.rules import heat_counts, level_counts

bp = Blueprint("risks", __name__, url_prefix=PREFIX)

Page = str | tuple[str, int] | Response
Item = Programme | Workstream | Project


@bp.app_template_global("risks_for")
def risks_for(item: Item) -> list[Risk]:
    """Return the risks an item page shows (one statement): see tracker.risks.queries.risks_for."""
    return queries.risks_for(item)


@bp.app_template_global("may_add_risk")
def may_add_risk(item: Item) -> bool:
    """May the signed-in user add a risk to this programme, workstream or project?"""
    if isinstance(item, Programme):
        return can_edit_risks_of(current_user, item.id)
    return can_edit_risks_of(current_user, item.programme_id, *_placed(item))


@bp.app_template_global("may_edit_risk")
def may_edit_risk(risk: Risk) -> bool:
    return can_edit_risk(current_user, risk)


@bp.app_template_global("risk_item_page")
def risk_item_page(risk: Risk) -> str:
    """Return the page of the item a risk belongs to (the register for a programme-level risk)."""
    if risk.project is not None:
        return url_for("programme.project", ref=risk.project.slug)
    if risk.workstream is not None:
        return url_for("programme.workstream", ref=risk.workstream.slug)
    return url_for("risks.register")


def _placed(item: Workstream | Project) -> tuple[Workstream | None, Project | None]:
    return (None, item) if isinstance(item, Project) else (item, None)


@bp.get("/risks")
def register() -> str:
    """Show the programme's risks at every level, filtered, with a heat map and its table."""
    programme = current_programme()
    form = RiskFilterForm(formdata=request.args)
    filters, invalid = form.to_filters() if request.args else (queries.RiskFilters(), False)
    risks = queries.risks_of(programme, filters)
    shown = STATE_CHOICES[filters.state].lower()
    return render_template(
        "risks/register.html",
        title="Risk register",
        programme=programme,
        form=form,
        invalid=invalid,
        filters=filters,
        risks=risks,
        levels=level_counts(risks),
        heat=heat_counts(risks),
        chart=heat_map(heat_counts(risks), f"Heat map of the {shown} listed, by likelihood and impact"),
        may_add=may_add_risk(programme),
    )


def _placement(programme: Programme) -> tuple[Workstream | None, Project | None]:
    """Return the workstream or project the address names (?workstream=A or ?project=A1), or neither."""
    project_ref, workstream_ref = request.args.get("project"), request.args.get("workstream")
    if project_ref and workstream_ref:
        raise NotFound("A risk belongs to one workstream or one project: name only one.")
    if project_ref:
        return None, programme_queries.project_by_ref(programme, project_ref)
    if workstream_ref:
        return programme_queries.workstream_by_ref(programme, workstream_ref), None
    return None, None


@bp.route("/risks/new", methods=["GET", "POST"])
def new_risk() -> Page:
    """Add a risk to the programme, or to the workstream or project the address names."""
    programme = current_programme()
    workstream, project = _placement(programme)
    require_risk_adder(current_user, programme.id, workstream, project)
    form = RiskForm()
    form.offer_owners(people_by_name())
    if not form.validate_on_submit():
        return _form_page(form, None, project or workstream)
    outcome = attempt(lambda: services.add_risk(current_user, programme, form.to_details(), workstream, project), form)
    if not outcome.ok or outcome.result is None:
        return _form_page(form, None, project or workstream, outcome)
    db.session.commit()
    flash(f"Risk {outcome.result.ref} added.", "success")
    return redirect(risk_item_page(outcome.result))


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
def edit_risk(risk_id: int) -> Page:
    """Change a risk's description, mitigation, owner, scores and review date."""
    risk = queries.risk_by_id(current_programme(), risk_id)
    require_risk_editor(current_user, risk)
    form = RiskForm() if request.method == "POST" else RiskForm.showing(risk)
    form.offer_owners(people_by_name())
    if not form.validate_on_submit():
        return _form_page(form, risk, risk.project or risk.workstream)
    outcome = attempt(lambda: services.edit_risk(risk, current_user, form.to_details(), form.seen_version), form)
    if not outcome.ok:
        risk = queries.risk_by_id(current_programme(), risk_id)  # re-read after the rollback
        if outcome.conflict is not None:
            form.show_version(risk.version)  # saving again applies what the user typed on top
        return _form_page(form, risk, risk.project or risk.workstream, outcome)
    db.session.commit()
    flash(f"Risk {risk.ref} saved." if outcome.result else f"Nothing changed on risk {risk.ref}.", "success")
    return redirect(risk_item_page(risk))


def _form_page(
    form: RiskForm, risk: Risk | None, item: Workstream | Project | None, outcome: Outcome[Any] | None = None
) -> tuple[str, int]:
    is_conflict = outcome is not None and outcome.conflict is not None
    html = render_template(
        "risks/risk_form.html",
        title=(f"Change risk {risk.ref}" if risk else "Add a risk") if not is_conflict else "Someone else changed it",
        form=form,
        risk=risk,
        item=item,
        state_form=RiskStateForm(data={"version": str(risk.version)}) if risk else None,
        conflict=latest_save(risk) if is_conflict and risk else None,
        is_conflict=is_conflict,
        action_url=url_for("risks.new_risk", **_placement_args()) if risk is None else request.path,
    )
    return html, 409 if is_conflict else 200


def _placement_args() -> dict[str, Any]:
    return {name: request.args[name] for name in ("project", "workstream") if request.args.get(name)}


@bp.post("/risks/<int:risk_id>/close")
def close_risk(risk_id: int) -> Response:
    """Close a risk: it stays in the register, shown as closed."""
    return _change_state(risk_id, services.close_risk, "closed")


@bp.post("/risks/<int:risk_id>/reopen")
def reopen_risk(risk_id: int) -> Response:
    """Reopen a closed risk."""
    return _change_state(risk_id, services.reopen_risk, "reopened")


def _change_state(risk_id: int, change: Callable[..., list[Any]], done: str) -> Response:
    risk = queries.risk_by_id(current_programme(), risk_id)
    require_risk_editor(current_user, risk)
    form = RiskStateForm()
    outcome = attempt(lambda: change(risk, current_user, form.seen_version))
    if outcome.conflict is not None:
        flash(f"Someone changed risk R{risk_id} after you opened it: check it and try again.", "error")
    elif outcome.refused is not None:
        flash(first_message(outcome.refused), "error")
    else:
        db.session.commit()
        flash(f"Risk R{risk_id} {done}.", "success")
    return redirect(url_for("risks.edit_risk", risk_id=risk_id) if not outcome.ok else risk_item_page(risk))

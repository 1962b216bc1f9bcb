"""Progress updates by leads: "My actions" and the action and project update forms.

Each view loads, authorises, validates and calls a service; the service holds the rules.
A save against a newer version is answered 409 with the other person's values beside the
user's own, nothing overwritten, and the form pre-filled to apply them again.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.programme.permissions import can_edit_action, can_edit_project
from tracker.extensions import db
from tracker.history.services import latest_save, timeline
from tracker.programme import update_queries
from tracker.programme import queries, services
from tracker.programme.update_forms import ActionUpdateForm, ProjectUpdateForm
from tracker.core.clock import today

bp = Blueprint("updates", __name__)


@bp.app_context_processor
def _history_helpers() -> dict:
    """Let item pages show their timeline and, to those who may edit, an Update button."""
    return {
        "change_timeline": timeline,
        "may_update_action": lambda action: can_edit_action(current_user, action),
        "may_update_project": lambda project: can_edit_project(current_user, project),
    }


@bp.get("/my-actions")
def my_actions():
    programme = queries.current_programme()
    day = today()
    next_board = programme.next_board_date(day)
    mine = update_queries.my_items(current_user, day, next_board)
    return render_template("programme/my_actions.html", title="My actions", programme=programme, mine=mine,
                           today=day, next_board=next_board)


def _live_or_404(item, kind: str):
    if item.archived_at is not None:
        abort(404, description=f"{kind} {item.ref} has been archived, so it can no longer be updated.")
    return item


@bp.route("/actions/<ref>/update", methods=["GET", "POST"])
def update_action(ref: str):
    action = _live_or_404(queries.action_by_ref(update_queries.plausible_ref(ref, "action")), "Action")
    if not can_edit_action(current_user, action):
        abort(403, description=f"Only the lead of action {action.ref}, the lead of its project or the programme "
                               "office can update it.")
    day = today()
    if request.method == "GET":
        form = ActionUpdateForm(data={
            "status": action.status.value, "progress_note": action.progress_note, "deadline": action.deadline,
            "completed_on": action.completed_on, "version": str(action.version)})
        return _action_form_page(action, form, day)
    form = ActionUpdateForm()
    if not form.validate():
        return _action_form_page(action, form, day)
    try:
        records = services.update_action(action, current_user, form.to_update(), form.seen_version, day)
    except services.NotAllowed:
        abort(403)
    except services.InvalidChange as refusal:
        db.session.rollback()
        action = queries.action_by_ref(ref)
        form.add_errors(refusal.errors)
        return _action_form_page(action, form, day)
    except services.VersionConflict:
        db.session.rollback()
        action = queries.action_by_ref(ref)
        form.show_version(action.version)
        return _action_form_page(action, form, day, conflict=latest_save(action), status_code=409)
    db.session.commit()
    flash(f"Action {action.ref} updated." if records else f"Nothing changed on action {action.ref}.", "success")
    return redirect(url_for("programme.action", ref=action.ref))


def _action_form_page(action, form, day, conflict=None, status_code=200):
    programme = queries.current_programme()
    return render_template("programme/update_action.html", title=f"Update action {action.ref}", action=action,
                           form=form, today=day, next_board=programme.next_board_date(day), conflict=conflict,
                           is_conflict=status_code == 409), status_code


@bp.route("/projects/<ref>/update", methods=["GET", "POST"])
def update_project(ref: str):
    project = _live_or_404(update_queries.project_for_update(ref), "Project")
    if not can_edit_project(current_user, project):
        abort(403, description=f"Only the lead of project {project.ref} or the programme office can update it.")
    day = today()
    if request.method == "GET":
        form = ProjectUpdateForm(data={"status": project.status.value, "progress": project.progress,
                                       "next_steps": project.next_steps, "version": str(project.version)})
        return _project_form_page(project, form)
    form = ProjectUpdateForm()
    if not form.validate():
        return _project_form_page(project, form)
    try:
        records = services.update_project(project, current_user, form.to_update(), form.seen_version, day)
    except services.NotAllowed:
        abort(403)
    except services.InvalidChange as refusal:
        db.session.rollback()
        project = update_queries.project_for_update(ref)
        form.add_errors(refusal.errors)
        return _project_form_page(project, form)
    except services.VersionConflict:
        db.session.rollback()
        project = update_queries.project_for_update(ref)
        form.show_version(project.version)
        return _project_form_page(project, form, conflict=latest_save(project), status_code=409)
    db.session.commit()
    flash(f"Project {project.ref} updated." if records else f"Nothing changed on project {project.ref}.", "success")
    return redirect(url_for("programme.project", ref=project.ref))


def _project_form_page(project, form, conflict=None, status_code=200):
    return render_template("programme/update_project.html", title=f"Update project {project.ref}", project=project,
                           form=form, conflict=conflict, is_conflict=status_code == 409), status_code


"""Progress updates by leads: "My actions" and the action and project update forms.

Each view loads, authorises, validates and calls a service; the service holds the rules.
A save against a newer version is answered 409 with the other person's values beside the
user's own, nothing overwritten, and the form pre-filled to apply them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.core.clock import today
from tracker.core.web import Outcome, attempt
from tracker.extensions import db
from tracker.history.services import latest_save, timeline
from tracker.programme import queries, updates
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.models import Action, Project
from tracker.programme.permissions import (
    can_edit_action,
    can_edit_project,
    require_action_editor,
    require_project_editor,
)
from tracker.programme.queries_my_actions import my_items
from tracker.programme.update_forms import ActionUpdateForm, ProjectUpdateForm

bp = Blueprint("updates", __name__, url_prefix=PREFIX)


@bp.app_context_processor
def _history_helpers() -> dict[str, Any]:
    """Let item pages show their timeline and, to those who may edit, an Update button."""
    return {
        "change_timeline": timeline,
        "may_update_action": lambda action: can_edit_action(current_user, action),
        "may_update_project": lambda project: can_edit_project(current_user, project),
    }


@bp.get("/my-actions")
def my_actions() -> str:
    """Show the user's actions grouped by what needs attention, and their projects."""
    programme = current_programme()
    day = today()
    next_board = queries.next_board(programme, day)
    mine = my_items(current_user, programme, day, next_board)
    return render_template(
        "programme/my_actions.html",
        title="My actions",
        programme=programme,
        mine=mine,
        today=day,
        next_board=next_board,
    )


@dataclass(frozen=True)
class UpdatePage:
    """What differs between updating an action and updating a project; the steps are the same."""

    kind: str
    load: Callable[[Any, str], Any]
    authorise: Callable[[Any, Any], None]
    form: type[ActionUpdateForm] | type[ProjectUpdateForm]
    save: Callable[..., list[Any]]
    template: str
    item_page: str
    context: Callable[[Any, date], dict[str, Any]]


def _board_dates(_action: Action, day: date) -> dict[str, Any]:
    # The action form flags an overdue or Grey-but-started action, judged on today and the next board.
    return {"today": day, "next_board": queries.next_board(current_programme(), day)}


ACTION_UPDATE = UpdatePage(
    "action",
    queries.action_for_update,
    require_action_editor,
    ActionUpdateForm,
    updates.update_action,
    "programme/update_action.html",
    "programme.action",
    _board_dates,
)
PROJECT_UPDATE = UpdatePage(
    "project",
    queries.project_for_update,
    require_project_editor,
    ProjectUpdateForm,
    updates.update_project,
    "programme/update_project.html",
    "programme.project",
    lambda _project, _day: {},
)


@bp.route("/actions/<ref>/update", methods=["GET", "POST"])
def update_action(ref: str) -> Response | tuple[str, int]:
    """Update an action's status, deadline and progress note."""
    return _update(ACTION_UPDATE, ref)


@bp.route("/projects/<ref>/update", methods=["GET", "POST"])
def update_project(ref: str) -> Response | tuple[str, int]:
    """Update a project's status, progress narrative and next steps."""
    return _update(PROJECT_UPDATE, ref)


def _update(page: UpdatePage, ref: str) -> Response | tuple[str, int]:
    """Load, authorise, validate, save; on a refusal show the form again with what the user typed."""
    programme = current_programme()
    item = page.load(programme, ref)
    page.authorise(current_user, item)
    day = today()
    if request.method == "GET":
        return _form_page(page, item, page.form.showing(item), day)
    form = page.form()
    if not form.validate():
        return _form_page(page, item, form, day)
    outcome = attempt(lambda: page.save(item, current_user, form.to_update(), form.seen_version, day), form)
    if not outcome.ok:
        item = page.load(programme, ref)  # re-read after the rollback
        if outcome.conflict is not None:
            form.show_version(item.version)  # saving again applies what the user typed on top
        return _form_page(page, item, form, day, outcome)
    db.session.commit()
    flash(
        f"{page.kind.capitalize()} {item.ref} updated."
        if outcome.result
        else f"Nothing changed on {page.kind} {item.ref}.",
        "success",
    )
    return redirect(url_for(page.item_page, ref=item.slug))


def _form_page(
    page: UpdatePage,
    item: Action | Project,
    form: ActionUpdateForm | ProjectUpdateForm,
    day: date,
    outcome: Outcome[Any] | None = None,
) -> tuple[str, int]:
    is_conflict = outcome is not None and outcome.conflict is not None
    html = render_template(
        page.template,
        title=f"Update {page.kind} {item.ref}",
        form=form,
        conflict=latest_save(item) if is_conflict else None,
        is_conflict=is_conflict,
        **{page.kind: item},
        **page.context(item, day),
    )
    return html, 409 if is_conflict else 200

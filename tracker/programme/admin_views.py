"""Programme structure for the programme office: create, edit, reorder, archive and delete.

Only the programme's office (its admins: can_manage_programme) reaches these pages. The three kinds
of item share one set of steps (``_new``, ``_edit``, ``_button``); what differs between them is
described once per kind in an ``ItemKind``. Each view loads, authorises, validates and calls a service in
tracker.programme.structure; the service writes history and the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.core.errors import InvalidChange
from tracker.core.refs import ref_slug
from tracker.core.web import Outcome, attempt, first_message
from tracker.extensions import db
from tracker.history.services import has_history
from tracker.people.models import Person
from tracker.programme import queries, queries_structure, structure
from tracker.programme.context import PREFIX, current_programme
from tracker.programme.models import Action, Project, Workstream
from tracker.programme.permissions import require_programme_office
from tracker.programme.update_forms import ActionForm, ConfirmForm, ProjectForm, WorkstreamForm

bp = Blueprint("structure", __name__, url_prefix=PREFIX + "/admin/structure")

Item = Workstream | Project | Action
Form = Any  # WorkstreamForm, ProjectForm or ActionForm: WTForms publishes no types
Page = str | tuple[str, int]


@bp.before_request
def _programme_office_only() -> None:
    require_programme_office(current_user, current_programme().id)


# --- lists ----------------------------------------------------------------------------------


@bp.get("")
def index() -> str:
    """Show every workstream in board order, with its sub-workstreams."""
    top_level, children = queries_structure.workstream_tree(current_programme())
    return render_template(
        "admin/structure.html",
        title="Programme structure",
        top_level=top_level,
        children=children,
        confirm=ConfirmForm(),
    )


@bp.get("/workstreams/<ref>")
def workstream(ref: str) -> str:
    """Show a workstream's projects to arrange."""
    workstream = queries_structure.structure_item(current_programme(), Workstream, ref)
    return render_template(
        "admin/structure_workstream.html",
        title=f"Structure of workstream {workstream.ref}",
        workstream=workstream,
        projects=queries_structure.projects_of(workstream),
        confirm=ConfirmForm(),
    )


@bp.get("/projects/<ref>")
def project(ref: str) -> str:
    """Show a project's actions to arrange."""
    project = queries_structure.project_with_workstream(current_programme(), ref)
    return render_template(
        "admin/structure_project.html",
        title=f"Structure of project {project.ref}",
        project=project,
        actions=queries_structure.actions_of(project),
        confirm=ConfirmForm(),
    )


# --- what the forms offer, and the details read from them -------------------------------------


def _offer(field: Any, items: Sequence[Any], none_label: str, label: Callable[[Any], str]) -> dict[str, Any]:
    """Offer the items as the field's choices; return them by the value the browser sends back."""
    field.choices = [SelectChoice("", none_label)] + [SelectChoice(str(item.id), label(item)) for item in items]
    return {str(item.id): item for item in items}


def _ref_and_title(item: Workstream | Project) -> str:
    return f"{item.ref}: {item.title[:80]}" if isinstance(item, Project) else f"{item.ref}: {item.title}"


def _chosen(form_field: Any, options: dict[str, Any], message: str) -> Any:
    """Return the chosen option, or record a message on the field for a value not offered."""
    value = (form_field.data or "").strip()
    if not value:
        return None
    if value not in options:
        form_field.errors = [*form_field.errors, message]
        return None
    return options[value]


def _lead_from(form: Form, people: dict[str, Person]) -> Person | None:
    new_name = " ".join((form.new_lead.data or "").split())
    if new_name:
        return structure.find_or_create_person(new_name)
    return _chosen(form.lead_id, people, "Choose a lead from the list, or add a new lead")


# Each offer_* sets the form's choices and returns (the options of the parent field, a reader of the details).
Offer = tuple[dict[str, Any], Callable[[], Any]]


def _named(form: Form) -> dict[str, str]:
    return {"ref": (form.ref.data or "").strip(), "title": form.title.data or ""}


def _offer_workstream(form: Form, current: Workstream | None) -> Offer:
    parents = _offer(
        form.parent_id,
        queries_structure.possible_parents(current_programme(), current),
        "Nothing: a top-level workstream",
        _ref_and_title,
    )
    return parents, lambda: structure.WorkstreamDetails(
        programme=current_programme(),
        **_named(form),
        description=form.description.data or "",
        parent=_chosen(form.parent_id, parents, "Choose a top-level workstream from the list"),
        reported_separately_by=form.reported_separately_by.data or "",
    )


def _offer_led(form: Form, parent_field: Any, parents: Sequence[Any], none_label: str) -> tuple[dict[str, Any], Any]:
    """Offer the parents and the people who may lead; return the parents and a reader of the lead."""
    people = _offer(form.lead_id, queries_structure.people(), "No lead", lambda person: person.name)
    return _offer(parent_field, parents, none_label, _ref_and_title), lambda: _lead_from(form, people)


def _offer_project(form: Form, _current: Project | None) -> Offer:
    workstreams, lead = _offer_led(
        form, form.workstream_id, queries.live_workstreams(current_programme()), "Choose a workstream"
    )
    return workstreams, lambda: structure.ProjectDetails(
        **_named(form),
        workstream=_chosen(form.workstream_id, workstreams, "Choose a workstream from the list"),
        lead=lead(),
        target_date=form.target_date.data,
        deliverables=form.deliverables.data or "",
        impact=form.impact.data or "",
    )


def _offer_action(form: Form, _current: Action | None) -> Offer:
    projects, lead = _offer_led(
        form, form.project_id, queries_structure.live_projects(current_programme()), "Choose a project"
    )
    return projects, lambda: structure.ActionDetails(
        **_named(form),
        project=_chosen(form.project_id, projects, "Choose a project from the list"),
        lead=lead(),
        start_date=form.start_date.data,
        deadline=form.deadline.data,
    )


@dataclass(frozen=True)
class ItemKind:
    """What differs between workstreams, projects and actions on the structure pages."""

    name: str
    model: type[Item]
    form: type[WorkstreamForm] | type[ProjectForm] | type[ActionForm]
    offer: Callable[[Form, Any], Offer]
    values: Callable[[Any], dict[str, Any]]  # the form as the item stands
    create: Callable[[Any, Any], Item]
    edit: Callable[[Any, Any, Any, int | None], list[Any]]
    parent_arg: str = ""  # "add an item to ...": the query argument naming the parent to preselect


WORKSTREAMS = ItemKind(
    "workstream",
    Workstream,
    WorkstreamForm,
    _offer_workstream,
    lambda ws: {
        "ref": ws.ref,
        "title": ws.title,
        "description": ws.description,
        "parent_id": str(ws.parent_id or ""),
        "reported_separately_by": ws.reported_separately_by or "",
    },
    structure.create_workstream,
    # Workstreams carry no version: only the programme office edits them.
    lambda ws, user, details, _version: structure.update_workstream(ws, user, details),
)
PROJECTS = ItemKind(
    "project",
    Project,
    ProjectForm,
    _offer_project,
    lambda p: {
        "ref": p.ref,
        "title": p.title,
        "workstream_id": str(p.workstream_id),
        "lead_id": str(p.lead_id or ""),
        "target_date": p.target_date,
        "deliverables": p.deliverables,
        "impact": p.impact,
        "version": str(p.version),
    },
    structure.create_project,
    structure.update_project_details,
    parent_arg="workstream",
)
ACTIONS = ItemKind(
    "action",
    Action,
    ActionForm,
    _offer_action,
    lambda a: {
        "ref": a.ref,
        "title": a.title,
        "project_id": str(a.project_id),
        "lead_id": str(a.lead_id or ""),
        "start_date": a.start_date,
        "deadline": a.deadline,
        "version": str(a.version),
    },
    structure.create_action,
    structure.update_action_details,
    parent_arg="project",
)
KINDS = {"workstreams": WORKSTREAMS, "projects": PROJECTS, "actions": ACTIONS}


# --- create and edit ---------------------------------------------------------------------------


@bp.route("/workstreams/new", methods=["GET", "POST"])
def new_workstream() -> Response | Page:
    """Add a workstream."""
    return _new(WORKSTREAMS)


@bp.route("/projects/new", methods=["GET", "POST"])
def new_project() -> Response | Page:
    """Add a project."""
    return _new(PROJECTS)


@bp.route("/actions/new", methods=["GET", "POST"])
def new_action() -> Response | Page:
    """Add an action."""
    return _new(ACTIONS)


@bp.route("/workstreams/<ref>/edit", methods=["GET", "POST"])
def edit_workstream(ref: str) -> Response | Page:
    """Change a workstream's details."""
    return _edit(WORKSTREAMS, ref)


@bp.route("/projects/<ref>/edit", methods=["GET", "POST"])
def edit_project(ref: str) -> Response | Page:
    """Change a project's details."""
    return _edit(PROJECTS, ref)


@bp.route("/actions/<ref>/edit", methods=["GET", "POST"])
def edit_action(ref: str) -> Response | Page:
    """Change an action's details."""
    return _edit(ACTIONS, ref)


def _new(kind: ItemKind) -> Response | Page:
    """Add an item; a GET may name the parent to preselect (?workstream=A on a new project)."""
    form = kind.form()
    parents, read = kind.offer(form, None)
    parent = request.args.get(kind.parent_arg, "") if kind.parent_arg else ""
    if request.method == "GET" and parent:
        getattr(form, f"{kind.parent_arg}_id").data = next(
            (key for key, p in parents.items() if p.slug == ref_slug(parent)), ""
        )
    if request.method == "POST" and form.validate():
        outcome = _attempt(form, read, lambda details: kind.create(current_user, details))
        if outcome.ok and outcome.result is not None:
            item = outcome.result
            db.session.commit()
            flash(f"{type(item).__name__} {item.ref} created.", "success")
            return redirect(_parent_page(item))
        db.session.rollback()  # a lead added on the way is not kept either
    return _form_page(kind, form, None)


def _edit(kind: ItemKind, ref: str) -> Response | Page:
    """Change an item's details; an edit against an older version gets 409 with the user's values kept."""
    item = queries_structure.any_structure_item(current_programme(), kind.model, ref)
    form = kind.form(data=kind.values(item)) if request.method == "GET" else kind.form()
    _parents, read = kind.offer(form, item)
    outcome = None
    if request.method == "POST" and form.validate():
        seen_version = getattr(form, "seen_version", None)
        outcome = _attempt(form, read, lambda details: kind.edit(item, current_user, details, seen_version))
        if outcome.ok:
            db.session.commit()
            flash(f"{type(item).__name__} {item.ref} saved." if outcome.result else "Nothing changed.", "success")
            return redirect(_parent_page(item))
        db.session.rollback()
        item = queries_structure.any_structure_item(current_programme(), kind.model, ref)  # as it stands now
        if outcome.conflict is not None and not isinstance(item, Workstream):  # only versioned items conflict
            _explain_conflict(form, item)
    return _form_page(kind, form, item, outcome)


def _attempt(form: Form, read: Callable[[], Any], call: Callable[[Any], Any]) -> Outcome[Any]:
    """Read the details (a choice not offered is said on its field), then call the service."""
    details = read()
    if form.errors:
        return Outcome(refused=InvalidChange({}))
    return attempt(lambda: call(details), form)


def _explain_conflict(form: Form, fresh: Project | Action) -> None:
    """Keep what the admin typed, carry the newer version and say what happened."""
    form.show_version(fresh.version)
    form.form_errors.append(
        f"Someone else changed {type(fresh).__name__.lower()} {fresh.ref} after you opened this page; see its "
        "history. Nothing you typed has been saved. Check the values below and save again to apply them."
    )


def _form_page(kind: ItemKind, form: Form, item: Item | None, outcome: Outcome[Any] | None = None) -> Page:
    status_code = outcome.status_code if outcome is not None else 200
    extra = {} if item is None else {"deletable": not has_history(item), "confirm": ConfirmForm()}
    return render_template("admin/structure_form.html", form=form, kind=kind.name, item=item, **extra), status_code


# --- move, archive, delete (POST only) ---------------------------------------------------------


def _parent_page(item: Item) -> str:
    if isinstance(item, Action):
        return url_for("structure.project", ref=item.project.slug)
    if isinstance(item, Project):
        return url_for("structure.workstream", ref=item.workstream.slug)
    return url_for("structure.index")


def _button(kind: str, ref: str, change: Callable[[Item], str | None], anchor: bool = False) -> Response:
    """Confirm a button's POST, make the change, say what happened and go back to the parent's page."""
    if kind not in KINDS:
        abort(404)
    item = queries_structure.any_structure_item(current_programme(), KINDS[kind].model, ref)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = _parent_page(item)
    outcome = attempt(lambda: change(item))
    if not outcome.ok:
        flash(first_message(outcome.refused), "error")
        return redirect(back)
    db.session.commit()
    if outcome.result:
        flash(outcome.result, "success")
    return redirect(back + (f"#item-{item.slug}" if anchor else ""))


@bp.post("/<kind>/<ref>/move")
def move(kind: str, ref: str) -> Response:
    """Move an item one place up or down among its siblings."""
    direction = request.form.get("direction", "")

    def reorder(item: Item) -> str | None:
        return f"{item.ref} moved {direction}." if structure.reorder_item(item, current_user, direction) else None

    return _button(kind, ref, reorder, anchor=True)


@bp.post("/<kind>/<ref>/archive")
def archive(kind: str, ref: str) -> Response:
    """Archive an item (a project with its actions); its history is kept."""

    def archive_it(item: Item) -> str:
        structure.archive_item(item, current_user)
        return f"{type(item).__name__} {item.ref} archived. Its history is kept."

    return _button(kind, ref, archive_it)


@bp.post("/<kind>/<ref>/delete")
def delete(kind: str, ref: str) -> Response:
    """Delete an item created by mistake."""

    def delete_it(item: Item) -> str:
        label = f"{type(item).__name__} {item.ref}"  # read before the row goes
        structure.delete_item(item, current_user)
        return f"{label} deleted."

    return _button(kind, ref, delete_it)

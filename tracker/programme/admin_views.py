"""Programme structure for the programme office: create, edit, reorder, archive and delete.

Only admins (can_manage_programme) reach these pages. Each view loads, authorises, validates
and calls a service in tracker.programme.services; the service writes history and the audit log.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from tracker.auth.permissions import can_manage_programme
from tracker.extensions import db
from tracker.history.services import has_history
from tracker.programme import services
from tracker.people.models import Person
from tracker.programme.models import Action, Project, Workstream
from tracker.programme.update_queries import plausible_ref
from tracker.programme.update_forms import ActionForm, ConfirmForm, ProjectForm, WorkstreamForm

bp = Blueprint("structure", __name__, url_prefix="/admin/structure")

KINDS = {"workstreams": Workstream, "projects": Project, "actions": Action}


@bp.before_request
def _programme_office_only():
    if not can_manage_programme(current_user):
        abort(403, description="Only the programme office can change the programme's structure.")


def _sorted(model):
    return (model.archived_at.is_not(None), model.position, model.ref_sort)


def _item_or_404(kind: str, ref: str):
    model = KINDS.get(kind)
    if model is None:
        abort(404)
    plausible_ref(ref, kind[:-1])
    item = db.session.scalars(select(model).where(model.ref == ref)).first()
    if item is None:
        abort(404, description=f"There is no {kind[:-1]} {ref}.")
    return item


# --- lists ----------------------------------------------------------------------------------

@bp.get("")
def index():
    workstreams = db.session.scalars(select(Workstream).order_by(*_sorted(Workstream))).all()
    top_level = [ws for ws in workstreams if ws.parent_id is None]
    children = {ws.id: [c for c in workstreams if c.parent_id == ws.id] for ws in top_level}
    return render_template("admin/structure.html", title="Programme structure", top_level=top_level,
                           children=children, confirm=ConfirmForm())


@bp.get("/workstreams/<ref>")
def workstream(ref: str):
    workstream = db.session.scalars(select(Workstream).where(Workstream.ref == plausible_ref(ref, "workstream"))).first() or abort(404)
    projects = db.session.scalars(
        select(Project).where(Project.workstream_id == workstream.id).options(joinedload(Project.lead))
        .order_by(*_sorted(Project))).all()
    return render_template("admin/structure_workstream.html", title=f"Structure of workstream {workstream.ref}",
                           workstream=workstream, projects=projects, confirm=ConfirmForm())


@bp.get("/projects/<ref>")
def project(ref: str):
    project = db.session.scalars(
        select(Project).where(Project.ref == plausible_ref(ref, "project"))
        .options(joinedload(Project.workstream), joinedload(Project.lead))
    ).first() or abort(404)
    actions = db.session.scalars(
        select(Action).where(Action.project_id == project.id).options(joinedload(Action.lead))
        .order_by(*_sorted(Action))).all()
    return render_template("admin/structure_project.html", title=f"Structure of project {project.ref}",
                           project=project, actions=actions, confirm=ConfirmForm())


# --- choices and form -> details --------------------------------------------------------------

def _people_choices(form) -> dict[str, Person]:
    people = db.session.scalars(select(Person).order_by(Person.name)).all()
    form.lead_id.choices = [SelectChoice("", "No lead")] + [SelectChoice(str(p.id), p.name) for p in people]
    return {str(p.id): p for p in people}


def _chosen(form_field, options: dict, message: str):
    """Return the chosen option, or record a message on the field for a value not offered."""
    value = (form_field.data or "").strip()
    if not value:
        return None
    if value not in options:
        form_field.errors = [*form_field.errors, message]
        return None
    return options[value]


def _lead_from(form, people: dict[str, Person]) -> Person | None:
    new_name = " ".join((form.new_lead.data or "").split())
    if new_name:
        return services.find_or_create_person(new_name)
    return _chosen(form.lead_id, people, "Choose a lead from the list, or add a new lead")


def _workstream_choices(form, current: Workstream | None = None) -> dict[str, Workstream]:
    candidates = db.session.scalars(
        select(Workstream).where(Workstream.parent_id.is_(None), Workstream.archived_at.is_(None))
        .order_by(Workstream.position, Workstream.ref_sort)).all()
    candidates = [ws for ws in candidates if current is None or ws.id != current.id]
    form.parent_id.choices = [SelectChoice("", "Nothing: a top-level workstream")] + [
        SelectChoice(str(ws.id), f"{ws.ref}: {ws.title}") for ws in candidates]
    return {str(ws.id): ws for ws in candidates}


def _project_workstream_choices(form) -> dict[str, Workstream]:
    workstreams = db.session.scalars(
        select(Workstream).where(Workstream.archived_at.is_(None)).order_by(Workstream.ref_sort)).all()
    form.workstream_id.choices = [SelectChoice("", "Choose a workstream")] + [
        SelectChoice(str(ws.id), f"{ws.ref}: {ws.title}") for ws in workstreams]
    return {str(ws.id): ws for ws in workstreams}


def _project_choices(form) -> dict[str, Project]:
    projects = db.session.scalars(
        select(Project).where(Project.archived_at.is_(None)).order_by(Project.ref_sort)).all()
    form.project_id.choices = [SelectChoice("", "Choose a project")] + [
        SelectChoice(str(p.id), f"{p.ref}: {p.title[:80]}") for p in projects]
    return {str(p.id): p for p in projects}


def _render_form(template: str, form, status: int = 200, **context):
    return render_template(template, form=form, **context), status


def _refused(form, refusal: services.InvalidChange) -> None:
    db.session.rollback()
    form.add_errors(refusal.errors) if hasattr(form, "add_errors") else _add_errors(form, refusal.errors)


def _add_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def _conflict(form, item) -> None:
    """Keep what the admin typed, carry the newer version and say what happened."""
    db.session.rollback()
    fresh = db.session.get(type(item), item.id)
    form.show_version(fresh.version)
    form.form_errors.append(
        f"Someone else changed {type(item).__name__.lower()} {fresh.ref} after you opened this page; see its "
        "history. Nothing you typed has been saved. Check the values below and save again to apply them.")


# --- workstreams ------------------------------------------------------------------------------

def _workstream_details(form, parents) -> services.WorkstreamDetails:
    return services.WorkstreamDetails(
        ref=(form.ref.data or "").strip(), title=form.title.data or "", description=form.description.data or "",
        parent=_chosen(form.parent_id, parents, "Choose a top-level workstream from the list"),
        reported_separately_by=form.reported_separately_by.data or "")


@bp.route("/workstreams/new", methods=["GET", "POST"])
def new_workstream():
    form = WorkstreamForm()
    parents = _workstream_choices(form)
    if request.method == "POST" and form.validate():
        details = _workstream_details(form, parents)
        if not form.errors:
            try:
                workstream = services.create_workstream(current_user, details)
            except services.InvalidChange as refusal:
                _refused(form, refusal)
            else:
                db.session.commit()
                flash(f"Workstream {workstream.ref} created.", "success")
                return redirect(url_for("structure.index"))
    return _render_form("admin/structure_form.html", form, kind="workstream", item=None)


@bp.route("/workstreams/<ref>/edit", methods=["GET", "POST"])
def edit_workstream(ref: str):
    workstream = _item_or_404("workstreams", ref)
    if request.method == "GET":
        form = WorkstreamForm(data={"ref": workstream.ref, "title": workstream.title,
                                    "description": workstream.description,
                                    "parent_id": str(workstream.parent_id or ""),
                                    "reported_separately_by": workstream.reported_separately_by or ""})
    else:
        form = WorkstreamForm()
    parents = _workstream_choices(form, workstream)
    if request.method == "POST" and form.validate():
        details = _workstream_details(form, parents)
        if not form.errors:
            try:
                records = services.update_workstream(workstream, current_user, details)
            except services.InvalidChange as refusal:
                _refused(form, refusal)
                workstream = _item_or_404("workstreams", ref)
            else:
                db.session.commit()
                flash(f"Workstream {workstream.ref} saved." if records else "Nothing changed.", "success")
                return redirect(url_for("structure.index"))
    return _render_form("admin/structure_form.html", form, kind="workstream", item=workstream,
                        deletable=not has_history(workstream), confirm=ConfirmForm())


# --- projects ---------------------------------------------------------------------------------

def _project_details(form, workstreams, people) -> services.ProjectDetails:
    return services.ProjectDetails(
        ref=(form.ref.data or "").strip(), title=form.title.data or "",
        workstream=_chosen(form.workstream_id, workstreams, "Choose a workstream from the list"),
        lead=_lead_from(form, people), target_date=form.target_date.data,
        deliverables=form.deliverables.data or "", impact=form.impact.data or "")


@bp.route("/projects/new", methods=["GET", "POST"])
def new_project():
    parent = request.args.get("workstream", "")
    form = ProjectForm()
    workstreams = _project_workstream_choices(form)
    people = _people_choices(form)
    if request.method == "GET" and parent:
        form.workstream_id.data = next((key for key, ws in workstreams.items() if ws.ref == parent), "")
    if request.method == "POST" and form.validate():
        details = _project_details(form, workstreams, people)
        if not form.errors:
            try:
                project = services.create_project(current_user, details)
            except services.InvalidChange as refusal:
                _refused(form, refusal)
            else:
                db.session.commit()
                flash(f"Project {project.ref} created.", "success")
                return redirect(url_for("structure.workstream", ref=project.workstream.ref))
        db.session.rollback()
    return _render_form("admin/structure_form.html", form, kind="project", item=None)


@bp.route("/projects/<ref>/edit", methods=["GET", "POST"])
def edit_project(ref: str):
    project = _item_or_404("projects", ref)
    status = 200
    if request.method == "GET":
        form = ProjectForm(data={
            "ref": project.ref, "title": project.title, "workstream_id": str(project.workstream_id),
            "lead_id": str(project.lead_id or ""), "target_date": project.target_date,
            "deliverables": project.deliverables, "impact": project.impact, "version": str(project.version)})
    else:
        form = ProjectForm()
    workstreams = _project_workstream_choices(form)
    people = _people_choices(form)
    if request.method == "POST" and form.validate():
        details = _project_details(form, workstreams, people)
        if not form.errors:
            try:
                records = services.update_project_details(project, current_user, details, form.seen_version)
            except services.InvalidChange as refusal:
                _refused(form, refusal)
            except services.VersionConflict:
                _conflict(form, project)
                status = 409
            else:
                db.session.commit()
                flash(f"Project {project.ref} saved." if records else "Nothing changed.", "success")
                return redirect(url_for("structure.workstream", ref=project.workstream.ref))
        if status == 200:
            db.session.rollback()
        project = _item_or_404("projects", ref)
    return _render_form("admin/structure_form.html", form, status, kind="project", item=project,
                        deletable=not has_history(project), confirm=ConfirmForm())


# --- actions ----------------------------------------------------------------------------------

def _action_details(form, projects, people) -> services.ActionDetails:
    return services.ActionDetails(
        ref=(form.ref.data or "").strip(), title=form.title.data or "",
        project=_chosen(form.project_id, projects, "Choose a project from the list"),
        lead=_lead_from(form, people), start_date=form.start_date.data, deadline=form.deadline.data)


@bp.route("/actions/new", methods=["GET", "POST"])
def new_action():
    parent = request.args.get("project", "")
    form = ActionForm()
    projects = _project_choices(form)
    people = _people_choices(form)
    if request.method == "GET" and parent:
        form.project_id.data = next((key for key, p in projects.items() if p.ref == parent), "")
    if request.method == "POST" and form.validate():
        details = _action_details(form, projects, people)
        if not form.errors:
            try:
                action = services.create_action(current_user, details)
            except services.InvalidChange as refusal:
                _refused(form, refusal)
            else:
                db.session.commit()
                flash(f"Action {action.ref} created.", "success")
                return redirect(url_for("structure.project", ref=action.project.ref))
        db.session.rollback()
    return _render_form("admin/structure_form.html", form, kind="action", item=None)


@bp.route("/actions/<ref>/edit", methods=["GET", "POST"])
def edit_action(ref: str):
    action = _item_or_404("actions", ref)
    status = 200
    if request.method == "GET":
        form = ActionForm(data={
            "ref": action.ref, "title": action.title, "project_id": str(action.project_id),
            "lead_id": str(action.lead_id or ""), "start_date": action.start_date, "deadline": action.deadline,
            "version": str(action.version)})
    else:
        form = ActionForm()
    projects = _project_choices(form)
    people = _people_choices(form)
    if request.method == "POST" and form.validate():
        details = _action_details(form, projects, people)
        if not form.errors:
            try:
                records = services.update_action_details(action, current_user, details, form.seen_version)
            except services.InvalidChange as refusal:
                _refused(form, refusal)
            except services.VersionConflict:
                _conflict(form, action)
                status = 409
            else:
                db.session.commit()
                flash(f"Action {action.ref} saved." if records else "Nothing changed.", "success")
                return redirect(url_for("structure.project", ref=action.project.ref))
        if status == 200:
            db.session.rollback()
        action = _item_or_404("actions", ref)
    return _render_form("admin/structure_form.html", form, status, kind="action", item=action,
                        deletable=not has_history(action), confirm=ConfirmForm())


# --- move, archive, delete (POST only) ---------------------------------------------------------

def _parent_page(item) -> str:
    if isinstance(item, Action):
        return url_for("structure.project", ref=item.project.ref)
    if isinstance(item, Project):
        return url_for("structure.workstream", ref=item.workstream.ref)
    return url_for("structure.index")


def _refusal_message(refusal: services.InvalidChange) -> str:
    return " ".join(refusal.errors.values())


@bp.post("/<kind>/<ref>/move")
def move(kind: str, ref: str):
    item = _item_or_404(kind, ref)
    ConfirmForm().validate_on_submit() or abort(400)
    direction = request.form.get("direction", "")
    try:
        moved = services.reorder_item(item, current_user, direction)
    except services.InvalidChange as refusal:
        db.session.rollback()
        flash(_refusal_message(refusal), "error")
        return redirect(_parent_page(item))
    db.session.commit()
    if moved:
        flash(f"{item.ref} moved {direction}.", "success")
    return redirect(_parent_page(item) + f"#item-{item.ref}")


@bp.post("/<kind>/<ref>/archive")
def archive(kind: str, ref: str):
    item = _item_or_404(kind, ref)
    ConfirmForm().validate_on_submit() or abort(400)
    archivers = {Workstream: services.archive_workstream, Project: services.archive_project,
                 Action: services.archive_action}
    try:
        archivers[type(item)](item, current_user)
    except services.InvalidChange as refusal:
        db.session.rollback()
        flash(_refusal_message(refusal), "error")
        return redirect(_parent_page(item))
    db.session.commit()
    flash(f"{type(item).__name__} {item.ref} archived. Its history is kept.", "success")
    return redirect(_parent_page(item))


@bp.post("/<kind>/<ref>/delete")
def delete(kind: str, ref: str):
    item = _item_or_404(kind, ref)
    ConfirmForm().validate_on_submit() or abort(400)
    back = _parent_page(item)
    label = f"{type(item).__name__} {item.ref}"
    try:
        services.delete_item(item, current_user)
    except services.InvalidChange as refusal:
        db.session.rollback()
        flash(_refusal_message(refusal), "error")
        return redirect(back)
    db.session.commit()
    flash(f"{label} deleted.", "success")
    return redirect(back)


"""People and settings pages for the programme office (admins only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from tracker.auth import services
from tracker.auth.access import admin_required
from tracker.auth.forms import ConfirmForm, NewUserForm, SettingsForm, UserDetailsForm
from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.people.models import Person
from tracker.programme.models import Programme, Workstream

bp = Blueprint("people", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _admins_only() -> None:
    """Every page here belongs to the programme office."""


def _acting_user() -> User:
    return current_user._get_current_object()  # noqa: SLF001 - the User, not the proxy


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _fill_choices(form: UserDetailsForm) -> tuple[dict[str, Person], dict[str, Workstream]]:
    people = {str(p.id): p for p in db.session.scalars(select(Person).order_by(Person.name))}
    workstreams = {
        str(ws.id): ws
        for ws in db.session.scalars(select(Workstream).where(Workstream.archived_at.is_(None)).order_by(Workstream.ref_sort))
    }
    form.person_id.choices = [SelectChoice("", "Not linked to a lead in the plan")] + [
        SelectChoice(key, f"{p.name} ({p.job_title})" if p.job_title and p.job_title != p.name else p.name)
        for key, p in people.items()
    ]
    form.workstream_ids.choices = [SelectChoice(key, f"{ws.ref}: {ws.title}") for key, ws in workstreams.items()]
    return people, workstreams


def _chosen(form: UserDetailsForm, people: dict[str, Person], workstreams: dict[str, Workstream]):
    person = people.get(form.person_id.data or "")
    chosen_workstreams = [workstreams[key] for key in (form.workstream_ids.data or []) if key in workstreams]
    return person, chosen_workstreams


def _show_error(form, error: services.AccountError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        flash(str(error), "error")
    else:
        field.errors = [*field.errors, str(error)]


@bp.get("/users")
def user_list():
    users = db.session.scalars(
        select(User).options(selectinload(User.person)).order_by(User.active.desc(), User.name)
    ).all()
    return render_template("admin/users.html", title="People", users=users)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    people, workstreams = _fill_choices(form)
    if request.method == "GET":
        form.role.data = Role.VIEWER.value
    if form.validate_on_submit():
        person, chosen_workstreams = _chosen(form, people, workstreams)
        try:
            user = services.create_user(form.email.data, form.name.data, Role(form.role.data), person=person,
                                        workstreams=chosen_workstreams)
            token = services.create_reset_link_token(user, _acting_user(), purpose="invitation")
        except services.AccountError as error:
            db.session.rollback()
            _fill_choices(form)
            _show_error(form, error)
        else:
            db.session.commit()
            return render_template("admin/password_link.html", title="Account created", user=user,
                                   link=url_for("auth.reset_password", token=token, _external=True), invitation=True)
    return render_template("admin/user_form.html", title="Create an account", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = UserDetailsForm(obj=None if request.method == "POST" else user)
    people, workstreams = _fill_choices(form)
    if request.method == "GET":
        form.role.data = user.role.value
        form.person_id.data = str(user.person_id) if user.person_id else ""
        form.workstream_ids.data = [str(ws.id) for ws in user.editable_workstreams]
    if form.validate_on_submit():
        person, chosen_workstreams = _chosen(form, people, workstreams)
        try:
            services.update_user(user, acting_user=_acting_user(), name=form.name.data, role=Role(form.role.data),
                                 person=person, workstreams=chosen_workstreams)
        except services.AccountError as error:
            db.session.rollback()
            user = _user_or_404(user_id)
            _fill_choices(form)
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"{user.name}'s account has been saved.", "success")
            return redirect(url_for("people.user_list"))
    return render_template("admin/user_form.html", title=f"Change {user.name}'s account", form=form, user=user,
                           confirm_form=ConfirmForm())


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.deactivate_user(user, _acting_user())
    except services.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("people.edit_user", user_id=user.id))
    db.session.commit()
    flash(f"{user.name}'s account has been deactivated. They have been signed out and cannot sign in.", "success")
    return redirect(url_for("people.user_list"))


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.reactivate_user(user)
    db.session.commit()
    flash(f"{user.name}'s account has been reactivated.", "success")
    return redirect(url_for("people.user_list"))


@bp.post("/users/<int:user_id>/reset-password")
def reset_password_link(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        token = services.create_reset_link_token(user, _acting_user())
    except services.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("people.edit_user", user_id=user.id))
    db.session.commit()
    return render_template("admin/password_link.html", title="Password reset link", user=user,
                           link=url_for("auth.reset_password", token=token, _external=True), invitation=False)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    programme = db.session.scalar(select(Programme).limit(1))
    if programme is None:
        abort(404)
    form = SettingsForm(obj=None if request.method == "POST" else programme)
    if form.validate_on_submit():
        services.set_public_progress_pages(programme, bool(form.public_progress_pages.data))
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("people.settings"))
    return render_template("admin/settings.html", title="Settings", form=form, programme=programme)

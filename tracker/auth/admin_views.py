"""People pages for installation admins: accounts, roles (in each programme too), deactivation, reset links.

The confirm-button POSTs carry nothing but the CSRF token, which CSRFProtect checks on every
request before any view runs.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth import queries, services, two_factor
from tracker.auth.access import admins_only
from tracker.auth.forms import ConfirmForm, NewUserForm, UserDetailsForm
from tracker.auth.models import Role, User
from tracker.core.web import attempt, first_message
from tracker.extensions import db

bp = Blueprint("people", __name__, url_prefix="/admin")
bp.before_request(admins_only)


def _acting_user() -> User:
    return current_user._get_current_object()  # noqa: SLF001 - the User, not the proxy


def _password_link(user: User, token: str, invitation: bool) -> str:
    title = "Account created" if invitation else "Password reset link"
    link = url_for("auth.reset_password", token=token, _external=True)
    return render_template("admin/password_link.html", title=title, user=user, link=link, invitation=invitation)


@bp.get("/users")
def user_list() -> str:
    """Show every account, active ones first, with the roles they hold in particular programmes."""
    users, names = queries.accounts(), queries.programme_names()
    roles = {user.id: queries.role_summary(user, names) for user in users}
    return render_template("admin/users.html", title="People", users=users, roles=roles)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> str:
    """Create an account and show the link with which its owner sets a password."""
    form = NewUserForm()
    options = queries.user_form_options()
    form.offer(options)
    if request.method == "GET":
        form.role.data = Role.VIEWER.value
    if form.validate_on_submit():
        outcome = attempt(lambda: services.invite_user(form.email.data, form.details(options), _acting_user()), form)
        if outcome.result is not None:
            db.session.commit()
            return _password_link(*outcome.result, invitation=True)
    return render_template("admin/user_form.html", title="Create an account", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response:
    """Change an account's name, role, programme roles, plan link and workstream rights."""
    user = queries.user_by_id(user_id)
    form = UserDetailsForm(obj=None if request.method == "POST" else user)
    options = queries.user_form_options()
    form.offer(options)
    if request.method == "GET":
        form.show_account(user)
    if form.validate_on_submit():
        outcome = attempt(lambda: services.update_user(user, form.details(options), _acting_user()), form)
        if outcome.ok:
            db.session.commit()
            flash(f"{user.name}'s account has been saved.", "success")
            return redirect(url_for("people.user_list"))
    return render_template(
        "admin/user_form.html", title=f"Change {user.name}'s account", form=form, user=user, confirm_form=ConfirmForm()
    )


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int) -> Response:
    """Stop someone signing in and end their sessions."""
    user = queries.user_by_id(user_id)
    outcome = attempt(lambda: services.deactivate_user(user, _acting_user()))
    if not outcome.ok:
        flash(first_message(outcome.refused), "error")
        return redirect(url_for("people.edit_user", user_id=user_id))
    db.session.commit()
    flash(f"{user.name}'s account has been deactivated. They have been signed out and cannot sign in.", "success")
    return redirect(url_for("people.user_list"))


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int) -> Response:
    """Let a deactivated account sign in again."""
    user = queries.user_by_id(user_id)
    services.reactivate_user(user)
    db.session.commit()
    flash(f"{user.name}'s account has been reactivated.", "success")
    return redirect(url_for("people.user_list"))


@bp.post("/users/<int:user_id>/reset-password")
def reset_password_link(user_id: int) -> str | Response:
    """Create a one-time link for the account's owner to set a new password."""
    user = queries.user_by_id(user_id)
    outcome = attempt(lambda: services.create_reset_link_token(user, _acting_user()))
    if outcome.result is None:
        flash(first_message(outcome.refused), "error")
        return redirect(url_for("people.edit_user", user_id=user_id))
    db.session.commit()
    return _password_link(user, outcome.result, invitation=False)


@bp.post("/users/<int:user_id>/reset-two-factor")
def reset_two_factor(user_id: int) -> Response:
    """Remove someone's second factor (a lost phone, no recovery codes left) and sign them out everywhere."""
    user = queries.user_by_id(user_id)
    outcome = attempt(lambda: two_factor.reset(user, _acting_user()))
    if not outcome.ok:
        flash(first_message(outcome.refused), "error")
        return redirect(url_for("people.edit_user", user_id=user_id))
    db.session.commit()
    flash(f"{user.name}'s authenticator app has been removed. They have been signed out everywhere.", "success")
    return redirect(url_for("people.edit_user", user_id=user_id))

"""The programme's settings page (admins only): whether anyone may read the progress pages.

Moved here from the people pages (tracker.auth) because the setting belongs to the Programme.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import BooleanField, SubmitField

from tracker.audit.services import record_audit_event
from tracker.auth.access import admins_only
from tracker.auth.permissions import can_manage_programme, is_admin
from tracker.core.errors import NotAllowed
from tracker.core.registry import registry_of
from tracker.extensions import db
from tracker.programme.models import Programme
from tracker.programme.queries import current_programme

AUDIT_LABELS = {"settings_changed": "Settings changed"}

bp = Blueprint("settings", __name__, url_prefix="/admin")
bp.before_request(admins_only)


class SettingsForm(FlaskForm):
    """Whether the progress pages are open to everyone."""

    public_progress_pages = BooleanField(
        "Anyone with the link can read the progress pages without signing in",
        description="The overview, workstream, project and action pages and the list of actions. "
        "Nothing can be changed without signing in.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


def set_public_progress_pages(programme: Programme, public: bool, user: object) -> None:
    """Open the progress pages to everyone, or close them to all but signed-in staff."""
    if not can_manage_programme(user):
        raise NotAllowed("Only the programme office can change the settings.")
    if programme.public_progress_pages != public:
        programme.public_progress_pages = public
        state = "turned on" if public else "turned off"
        record_audit_event("settings_changed", f"Public read-only progress pages {state}")


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> str | Response:
    """Turn the public progress pages on or off."""
    programme = current_programme()
    form = SettingsForm(obj=None if request.method == "POST" else programme)
    if form.validate_on_submit():
        set_public_progress_pages(programme, bool(form.public_progress_pages.data), current_user)
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("settings.settings"))
    return render_template("admin/settings.html", title="Settings", form=form, programme=programme)


def register(app: Flask) -> None:
    """Add the settings page, its menu entry and its audit label."""
    app.register_blueprint(bp)
    registry = registry_of(app)
    registry.add_nav_item("settings.settings", "Settings", 95, is_admin)
    registry.add_audit_labels(AUDIT_LABELS)

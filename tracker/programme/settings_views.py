"""A programme's settings page (its office only): its details, and whether anyone may read its progress pages;
and the page on which an installation admin sets up a new programme.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Optional

from tracker.auth.access import admins_only
from tracker.auth.permissions import can_manage_programme
from tracker.core.forms import CleanForm, GovDateField, text_area
from tracker.core.registry import registry_of
from tracker.core.web import attempt
from tracker.extensions import db
from tracker.programme.context import PREFIX, current_programme, current_programme_id
from tracker.programme.limits import MAX_LONG_TEXT
from tracker.programme.models import Programme
from tracker.programme.programmes import (
    ProgrammeDetails,
    create_programme,
    details_of,
    require_programme_office_of,
    set_public_progress_pages,
    update_programme,
)

AUDIT_LABELS = {"settings_changed": "Settings changed"}

bp = Blueprint("settings", __name__, url_prefix=PREFIX + "/admin")
# Setting up a programme is for an installation admin.
new_bp = Blueprint("programmes_admin", __name__, url_prefix="/admin")
new_bp.before_request(admins_only)

Page = str | tuple[str, int]


class SettingsForm(FlaskForm):
    """Whether the progress pages are open to everyone."""

    public_progress_pages = BooleanField(
        "Anyone with the link can read the progress pages without signing in",
        description="The overview, workstream, project and action pages and the list of actions. "
        "Nothing can be changed without signing in.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


def _text(label: str, description: str = "") -> StringField:
    # Shape only: the service (tracker.programme.programmes) holds every rule and its message.
    return StringField(label, description=description, validators=[Optional()], widget=GovTextInput())


class ProgrammeForm(CleanForm):
    """The programme's details; shown with the prefix "programme" beside the settings form."""

    name = _text("Programme name", "For example, Improving Services for Children and Families.")
    short_name = _text(
        "Short name",
        "2 to 30 lowercase letters, numbers and hyphens, for example children. Commands use it to name the programme.",
    )
    vision = text_area("Vision", MAX_LONG_TEXT, "What the programme is for, as the overview shows it. Optional.")
    board_name = _text("Board name", "The board the programme reports to, for example Improvement Board.")
    board_cycle_weeks = _text("Weeks between board meetings", "A whole number from 1 to 52.")
    reference_board_date = GovDateField(
        "Date of a board meeting",
        validators=[Optional()],
        description="Any one meeting, held or to come; the cycle runs from it. For example, 27 3 2027.",
    )
    submit = SubmitField("Save programme details", widget=GovSubmitInput())

    def details(self) -> ProgrammeDetails:
        return ProgrammeDetails(
            name=self.name.data or "",
            short_name=self.short_name.data or "",
            vision=self.vision.data or "",
            board_name=self.board_name.data or "",
            board_cycle_weeks=self.board_cycle_weeks.data,
            reference_board_date=self.reference_board_date.data,
        )


def programme_form(programme: Programme | None = None) -> ProgrammeForm:
    """Return the details form: as posted, or filled in with the programme (or a new one's defaults)."""
    if request.method == "POST" and request.endpoint != "settings.settings":
        return ProgrammeForm(prefix="programme")
    data = vars(details_of(programme)) if programme else {"board_name": "Programme board", "board_cycle_weeks": 6}
    return ProgrammeForm(prefix="programme", data={**data, "board_cycle_weeks": str(data["board_cycle_weeks"])})


def _page(programme: Programme | None, details: ProgrammeForm, settings: SettingsForm | None = None) -> Page:
    title = "Settings" if programme else "Set up a programme"
    if programme is not None and settings is None:
        settings = SettingsForm(obj=programme)
    return render_template(
        "admin/settings.html", title=title, programme=programme, programme_form=details, form=settings
    )


@bp.before_request
def _office_only() -> None:
    require_programme_office_of(current_user, current_programme())


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Page | Response:
    """Show the programme's details and settings; save whether its progress pages are public."""
    programme = current_programme()
    form = SettingsForm(obj=None if request.method == "POST" else programme)
    if form.validate_on_submit():
        changed = set_public_progress_pages(programme, bool(form.public_progress_pages.data), current_user)
        db.session.commit()
        flash("Settings saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("settings.settings"))
    return _page(programme, programme_form(programme), form)


@bp.post("/settings/details")
def edit_programme_page() -> Page | Response:
    """Change the programme's details (a new short name moves its pages to new addresses)."""
    programme = current_programme()
    form = programme_form(programme)
    if form.validate():
        outcome = attempt(lambda: update_programme(current_user, programme, form.details()), form)
        if outcome.ok:
            db.session.commit()
            flash("Programme details saved." if outcome.result else "Nothing changed.", "success")
            return redirect(url_for("settings.settings", programme=programme.short_name))
    return _page(programme, form)


@new_bp.route("/programmes/new", methods=["GET", "POST"])
def new_programme() -> Page | Response:
    """Set up a programme, then show the admin its (empty) overview with what to do next."""
    form = programme_form()
    if request.method == "POST" and form.validate():
        outcome = attempt(lambda: create_programme(current_user, form.details()), form)
        if outcome.ok and outcome.result is not None:
            db.session.commit()
            flash(f"Programme {outcome.result.name} set up. Next, add its workstreams.", "success")
            return redirect(url_for("programme.overview", programme=outcome.result.short_name))
    return _page(None, form)


def register(app: Flask) -> None:
    """Add the settings pages, their menu entry and their audit label."""
    app.register_blueprint(bp)
    app.register_blueprint(new_bp)
    registry = registry_of(app)
    registry.add_nav_item(
        "settings.settings",
        "Settings",
        95,
        lambda user: can_manage_programme(user, current_programme_id()),
        scope="programme",
    )
    registry.add_audit_labels(AUDIT_LABELS)

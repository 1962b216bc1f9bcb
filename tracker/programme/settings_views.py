"""The programme's settings page (admins only): its details, and whether anyone may read the progress pages.

On an installation with no programme yet, the page offers the form that creates it.
Moved here from the people pages (tracker.auth) because the settings belong to the Programme.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Optional

from tracker.audit.services import record_audit_event
from tracker.auth.access import admins_only
from tracker.auth.permissions import can_manage_programme, is_admin
from tracker.core.errors import NotAllowed
from tracker.core.forms import CleanForm, GovDateField, text_area
from tracker.core.registry import registry_of
from tracker.core.web import attempt
from tracker.extensions import db
from tracker.programme.limits import MAX_LONG_TEXT
from tracker.programme.models import Programme
from tracker.programme.programmes import ProgrammeDetails, create_programme, details_of, update_programme
from tracker.programme.queries import current_programme
from tracker.programme.queries_programmes import chosen_programme

AUDIT_LABELS = {"settings_changed": "Settings changed"}

bp = Blueprint("settings", __name__, url_prefix="/admin")
bp.before_request(admins_only)

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


def set_public_progress_pages(programme: Programme, public: bool, user: object) -> None:
    """Open the progress pages to everyone, or close them to all but signed-in staff."""
    if not can_manage_programme(user):
        raise NotAllowed("Only the programme office can change the settings.")
    if programme.public_progress_pages != public:
        programme.public_progress_pages = public
        state = "turned on" if public else "turned off"
        record_audit_event("settings_changed", f"Public read-only progress pages {state}")


def _page(programme: Programme | None, details: ProgrammeForm, settings: SettingsForm | None = None) -> Page:
    title = "Settings" if programme else "Create the programme"
    if programme is not None and settings is None:
        settings = SettingsForm(obj=programme)
    return render_template(
        "admin/settings.html", title=title, programme=programme, programme_form=details, form=settings
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Page | Response:
    """Show the programme's details and settings (or, before there is a programme, the form that creates it)."""
    programme = chosen_programme(None)
    if programme is None:
        return _page(None, programme_form())
    form = SettingsForm(obj=None if request.method == "POST" else programme)
    if form.validate_on_submit():
        set_public_progress_pages(programme, bool(form.public_progress_pages.data), current_user)
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("settings.settings"))
    return _page(programme, programme_form(programme), form)


@bp.post("/settings/programme/new")
def create_programme_page() -> Page | Response:
    """Set up the programme, then show the admin what to do next."""
    form = programme_form()
    if form.validate():
        outcome = attempt(lambda: create_programme(current_user, form.details()), form)
        if outcome.ok and outcome.result is not None:
            db.session.commit()
            flash(f"Programme {outcome.result.name} set up. Next, add its workstreams.", "success")
            return redirect(url_for("programme.overview"))
    return _page(chosen_programme(None), form)


@bp.post("/settings/programme")
def edit_programme_page() -> Page | Response:
    """Change the programme's details."""
    programme = current_programme()
    form = programme_form(programme)
    if form.validate():
        outcome = attempt(lambda: update_programme(current_user, programme, form.details()), form)
        if outcome.ok:
            db.session.commit()
            flash("Programme details saved." if outcome.result else "Nothing changed.", "success")
            return redirect(url_for("settings.settings"))
    return _page(programme, form)


def register(app: Flask) -> None:
    """Add the settings page, its menu entry and its audit label."""
    app.register_blueprint(bp)
    registry = registry_of(app)
    registry.add_nav_item("settings.settings", "Settings", 95, is_admin)
    registry.add_audit_labels(AUDIT_LABELS)

"""Forms for progress updates (leads) and structure edits (programme office).

Forms only check shape (a real date, a known status, a length); every rule about what a
change may do lives in the services (tracker.programme.updates and .structure), which the views
call after validation.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.core.forms import CleanForm, GovDateField, VersionedForm, text_area
from tracker.programme.limits import MAX_LONG_TEXT, MAX_NAME, MAX_NOTE, MAX_REASON, MAX_REF, MAX_TITLE
from tracker.programme.models import Action, Project
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, ProjectUpdate


class StatusField(RadioField):
    """The five statuses as radios; anything else is refused with a message, not a 500."""

    widget = GovRadioInput()

    def __init__(self, label="Status", **kwargs):
        super().__init__(
            label,
            choices=[SelectChoice(s.value, s.label) for s in Status],
            validators=[InputRequired(message="Choose a status")],
            **kwargs,
        )

    def pre_validate(self, form):
        if self.data not in {s.value for s in Status}:
            raise ValidationError("Choose one of the statuses: Blue, Green, Amber, Red or Grey")

    @property
    def status(self) -> Status | None:
        return Status.coerce(self.data)


def _status_reason(kind: str) -> TextAreaField:
    return text_area(
        "Reason for the change of status",
        MAX_REASON,
        f"Needed if you move this {kind} to Red, or back from Green or Blue: say why, and what will "
        "bring it back on track.",
    )


class ActionUpdateForm(VersionedForm):
    status = StatusField()
    status_reason = _status_reason("action")
    progress_note = text_area(
        "What has happened since the last update", MAX_NOTE, "This replaces the progress note shown to the board."
    )
    deadline = GovDateField("Deadline", validators=[Optional()], description="For example, 27 3 2027")
    deadline_reason = text_area("Reason for the change of deadline", MAX_REASON, "Needed if you change the deadline.")
    completed_on = GovDateField(
        "Date completed",
        validators=[Optional()],
        description="Needed for Green or Blue. Leave empty for other statuses.",
    )
    submit = SubmitField("Save update", widget=GovSubmitInput())

    @classmethod
    def showing(cls, action: Action) -> ActionUpdateForm:
        """Return the form filled in with the action as it stands, and the version the lead sees."""
        return cls(
            data={
                "status": action.status.value,
                "progress_note": action.progress_note,
                "deadline": action.deadline,
                "completed_on": action.completed_on,
                "version": str(action.version),
            }
        )

    def to_update(self) -> ActionUpdate:
        """Return what the lead typed as an update for the service."""
        return ActionUpdate(
            status=Status(self.status.data),  # validated: one of the five
            progress_note=self.progress_note.data or "",
            deadline=self.deadline.data,
            deadline_reason=self.deadline_reason.data or "",
            completed_on=self.completed_on.data,
            status_reason=self.status_reason.data or "",
        )


class ProjectUpdateForm(VersionedForm):
    status = StatusField()
    status_reason = _status_reason("project")
    progress = text_area(
        "Progress narrative", MAX_LONG_TEXT, "What has been achieved, in a few sentences for the board."
    )
    next_steps = text_area("Next steps", MAX_NOTE)
    submit = SubmitField("Save update", widget=GovSubmitInput())

    @classmethod
    def showing(cls, project: Project) -> ProjectUpdateForm:
        """Return the form filled in with the project as it stands, and the version the lead sees."""
        return cls(
            data={
                "status": project.status.value,
                "progress": project.progress,
                "next_steps": project.next_steps,
                "version": str(project.version),
            }
        )

    def to_update(self) -> ProjectUpdate:
        """Return what the lead typed as an update for the service."""
        return ProjectUpdate(
            status=Status(self.status.data),  # validated: one of the five
            progress=self.progress.data or "",
            next_steps=self.next_steps.data or "",
            status_reason=self.status_reason.data or "",
        )


# --- structure (programme office) ----------------------------------------------------------


def _ref_field() -> StringField:
    return StringField(
        "Reference",
        description=(
            f"For example, A4, E2.15 or KPI 12. Up to {MAX_REF} letters, numbers, spaces, "
            "full stops, hyphens and brackets."
        ),
        validators=[
            DataRequired(message="Enter a reference"),
            Length(max=MAX_REF, message=f"The reference must be {MAX_REF} characters or fewer"),
        ],
        widget=GovTextInput(),
    )


def _title_field() -> StringField:
    too_long = f"The title must be {MAX_TITLE} characters or fewer"
    return StringField(
        "Title",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter a title"), Length(max=MAX_TITLE, message=too_long)],
    )


def _choice_field(label: str, required_message: str = "", description: str = "") -> SelectField:
    """A select whose choices the view offers; a value not offered is refused by the view with a message."""
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return SelectField(label, description=description, validators=validators, widget=GovSelect(), validate_choice=False)


def _name_field(label: str, too_long: str, description: str) -> StringField:
    return StringField(
        label,
        description=description,
        widget=GovTextInput(),
        validators=[Optional(), Length(max=MAX_NAME, message=too_long)],
    )


def _lead_fields() -> tuple[SelectField, StringField]:
    return _choice_field("Lead"), _name_field(
        "Or add a new lead",
        f"The new lead's name must be {MAX_NAME} characters or fewer",
        "Type a name or role title, for example 'Head of Early Help'. They do not need a sign-in.",
    )


class WorkstreamForm(CleanForm):
    ref = _ref_field()
    title = _title_field()
    description = text_area("Description", MAX_LONG_TEXT)
    parent_id = _choice_field(
        "Part of", description="Workstreams go one level deep: a sub-workstream's parent is a top-level workstream."
    )
    reported_separately_by = _name_field(
        "Reported separately by",
        f"This must be {MAX_NAME} characters or fewer",
        "For example, 'SEND Improvement Board'. Leave empty if the programme board reports it.",
    )
    submit = SubmitField("Save workstream", widget=GovSubmitInput())


class ProjectForm(VersionedForm):
    ref = _ref_field()
    title = _title_field()
    workstream_id = _choice_field("Workstream", "Choose the workstream the project belongs to")
    lead_id, new_lead = _lead_fields()
    target_date = GovDateField("Target date", validators=[Optional()], description="For example, 31 3 2027")
    deliverables = text_area("Deliverables", MAX_LONG_TEXT, "One per line.")
    impact = text_area("Impact and benefits", MAX_LONG_TEXT)
    submit = SubmitField("Save project", widget=GovSubmitInput())


class ActionForm(VersionedForm):
    ref = _ref_field()
    title = _title_field()
    project_id = _choice_field("Project", "Choose the project the action belongs to")
    lead_id, new_lead = _lead_fields()
    start_date = GovDateField("Start date", validators=[Optional()], description="For example, 1 4 2026")
    deadline = GovDateField("Deadline", validators=[Optional()], description="For example, 27 3 2027")
    submit = SubmitField("Save action", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button-only POST form (move, archive, delete): the CSRF token is its only field."""

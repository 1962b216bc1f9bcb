"""Forms for progress updates (leads) and structure edits (programme office).

Forms only check shape (a real date, a known status, a length); every rule about what a
change may do lives in tracker.programme.services, which the views call after validation.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.core.forms import CleanForm, GovDateField, VersionedForm, text_area
from tracker.programme import services
from tracker.programme.status import Status


class StatusField(RadioField):
    """The five statuses as radios; anything else is refused with a message, not a 500."""

    widget = GovRadioInput()

    def __init__(self, label="Status", **kwargs):
        super().__init__(label, choices=[SelectChoice(s.value, s.label) for s in Status],
                         validators=[InputRequired(message="Choose a status")], **kwargs)

    def pre_validate(self, form):
        if self.data not in {s.value for s in Status}:
            raise ValidationError("Choose one of the statuses: Blue, Green, Amber, Red or Grey")

    @property
    def status(self) -> Status | None:
        return Status.coerce(self.data)


class ActionUpdateForm(VersionedForm):
    status = StatusField()
    status_reason = text_area(
        "Reason for the change of status", services.MAX_REASON,
        "Needed if you move this action to Red, or back from Green or Blue: say why, and what will bring it back on track.")
    progress_note = text_area("What has happened since the last update", services.MAX_NOTE,
                          "This replaces the progress note shown to the board.")
    deadline = GovDateField("Deadline", validators=[Optional()], description="For example, 27 3 2027")
    deadline_reason = text_area("Reason for the change of deadline", services.MAX_REASON,
                            "Needed if you change the deadline.")
    completed_on = GovDateField("Date completed", validators=[Optional()],
                                description="Needed for Green or Blue. Leave empty for other statuses.")
    submit = SubmitField("Save update", widget=GovSubmitInput())

    def to_update(self) -> services.ActionUpdate:
        return services.ActionUpdate(
            status=self.status.status,
            progress_note=self.progress_note.data or "",
            deadline=self.deadline.data,
            deadline_reason=self.deadline_reason.data or "",
            completed_on=self.completed_on.data,
            status_reason=self.status_reason.data or "",
        )


class ProjectUpdateForm(VersionedForm):
    status = StatusField()
    status_reason = text_area(
        "Reason for the change of status", services.MAX_REASON,
        "Needed if you move this project to Red, or back from Green or Blue: say why, and what will bring it back on track.")
    progress = text_area("Progress narrative", services.MAX_LONG_TEXT, "What has been achieved, in a few sentences for the board.")
    next_steps = text_area("Next steps", services.MAX_NOTE)
    submit = SubmitField("Save update", widget=GovSubmitInput())

    def to_update(self) -> services.ProjectUpdate:
        return services.ProjectUpdate(
            status=self.status.status,
            progress=self.progress.data or "",
            next_steps=self.next_steps.data or "",
            status_reason=self.status_reason.data or "",
        )


# --- structure (programme office) ----------------------------------------------------------

def _ref_field():
    return StringField("Reference", description="For example, A4 or E2.15. Letters, numbers, full stops and hyphens.",
                       validators=[DataRequired(message="Enter a reference"),
                                   Length(max=services.MAX_REF, message=f"The reference must be {services.MAX_REF} characters or fewer")],
                       widget=GovTextInput())


def _title_field():
    return StringField("Title", validators=[DataRequired(message="Enter a title"),
                                            Length(max=services.MAX_TITLE, message=f"The title must be {services.MAX_TITLE} characters or fewer")],
                       widget=GovTextInput())


def _lead_fields():
    lead_id = SelectField("Lead", validators=[Optional()], widget=GovSelect(), validate_choice=False)
    new_lead = StringField("Or add a new lead", description="Type a name or role title, for example 'Head of Early Help'. "
                                                           "They do not need a sign-in.",
                           validators=[Optional(), Length(max=services.MAX_NAME,
                                                          message=f"The new lead's name must be {services.MAX_NAME} characters or fewer")],
                           widget=GovTextInput())
    return lead_id, new_lead


class WorkstreamForm(CleanForm):
    ref = _ref_field()
    title = _title_field()
    description = text_area("Description", services.MAX_LONG_TEXT)
    parent_id = SelectField("Part of", description="Workstreams go one level deep: a sub-workstream's parent is a top-level workstream.",
                            validators=[Optional()], widget=GovSelect(), validate_choice=False)
    reported_separately_by = StringField("Reported separately by", description="For example, 'SEND Improvement Board'. Leave empty if the programme board reports it.",
                                         validators=[Optional(), Length(max=services.MAX_NAME, message=f"This must be {services.MAX_NAME} characters or fewer")],
                                         widget=GovTextInput())
    submit = SubmitField("Save workstream", widget=GovSubmitInput())


class ProjectForm(VersionedForm):
    ref = _ref_field()
    title = _title_field()
    workstream_id = SelectField("Workstream", widget=GovSelect(), validate_choice=False,
                                validators=[DataRequired(message="Choose the workstream the project belongs to")])
    lead_id, new_lead = _lead_fields()
    target_date = GovDateField("Target date", validators=[Optional()], description="For example, 31 3 2027")
    deliverables = text_area("Deliverables", services.MAX_LONG_TEXT, "One per line.")
    impact = text_area("Impact and benefits", services.MAX_LONG_TEXT)
    submit = SubmitField("Save project", widget=GovSubmitInput())


class ActionForm(VersionedForm):
    ref = _ref_field()
    title = _title_field()
    project_id = SelectField("Project", widget=GovSelect(), validate_choice=False,
                             validators=[DataRequired(message="Choose the project the action belongs to")])
    lead_id, new_lead = _lead_fields()
    start_date = GovDateField("Start date", validators=[Optional()], description="For example, 1 4 2026")
    deadline = GovDateField("Deadline", validators=[Optional()], description="For example, 27 3 2027")
    submit = SubmitField("Save action", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button-only POST form (move, archive, delete): the CSRF token is its only field."""

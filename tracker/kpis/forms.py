"""Forms for KPIs: scorecard filters (GET, bookmarkable), value entry, and the admin CSV upload."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.core.forms import GovDateField
from tracker.kpis.models import Frequency
from tracker.kpis.rules import KpiStatus
from tracker.kpis.services import ValueInput, parse_number

STATUS_FILTERS = {**{s.value: s.label for s in KpiStatus}, "none": "No status (no target or trend only)"}
MAX_COMMENTARY = 10_000


class ScorecardFilterForm(FlaskForm):
    """Filters read from the query string, so every filtered scorecard has a URL to bookmark."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    workstream = SelectField("Workstream", validators=[Optional()], widget=GovSelect())
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")] + [SelectChoice(k, v) for k, v in STATUS_FILTERS.items()],
        validators=[Optional()],
        widget=GovSelect(),
    )
    frequency = SelectField(
        "Frequency",
        choices=[SelectChoice("", "Any frequency")] + [SelectChoice(f.value, f.label) for f in Frequency],
        validators=[Optional()],
        widget=GovSelect(),
    )

    def set_workstreams(self, workstreams) -> None:
        self.workstream.choices = [SelectChoice("", "All workstreams")] + [
            SelectChoice(ws.ref, f"{ws.ref}: {ws.title}") for ws in workstreams
        ]


class NumberField(StringField):
    """A number typed as text; read by the same parser as the CSV import (commas allowed, 6 places)."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        # No Optional(): it would stop the form-level checks that need to see a blank value.
        super().__init__(label, validators or [], **kwargs)
        self.number = None

    def pre_validate(self, form):
        try:
            self.number = parse_number(self.data)
        except ValueError as error:
            self.number = None
            raise ValidationError(f"{self.label.text} must be a number, like 72 or 4.5 ({error})") from None


class KpiValueForm(FlaskForm):
    period_end = GovDateField(
        "Period end date", description="The last day of the period the value is for, for example 31 12 2022",
        validators=[InputRequired(message="Enter the period end date")], example="31 3 2023",
    )
    period_label = StringField(
        "Period label", description="How the board names the period, for example Q3 2022/23 or Dec-18",
        validators=[DataRequired(message="Enter the period label"),
                    Length(max=40, message="The period label must be 40 characters or fewer")],
        widget=GovTextInput(),
    )
    value = NumberField("Value", description="Leave empty to work it out from the numerator and denominator")
    numerator = NumberField("Numerator (optional)")
    denominator = NumberField("Denominator (optional)")
    national = NumberField("National (optional)")
    statistical_neighbours = NumberField("Statistical neighbours (optional)")
    regional = NumberField("Regional (optional)")
    commentary = TextAreaField(
        "Commentary (optional)", description="What the figure means and what is being done about it",
        validators=[Optional(), Length(max=MAX_COMMENTARY, message=f"Commentary must be {MAX_COMMENTARY:,} characters or fewer")],
        widget=GovTextArea(),
    )
    # The version of the value the user saw; a save over a newer one is refused.
    version = HiddenField()
    submit = SubmitField("Save value", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked after every number is read: the value may come from the numerator and denominator below it.
        parts_read = not (self.value.errors or self.numerator.errors or self.denominator.errors)
        if parts_read and self.value.number is None and (self.numerator.number is None or self.denominator.number is None):
            self.value.errors = [*self.value.errors, "Enter a value, or both a numerator and a denominator"]
            valid = False
        return valid

    def validate_denominator(self, field) -> None:
        if field.number is not None and field.number == 0:
            raise ValidationError("Denominator cannot be 0")

    @property
    def seen_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def to_input(self) -> ValueInput:
        return ValueInput(
            period_end=self.period_end.data,
            period_label=self.period_label.data or "",
            value=self.value.number,
            numerator=self.numerator.number,
            denominator=self.denominator.number,
            commentary=self.commentary.data or "",
            national=self.national.number,
            statistical_neighbours=self.statistical_neighbours.number,
            regional=self.regional.number,
        )


IMPORT_KINDS = {"kpis": "KPI definitions", "kpi-values": "KPI values"}


class ImportKindField(RadioField):
    widget = GovRadioInput()

    def pre_validate(self, form):
        if self.data not in IMPORT_KINDS:
            raise ValidationError("Choose whether the file contains KPI definitions or KPI values")


class KpiImportForm(FlaskForm):
    kind = ImportKindField(
        "What does the file contain?",
        choices=[SelectChoice(k, v) for k, v in IMPORT_KINDS.items()],
        validators=[InputRequired(message="Choose whether the file contains KPI definitions or KPI values")],
    )
    file = FileField("CSV file", description="UTF-8 CSV with a header row, at most 5 MB", widget=GovFileInput())
    submit = SubmitField("Import", widget=GovSubmitInput())

    def validate_file(self, field) -> None:
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError("Choose a CSV file to import")
        if not upload.filename.lower().endswith(".csv"):
            raise ValidationError("The file must be a CSV file (ending .csv)")

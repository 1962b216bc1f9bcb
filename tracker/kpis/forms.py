"""Forms for KPIs: scorecard filters (GET, bookmarkable), value entry, and the admin CSV upload.

Forms check shape (a number, a real date, a known choice, a length) and the value-or-parts rule
from ``rules.parts_problem`` so that every problem shows at once; ``values.save_value`` checks
that rule again with the version and the period, and its refusals come back with ``add_errors``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.core.forms import GovDateField, VersionedForm
from tracker.kpis.importer import IMPORT_KINDS
from tracker.kpis.models import PERIOD_LABEL_LIMIT, Frequency, KpiValue
from tracker.kpis.numbers import number_for_export, parse_number
from tracker.kpis.queries import ScorecardFilters
from tracker.kpis.rules import KpiStatus, parts_problem
from tracker.kpis.values import ValueInput
from tracker.programme.models import Workstream

STATUS_FILTERS = {**{s.value: s.label for s in KpiStatus}, "none": "No status (no target or trend only)"}
MAX_COMMENTARY = 10_000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_NUMBER_FIELDS = ("value", "numerator", "denominator", "national", "statistical_neighbours", "regional")


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

    def to_filters(self, workstreams: list[Workstream]) -> tuple[ScorecardFilters, bool]:
        """Return the filters the query string asks for, and whether it asked for one not on the lists."""
        self.workstream.choices = [SelectChoice("", "All workstreams")] + [
            SelectChoice(ws.ref, f"{ws.ref}: {ws.title}") for ws in workstreams
        ]
        filters = ScorecardFilters()
        if not any(field.raw_data for field in (self.workstream, self.status, self.frequency)):
            return filters, False
        if not self.validate():
            for field in (self.workstream, self.status, self.frequency):
                if field.errors:
                    field.errors = [f"Choose a {field.label.text.lower()} from the list"]
            return filters, True
        if self.workstream.data:
            filters.workstream = next(ws for ws in workstreams if ws.ref == self.workstream.data)
        filters.status = self.status.data or None
        filters.frequency = Frequency(self.frequency.data) if self.frequency.data else None
        return filters, False


class NumberField(StringField):
    """A number typed as text; read by the same parser as the CSV import (commas allowed, 6 places)."""

    widget = GovTextInput()

    def __init__(self, label: str | None = None, validators: list[Any] | None = None, **kwargs: Any) -> None:
        # No Optional(): it would stop the form-level checks that need to see a blank value.
        super().__init__(label, validators or [], **kwargs)
        self.number: Decimal | None = None

    def pre_validate(self, form: Any) -> None:
        """Read the number, or say why it is not one."""
        try:
            self.number = parse_number(self.data)
        except ValueError as error:
            self.number = None
            raise ValidationError(f"{self.label.text} must be a number, like 72 or 4.5 ({error})") from None


class KpiValueForm(VersionedForm):
    period_end = GovDateField(
        "Period end date",
        description="The last day of the period the value is for, for example 31 12 2022",
        validators=[InputRequired(message="Enter the period end date")],
        example="31 3 2023",
    )
    period_label = StringField(
        "Period label",
        description="How the board names the period, for example Q3 2022/23 or Dec-18",
        validators=[
            DataRequired(message="Enter the period label"),
            Length(
                max=PERIOD_LABEL_LIMIT, message=f"The period label must be {PERIOD_LABEL_LIMIT} characters or fewer"
            ),
        ],
        widget=GovTextInput(),
    )
    value = NumberField("Value", description="Leave empty to work it out from the numerator and denominator")
    numerator = NumberField("Numerator (optional)")
    denominator = NumberField("Denominator (optional)")
    national = NumberField("National (optional)")
    statistical_neighbours = NumberField("Statistical neighbours (optional)")
    regional = NumberField("Regional (optional)")
    commentary = TextAreaField(
        "Commentary (optional)",
        description="What the figure means and what is being done about it",
        validators=[
            Optional(),
            Length(max=MAX_COMMENTARY, message=f"Commentary must be {MAX_COMMENTARY:,} characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    submit = SubmitField("Save value", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        """Check every field, then the value-or-parts rule on the numbers read."""
        valid = super().validate(extra_validators)
        unread = any(field.errors for field in (self.value, self.numerator, self.denominator))
        problem = parts_problem(self.value.number, self.numerator.number, self.denominator.number, unread=unread)
        if problem is not None:
            self.add_errors({problem.field: problem.message})
            valid = False
        return valid

    def show_value(self, value: KpiValue) -> None:
        """Fill the form with a stored value, and the version of it being changed."""
        self.period_end.data = value.period_end
        self.period_label.data = value.period_label
        for name in _NUMBER_FIELDS:
            number = getattr(value, name)
            getattr(self, name).data = number_for_export(number)
        self.commentary.data = value.commentary
        self.show_version(value.version)

    def to_input(self) -> ValueInput:
        """Return the figures entered, for ``values.save_value``."""
        period_end = self.period_end.data
        if period_end is None:
            raise ValueError("Read the figures of a validated form only")  # its InputRequired sees to a date
        return ValueInput(
            period_end=period_end,
            period_label=self.period_label.data or "",
            value=self.value.number,
            numerator=self.numerator.number,
            denominator=self.denominator.number,
            commentary=self.commentary.data or "",
            national=self.national.number,
            statistical_neighbours=self.statistical_neighbours.number,
            regional=self.regional.number,
        )


class ImportKindField(RadioField):
    widget = GovRadioInput()

    def pre_validate(self, form: Any) -> None:
        """Refuse a kind of file that is not on the list."""
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

    def validate_file(self, field: FileField) -> None:
        """Refuse a missing file, one that is not CSV, or one over the size limit; keep the bytes read."""
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError("Choose a CSV file to import")
        if not upload.filename.lower().endswith(".csv"):
            raise ValidationError("The file must be a CSV file (ending .csv)")
        # Read one byte past the limit: enough to know the file is too large without reading it all.
        self.content = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(self.content) > MAX_UPLOAD_BYTES:
            raise ValidationError("The file must be smaller than 5 MB")

    @property
    def file_name(self) -> str:
        """Return the uploaded file's name, as the user's computer gave it."""
        return str(self.file.data.filename)

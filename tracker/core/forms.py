"""Form bases and fields shared by every form in the service.

Forms check shape only (a real date, a known choice, a length); the rules live in services,
whose refusals come back onto the form with ``add_errors``.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextArea
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, Optional


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year) with messages that say what to fix."""

    widget = GovDateInput()
    raw_data: list[str] | None

    def __init__(self, label=None, validators=None, example: str = "27 3 2027", **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.example = example

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        # The widget redraws exactly three boxes: a tampered or partial post must not break the page.
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = ([*list(self.raw_data), "", "", ""])[:3]

    def process_formdata(self, valuelist):
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        parts = [part.strip() for part in valuelist]
        if len(parts) != 3 or not all(parts):
            self.data = None
            raise ValueError(f"{self.label.text} must include a day, month and year")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like {self.example}")
        try:
            super().process_formdata([" ".join(parts)])
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from None


def _without_control_characters(value):
    """Drop NUL and other control characters (keeping line breaks and tabs) from typed text.

    PostgreSQL refuses NUL bytes in text: stripping them here means a tampered POST meets
    a message or a clean save, never a database error.
    """
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if ch in "\n\r\t" or ord(ch) >= 32)


class CleanForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                filters = [_without_control_characters, *unbound_field.kwargs.get("filters", ())]
                return unbound_field.bind(form=form, filters=filters, **options)
            return unbound_field.bind(form=form, **options)

    def add_errors(self, errors: dict[str, str]) -> None:
        """Show a service's rule messages next to their fields (or in the summary)."""
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


def text_area(label: str, limit: int, description: str = "", required_message: str | None = None) -> TextAreaField:
    """Return a GOV.UK text area with a length limit, required when given a message."""
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    validators.append(Length(max=limit, message=f"{label} must be {limit:,} characters or fewer"))
    return TextAreaField(label, description=description, validators=validators, widget=GovTextArea())


class VersionedForm(CleanForm):
    # The version of the item the user saw; the service refuses the save if it has moved on.
    version = HiddenField()

    @property
    def seen_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def show_version(self, version: int) -> None:
        """Carry a newer version, so that saving again applies these values on top of it."""
        self.version.data = str(version)
        self.version.raw_data = [str(version)]

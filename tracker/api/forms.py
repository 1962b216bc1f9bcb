"""The form that creates a personal API token: a name and when it expires."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.api.tokens import EXPIRY_DAYS, NAME_MAX

EXPIRY_WORDS = {30: "30 days", 90: "90 days", 365: "1 year"}


class NewTokenForm(FlaskForm):
    """A token's name (to recognise it later) and its lifetime, from a short list."""

    name = StringField(
        "Name",
        validators=[
            DataRequired("Enter a name for the token, such as the report that will use it"),
            Length(max=NAME_MAX, message=f"The name must be {NAME_MAX} characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    expires_in_days = RadioField(
        "Expires after",
        choices=[SelectChoice(str(days), EXPIRY_WORDS[days]) for days in EXPIRY_DAYS],
        default="90",
        validators=[InputRequired("Choose when the token expires")],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())

    def add_errors(self, errors: dict[str, str]) -> None:
        """Show a service's refusal by the field it names."""
        for name, message in errors.items():
            self[name].errors = [*self[name].errors, message]

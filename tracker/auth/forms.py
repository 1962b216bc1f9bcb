"""Forms for signing in, passwords, people and settings. Every field says what went wrong."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from tracker.auth.models import Role
from tracker.auth.passwords import MAX_LENGTH, password_problem

EMAIL_MAX = 254
NAME_MAX = 200


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


class NewPassword:
    """Apply the password policy to a field."""

    def __call__(self, _form, field) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class MatchesField:
    def __init__(self, other: str, message: str) -> None:
        self.other, self.message = other, message

    def __call__(self, form, field) -> None:
        if field.data != form[self.other].data:
            raise ValidationError(self.message)


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        validators=[DataRequired("Enter your email address")],
        filters=[normalise_email],
        widget=GovTextInput(),
    )
    # No length check here: a wrong password of any length is simply "incorrect".
    password = PasswordField("Password", validators=[InputRequired("Enter your password")], widget=GovPasswordInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password")], widget=GovPasswordInput()
    )
    new_password = PasswordField("New password", validators=[NewPassword()], widget=GovPasswordInput())
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[InputRequired("Enter your new password again"), MatchesField("new_password", "The passwords do not match")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[NewPassword()], widget=GovPasswordInput())
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[InputRequired("Enter your new password again"), MatchesField("new_password", "The passwords do not match")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class MultiCheckboxField(SelectMultipleField):
    widget = GovCheckboxesInput()


ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class UserDetailsForm(FlaskForm):
    """Name, role, the Person the user is in the plan, and workstream editor rights.

    Choices for person and workstreams are filled in by the view from the database; anything
    posted that is not one of them is refused by WTForms' choice validation.
    """

    name = StringField(
        "Full name",
        validators=[DataRequired("Enter the person's full name"), Length(max=NAME_MAX, message=f"Name must be {NAME_MAX} characters or fewer")],
        widget=GovTextInput(),
    )
    role = RadioField(
        "Role",
        choices=ROLE_CHOICES,
        validators=[InputRequired("Select a role")],
        widget=GovRadioInput(),
        invalid_choice_message="Select a role",
    )
    person_id = SelectField(
        "Lead in the programme plan",
        description="Link a project lead to their name in the plan, so they can update what they lead.",
        choices=[],
        default="",  # not sent at all (a script, not a browser) means "not linked"
        widget=GovSelect(),
        invalid_choice_message="Select a lead from the list",
    )
    workstream_ids = MultiCheckboxField(
        "Editor of whole workstreams (project leads only)",
        description="A lead may update every project and action in the workstreams ticked here.",
        choices=[],
        invalid_choice_message="Select workstreams from the list",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewUserForm(UserDetailsForm):
    email = StringField(
        "Email address",
        validators=[
            DataRequired("Enter an email address"),
            Length(max=EMAIL_MAX, message=f"Email address must be {EMAIL_MAX} characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.gov.uk"),
        ],
        filters=[normalise_email],
        widget=GovTextInput(),
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SettingsForm(FlaskForm):
    public_progress_pages = BooleanField(
        "Anyone with the link can read the progress pages without signing in",
        description="The overview, workstream, project and action pages and the list of actions. Nothing can be changed without signing in.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button-only form for POST actions (deactivate, reactivate, reset link, sign out)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


__all__ = [
    "ChangePasswordForm",
    "ConfirmForm",
    "MAX_LENGTH",
    "NewUserForm",
    "SetPasswordForm",
    "SettingsForm",
    "SignInForm",
    "UserDetailsForm",
    "normalise_email",
]

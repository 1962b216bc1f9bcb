"""Forms for signing in, passwords and people. Every field says what went wrong."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from tracker.auth.models import Role, User
from tracker.auth.passwords import MAX_LENGTH, password_problem
from tracker.auth.queries import UserFormOptions
from tracker.auth.services import AccountDetails
from tracker.people.models import Person

EMAIL_MAX = 254
NAME_MAX = 200


def normalise_email(value: str | None) -> str:
    """Return an email address as accounts store it: trimmed, lower case."""
    return (value or "").strip().lower()


class NewPassword:
    """Apply the password policy to a field."""

    def __call__(self, _form, field) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class MatchesField:
    """Require a field to repeat another one exactly."""

    def __init__(self, other: str, message: str) -> None:
        self.other, self.message = other, message

    def __call__(self, form, field) -> None:
        if field.data != form[self.other].data:
            raise ValidationError(self.message)


class SignInForm(FlaskForm):
    """Email address and password."""

    email = StringField(
        "Email address",
        validators=[DataRequired("Enter your email address")],
        filters=[normalise_email],
        widget=GovTextInput(),
    )
    # No length check here: a wrong password of any length is simply "incorrect".
    password = PasswordField("Password", validators=[InputRequired("Enter your password")], widget=GovPasswordInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class AccountForm(FlaskForm):
    """A form whose service refusals (AccountError) are shown by the field they name."""

    def add_errors(self, errors: dict[str, str]) -> None:
        """Show each message by the field it names; one that names no field of this form is flashed."""
        for name, message in errors.items():
            if name in self:
                self[name].errors = [*self[name].errors, message]
            else:
                flash(message, "error")


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    """Return a new-password field under the policy and its repeat, which must match it."""
    repeat = [
        InputRequired("Enter your new password again"),
        MatchesField("new_password", "The passwords do not match"),
    ]
    return (
        PasswordField("New password", validators=[NewPassword()], widget=GovPasswordInput()),
        PasswordField("Confirm new password", validators=repeat, widget=GovPasswordInput()),
    )


class ChangePasswordForm(AccountForm):
    """The current password, and a new one twice."""

    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password")], widget=GovPasswordInput()
    )
    new_password, confirm_password = new_password_fields()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class SetPasswordForm(AccountForm):
    """A new password twice, for a one-time link."""

    new_password, confirm_password = new_password_fields()
    submit = SubmitField("Set password", widget=GovSubmitInput())


def person_label(person: Person) -> str:
    """Return how the user form lists a person: their name, and their job title when it differs."""
    if person.job_title and person.job_title != person.name:
        return f"{person.name} ({person.job_title})"
    return person.name


class MultiCheckboxField(SelectMultipleField):
    """Several choices as GOV.UK checkboxes."""

    widget = GovCheckboxesInput()


ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class UserDetailsForm(AccountForm):
    """Name, role, the Person the user is in the plan, and workstream editor rights.

    Whoever builds the form hands it the people and workstreams to offer (``offer``); anything
    posted that is not one of them is refused by WTForms' choice validation.
    """

    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter the person's full name"),
            Length(max=NAME_MAX, message=f"Name must be {NAME_MAX} characters or fewer"),
        ],
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

    def offer(self, options: UserFormOptions) -> None:
        """Offer these people and workstreams as the choices for the plan link and editor rights."""
        self.person_id.choices = [SelectChoice("", "Not linked to a lead in the plan")] + [
            SelectChoice(key, person_label(person)) for key, person in options.people.items()
        ]
        self.workstream_ids.choices = [
            SelectChoice(key, f"{ws.ref}: {ws.title}") for key, ws in options.workstreams.items()
        ]

    def details(self, options: UserFormOptions) -> AccountDetails:
        """Return what the form asks the account to be, with the chosen person and workstreams."""
        return AccountDetails(
            name=self.name.data or "",
            role=Role(self.role.data),
            person=options.person(self.person_id.data),
            workstreams=options.chosen_workstreams(self.workstream_ids.data),
        )

    def show_account(self, user: User) -> None:
        """Show the account's role, plan link and editor rights as they are now."""
        self.role.data = user.role.value
        self.person_id.data = str(user.person_id) if user.person_id else ""
        self.workstream_ids.data = [str(ws.id) for ws in user.editable_workstreams]


class NewUserForm(UserDetailsForm):
    """The user details form with the email address a new account signs in with."""

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


class ConfirmForm(FlaskForm):
    """A button-only form for POST actions (deactivate, reactivate, reset link, sign out)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


__all__ = [
    "MAX_LENGTH",
    "ChangePasswordForm",
    "ConfirmForm",
    "NewUserForm",
    "SetPasswordForm",
    "SignInForm",
    "UserDetailsForm",
    "normalise_email",
]

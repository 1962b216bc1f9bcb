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
from wtforms import Field, PasswordField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from tracker.auth.models import Role, User
from tracker.auth.passwords import MAX_LENGTH, password_problem
from tracker.auth.queries import UserFormOptions
from tracker.auth.services import NOT_A_PROGRAMME_ROLE, AccountDetails
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


def code_field(label: str, hint_needed: str) -> StringField:
    """Return a field for a code from the authenticator app (or a recovery code, where one is accepted)."""
    return StringField(
        label, validators=[DataRequired(hint_needed), Length(max=64, message=hint_needed)], widget=GovTextInput()
    )


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


class SignInCodeForm(FlaskForm):
    """The second step of signing in: a code from the app, or a recovery code."""

    code = code_field("Security code", "Enter the 6-digit code from your authenticator app, or a recovery code")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpTwoFactorForm(AccountForm):
    """The first code from the app, proving it holds the new secret."""

    code = code_field("Code from your app", "Enter the 6-digit code your authenticator app shows")
    submit = SubmitField("Turn on", widget=GovSubmitInput())


class SecondFactorChangeForm(AccountForm):
    """Turning the second factor off, or new recovery codes: the password and a code, as at sign-in."""

    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password")], widget=GovPasswordInput()
    )
    code = code_field("Security code", "Enter the 6-digit code from your authenticator app, or a recovery code")
    submit = SubmitField("Continue", widget=GovSubmitInput())


def person_label(person: Person) -> str:
    """Return how the user form lists a person: their name, and their job title when it differs."""
    if person.job_title and person.job_title != person.name:
        return f"{person.name} ({person.job_title})"
    return person.name


class MultiCheckboxField(SelectMultipleField):
    """Several choices as GOV.UK checkboxes."""

    widget = GovCheckboxesInput()


ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]
SAME_AS_ABOVE = ""  # a programme role that is the installation role: no ProgrammeRole row


class ProgrammeRolesField(Field):
    """A role in each programme offered: one select per programme, all named like the field.

    Each posts "<programme id>:<role>", the role empty for "same as above" (the installation role).
    A programme not offered, a role that is not one, or a programme posted twice is refused.
    """

    def __init__(self, label: str | None = None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.programmes: dict[str, str] = {}  # key as posted -> programme name, in the order shown
        self.data: dict[str, str] = {}
        self.well_formed = True

    def process_data(self, value: object) -> None:
        self.data = dict(value) if isinstance(value, dict) else {}  # an account's roles come from show_account

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data, self.well_formed = {}, True
        for entry in valuelist:
            key, colon, role = entry.partition(":")
            self.well_formed = self.well_formed and bool(colon) and key not in self.data
            self.data[key] = role

    def pre_validate(self, form) -> None:
        known_roles = {SAME_AS_ABOVE, *(role.value for role in Role)}
        posted_ok = all(key in self.programmes and role in known_roles for key, role in self.data.items())
        if not (self.well_formed and posted_ok):
            raise ValidationError(NOT_A_PROGRAMME_ROLE)

    def rows(self, installation_role: str | None) -> list[dict]:
        """Return what the template needs to show one select per programme, in order."""
        same = Role(installation_role).label if installation_role in {r.value for r in Role} else "the role above"
        labels = [(SAME_AS_ABOVE, f"Same as above ({same})")] + [(r.value, r.label) for r in Role]
        return [
            {
                "id": self.id if position == 0 else f"{self.id}-{key}",
                "name": name,
                "options": [(f"{key}:{value}", label, self.data.get(key, "") == value) for value, label in labels],
            }
            for position, (key, name) in enumerate(self.programmes.items())
        ]

    def chosen(self) -> dict[int, Role | None]:
        """Return the role chosen in every programme offered (None: same as the installation role)."""
        return {int(key): Role(self.data[key]) if self.data.get(key) else None for key in self.programmes}


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
        description="The role held in every programme, unless a different one is chosen for a programme below. "
        "An admin is the programme office of every programme, and also manages people and sets up programmes.",
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
    programme_roles = ProgrammeRolesField(
        "Role in each programme",
        description="Someone can have a different role in a programme: a lead in one, a viewer in another, "
        "or the programme office of one programme only. Someone whose role above is admin is admin in every programme.",
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
            SelectChoice(key, options.workstream_label(ws)) for key, ws in options.workstreams.items()
        ]
        self.programme_roles.programmes = {key: programme.name for key, programme in options.programmes.items()}

    def details(self, options: UserFormOptions) -> AccountDetails:
        """Return what the form asks the account to be, with the chosen person and workstreams."""
        return AccountDetails(
            name=self.name.data or "",
            role=Role(self.role.data),
            person=options.person(self.person_id.data),
            workstreams=options.chosen_workstreams(self.workstream_ids.data),
            programme_roles=self.programme_roles.chosen(),
        )

    def show_account(self, user: User) -> None:
        """Show the account's role, plan link and editor rights as they are now."""
        self.role.data = user.role.value
        self.person_id.data = str(user.person_id) if user.person_id else ""
        self.workstream_ids.data = [str(ws.id) for ws in user.editable_workstreams]
        self.programme_roles.data = {str(held.programme_id): held.role.value for held in user.programme_roles}


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
    "SecondFactorChangeForm",
    "SetPasswordForm",
    "SetUpTwoFactorForm",
    "SignInCodeForm",
    "SignInForm",
    "UserDetailsForm",
    "normalise_email",
]

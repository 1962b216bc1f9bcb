"""`flask users ...`: create accounts, change roles, deactivate; and the list of the demo's accounts (`demo load`)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.auth import queries, services, two_factor
from tracker.auth.models import Role, User
from tracker.auth.passwords import password_problem
from tracker.core.registry import cli_group
from tracker.extensions import db
from tracker.people.models import Person
from tracker.people.queries import person_named

ROLE_CHOICE = click.Choice([role.value for role in Role], case_sensitive=False)

DEMO_ACCOUNTS = [
    services.DemoAccount(
        "director@demo.example.gov.uk", "Demo Programme Director", Role.ADMIN, "demo-only director lantern orchard"
    ),
    services.DemoAccount(
        "strategy.director@demo.example.gov.uk",
        "Demo Director of Strategy",
        Role.LEAD,
        "demo-only lead copper meadow",
        person_name="Director of Strategy, Commissioning and Transformation",
    ),
    services.DemoAccount(
        "viewer@demo.example.gov.uk", "Demo Staff Viewer", Role.VIEWER, "demo-only viewer pebble harbour"
    ),
]


def _read_password() -> str:
    """Prompt twice (hidden) at a terminal; read one line from stdin when piped."""
    if sys.stdin is not None and not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


def _user_or_fail(email: str) -> User:
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email address {email}.")
    return user


@click.command("create")
@click.option("--email", required=True, help="Email address the person signs in with.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=ROLE_CHOICE, help="admin, lead or viewer.")
@click.option("--person", "person_name", default=None, help="Link a lead to this name in the plan (exact).")
@click.option("--programme", "programme_name", default=None, help="Short name of a programme where the role differs.")
@click.option("--programme-role", type=ROLE_CHOICE, default=None, help="The role in that programme.")
@with_appcontext
def create_user_command(
    email: str,
    name: str,
    role: str,
    person_name: str | None,
    programme_name: str | None,
    programme_role: str | None,
) -> None:
    """Create an account; the password is asked for (or read from standard input)."""
    email = email.strip().lower()
    if len(email) > 254 or not name.strip() or len(name) > 200:
        raise click.ClickException("Give an email address of up to 254 characters and a name of up to 200.")
    _check_email(email)
    person = _person_or_fail(person_name) if person_name else None
    programme_roles = _programme_role_or_fail(programme_name, programme_role)
    password = _read_password()
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem + ".")
    try:
        details = services.AccountDetails(name, Role(role.lower()), person=person, programme_roles=programme_roles)
        user = services.create_user(email, details, password)
    except services.AccountError as error:
        raise click.ClickException(str(error) + ".") from None
    db.session.commit()
    click.echo(f"Created {user.role.label} account for {user.name} <{user.email}>.")


def _check_email(email: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise click.ClickException(f"{email} is not a valid email address.") from None


def _programme_role_or_fail(short_name: str | None, role: str | None) -> dict[int, Role | None]:
    """Return the role in the programme named, if any; both options or neither."""
    if (short_name is None) != (role is None):
        raise click.ClickException("Give --programme and --programme-role together.")
    if short_name is None or role is None:
        return {}
    programme_id = queries.programme_id_by_short_name(short_name)
    if programme_id is None:
        raise click.ClickException(f"No programme is called '{short_name}'.")
    return {programme_id: Role(role.lower())}


def _person_or_fail(name: str) -> Person:
    person = person_named(name)
    if person is None:
        raise click.ClickException(f"No lead called '{name}' is in the plan.")
    return person


@click.command("set-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=ROLE_CHOICE)
@with_appcontext
def set_role_command(email: str, role: str) -> None:
    """Change someone's role (ends their sessions, so it applies at once)."""
    user = _user_or_fail(email)
    services.set_role(user, Role(role.lower()))
    db.session.commit()
    click.echo(f"{user.name} <{user.email}> is now {user.role.label}.")


@click.command("deactivate")
@click.option("--email", required=True)
@with_appcontext
def deactivate_command(email: str) -> None:
    """Stop someone signing in and end their sessions; their history stays."""
    user = _user_or_fail(email)
    services.deactivate_user(user, acting_user=None)
    db.session.commit()
    click.echo(f"Deactivated {user.name} <{user.email}>.")


@click.command("reset-two-factor")
@click.option("--email", required=True)
@with_appcontext
def reset_two_factor_command(email: str) -> None:
    """Remove someone's second factor (a lost phone, no recovery codes) and end their sessions."""
    user = _user_or_fail(email)
    try:
        two_factor.reset(user, acting_user=None)
    except services.AccountError as refusal:
        raise click.ClickException(refusal.message) from refusal
    db.session.commit()
    click.echo(f"Removed the authenticator app of {user.name} <{user.email}>. They sign in with their password alone.")


def register(app: Flask) -> None:
    """Add `flask users create|set-role|deactivate|reset-two-factor`."""
    group = cli_group(app, "users", "Manage the accounts that can sign in.")
    for command in (create_user_command, set_role_command, deactivate_command, reset_two_factor_command):
        group.add_command(command)

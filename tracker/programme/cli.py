"""`flask programme create|edit|list|plan-meetings` and `flask export summary`.

The commands call the same service (tracker.programme.programmes) and roll-ups as the pages; the
command line has no account, so it calls the service with ``user=None, command_line=True``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.core.clock import today
from tracker.core.errors import InvalidChange, ServiceError
from tracker.core.registry import cli_group

# The option that sets each detail, to point a refusal at what the person typed.
OPTIONS = {
    "name": "--name",
    "short_name": "--short-name",
    "vision": "--vision",
    "board_name": "--board-name",
    "board_cycle_weeks": "--cycle-weeks",
    "reference_board_date": "--first-board",
}


def _refusal(error: ServiceError) -> click.ClickException:
    """Turn a service refusal into a message for the terminal, one line per broken rule."""
    if isinstance(error, InvalidChange) and error.errors:
        lines = [
            f"{OPTIONS[field]}: {message}." if field in OPTIONS else f"{message}"
            for field, message in error.errors.items()
        ]
        return click.ClickException("\n".join(lines))
    return click.ClickException(str(error))


def _programme_option(required: bool = False):
    return click.option(
        "--programme",
        "short_name",
        required=required,
        default=None,
        metavar="SHORT",
        help="The programme's short name (may be left out while there is only one).",
    )


def _detail_options(creating: bool):
    """The options that describe a programme; on `edit` every one is optional and only those given change."""

    def decorate(command):
        options = [
            click.option("--name", required=creating, default=None, help="The programme's full name."),
            click.option(
                "--short-name",
                required=creating,
                default=None,
                help="2 to 30 lowercase letters, numbers and hyphens, e.g. children.",
            ),
            click.option("--vision", default=None, help="The programme's vision, as the overview shows it."),
            click.option("--board-name", default=None, help="The board the programme reports to."),
            click.option(
                "--cycle-weeks", default=None, metavar="WEEKS", help="Weeks between board meetings, 1 to 52 [6]."
            ),
            click.option(
                "--first-board",
                default=None,
                metavar="YYYY-MM-DD",
                help="The date of a board meeting; the cycle runs from it [today].",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """Return the details the person typed, named as the service names them."""
    names = {
        "name": "name",
        "short_name": "short_name",
        "vision": "vision",
        "board_name": "board_name",
        "cycle_weeks": "board_cycle_weeks",
        "first_board": "reference_board_date",
    }
    return {names[key]: value for key, value in values.items() if key in names and value is not None}


@click.command("create")
@_detail_options(creating=True)
@with_appcontext
def create_programme_command(**values: Any) -> None:
    """Set up a programme (an installation may hold several)."""
    from tracker.extensions import db
    from tracker.programme.programmes import DEFAULT_CYCLE_WEEKS, ProgrammeDetails, create_programme

    given = {"board_cycle_weeks": DEFAULT_CYCLE_WEEKS, "reference_board_date": today(), **_given(values)}
    try:
        programme = create_programme(None, ProgrammeDetails(**given), command_line=True)
    except ServiceError as error:
        db.session.rollback()
        raise _refusal(error) from None
    db.session.commit()
    click.echo(f"Created programme {programme.short_name}: {programme.name}.")
    click.echo(f"Its board, {programme.board_name}, meets every {programme.board_cycle_weeks} weeks; the next")
    click.echo(f"meeting is on {programme.next_board_date(today()).isoformat()}.")


@click.command("edit")
@_programme_option()
@_detail_options(creating=False)
@with_appcontext
def edit_programme_command(short_name: str | None, **values: Any) -> None:
    """Change the programme's details; only the options given change."""
    from tracker.extensions import db
    from tracker.programme.programmes import FIELD_LABELS, details_of, update_programme

    try:
        programme = _programme_or_fail(short_name)
        changed = update_programme(None, programme, replace(details_of(programme), **_given(values)), command_line=True)
    except ServiceError as error:
        db.session.rollback()
        raise _refusal(error) from None
    db.session.commit()
    if changed:
        words = ", ".join(FIELD_LABELS[name] for name in changed)
        click.echo(f"Changed the {words} of programme {programme.short_name}.")
    else:
        click.echo(f"Nothing changed in programme {programme.short_name}.")


@click.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@with_appcontext
def list_programmes_command(output_format: str) -> None:
    """List the programmes: short name, name, and projects and actions by status."""
    from tracker.programme.queries_programmes import all_programmes
    from tracker.programme.rollups import programme_rollup

    rows: list[dict[str, Any]] = []
    for programme in all_programmes():
        rollup = programme_rollup(programme, today())
        rows.append(
            {
                "short_name": programme.short_name,
                "name": programme.name,
                "projects": rollup.projects.to_json(),
                "actions": rollup.actions.to_json(),
            }
        )
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No programme has been set up yet. Create one with 'flask --app tracker programme create'.")
    for row in rows:
        click.echo(f"{row['short_name']}  {row['name']}")
        for kind in ("projects", "actions"):
            counts = ", ".join(f"{status} {n}" for status, n in row[kind]["by_status"].items())
            click.echo(f"  {kind}: {row[kind]['total']} ({counts})")


def _programme_or_fail(short_name: str | None):
    from tracker.core.errors import NotFound
    from tracker.programme.queries_programmes import chosen_programme

    programme = chosen_programme(short_name)
    if programme is None:
        raise NotFound("No programme has been set up yet. Create one with 'flask --app tracker programme create'.")
    return programme


@click.command("plan-meetings")
@_programme_option()
@click.option(
    "--months", default=12, show_default=True, type=click.IntRange(1, 60), help="How many months ahead to plan."
)
@with_appcontext
def plan_meetings_command(short_name: str | None, months: int) -> None:
    """Plan the board meetings of the coming months from the cycle; meetings already planned stay as they are."""
    from tracker.extensions import db
    from tracker.programme.calendar import long_date
    from tracker.programme.meetings import plan_months

    try:
        programme = _programme_or_fail(short_name)
        added = plan_months(programme, None, today(), months, command_line=True)
    except ServiceError as error:
        db.session.rollback()
        raise _refusal(error) from None
    db.session.commit()
    if not added:
        click.echo(
            f"Every board meeting of programme {programme.short_name} in the next {months} months was already planned."
        )
        return
    words = "board meeting" if len(added) == 1 else "board meetings"
    click.echo(f"Planned {len(added)} {words} of programme {programme.short_name}:")
    for meeting in added:
        due = f"updates due {long_date(meeting.update_deadline)}"
        click.echo(f"  {long_date(meeting.meets_on)} ({due})" + (f". {meeting.note}" if meeting.note else ""))


@click.command("summary")
@click.option("--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True)
@_programme_option()
@with_appcontext
def export_summary(output_format: str, short_name: str | None) -> None:
    """Print the programme roll-up: counts by status, reported-separately lines, overdue (zeros before set-up)."""
    from tracker.programme.queries_programmes import chosen_programme
    from tracker.programme.rollups import programme_rollup

    try:
        programme = chosen_programme(short_name)
    except ServiceError as error:
        raise _refusal(error) from None
    day = today()
    rollup = programme_rollup(programme, day).to_json() if programme else _empty_rollup(day)
    if programme is None:
        rollup["next_board"] = None  # no board has been set up to meet
    summary = {"programme": programme.short_name if programme else None, **rollup}
    click.echo(json.dumps(summary, indent=2))


def _empty_rollup(day) -> dict[str, Any]:
    """Return the summary of an installation with nothing in it: every count zero."""
    from tracker.programme.rollups import ProgrammeRollup, StatusCounts
    from tracker.programme.status import Ambition, Status

    ambitions = {ambition: dict.fromkeys(Status, 0) for ambition in Ambition}
    return ProgrammeRollup(day, day, StatusCounts(), StatusCounts(), [], ambitions).to_json()


def register(app: Flask) -> None:
    """Add `flask programme create|edit|list|plan-meetings` and `flask export summary`."""
    programme = cli_group(app, "programme", "Set up the programme and change its details.")
    for command in (create_programme_command, edit_programme_command, list_programmes_command, plan_meetings_command):
        programme.add_command(command)
    cli_group(app, "export", "Export programme data.").add_command(export_summary)

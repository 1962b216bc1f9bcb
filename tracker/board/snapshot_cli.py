"""`flask board freeze` and `flask board movement`: the frozen-board commands, for one programme.

They call the same services and queries as the pages and act as the command line: trusted, and
audited with no user. ``--programme SHORT`` may be left out while the installation holds only one.
"""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.board.movement import movement_for_meeting
from tracker.board.round_queries import meeting_on
from tracker.board.snapshots import freeze_board, meeting_to_freeze
from tracker.core.clock import today
from tracker.core.errors import NotFound, ServiceError
from tracker.core.registry import cli_group
from tracker.core.templating import govuk_date
from tracker.extensions import db
from tracker.programme.context import use_programme
from tracker.programme.models import BoardMeeting, Programme
from tracker.programme.queries_programmes import chosen_programme

programme_option = click.option(
    "--programme",
    "short_name",
    default=None,
    metavar="SHORT",
    help="The programme's short name (may be left out while there is only one).",
)
meeting_option = click.option("--meeting", "meets_on", default=None, metavar="YYYY-MM-DD", help="The board's date.")


def programme_named(short_name: str | None) -> Programme:
    try:
        programme = chosen_programme(short_name)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    if programme is None:
        raise click.ClickException("No programme has been set up yet.")
    use_programme(programme)
    return programme


def meeting_named(programme: Programme, meets_on: str) -> BoardMeeting:
    try:
        return meeting_on(programme, meets_on)
    except NotFound as error:
        raise click.ClickException(str(error)) from None


@click.command("freeze")
@programme_option
@meeting_option
@with_appcontext
def freeze_command(short_name: str | None, meets_on: str | None) -> None:
    """Freeze a board: keep the programme's position as it stands today, for that meeting, for good."""
    programme = programme_named(short_name)
    if meets_on:
        meeting = meeting_named(programme, meets_on)
    else:
        chosen, why = meeting_to_freeze(programme, today())
        if chosen is None:
            raise click.ClickException(f"{programme.name} has no board meeting to freeze; name one with --meeting.")
        meeting = chosen
        click.echo(f"Freezing the board of {govuk_date(meeting.meets_on)} ({why}).")
    try:
        snapshot = freeze_board(programme, meeting, None, command_line=True)
    except ServiceError as refusal:
        db.session.rollback()
        raise click.ClickException(str(getattr(refusal, "errors", {}).get("meeting", refusal))) from None
    db.session.commit()
    click.echo(
        f"Froze the board of {govuk_date(meeting.meets_on)} for {programme.name}: position as at "
        f"{govuk_date(snapshot.position_as_at)}, checksum {snapshot.content_sha256[:12]}…"
    )


@click.command("movement")
@programme_option
@meeting_option
@click.option("--format", "output_format", type=click.Choice(["json", "text"]), default="text", show_default=True)
@with_appcontext
def movement_command(short_name: str | None, meets_on: str | None, output_format: str) -> None:
    """Print what moved since the last board: for a frozen meeting, since the board before; else up to today."""
    programme = programme_named(short_name)
    if meets_on:
        meeting = meeting_named(programme, meets_on)
    else:
        chosen, why = meeting_to_freeze(programme, today())
        if chosen is None:
            raise click.ClickException(f"{programme.name} has no board meetings; name one with --meeting.")
        meeting = chosen
        click.echo(f"Movement for the board of {govuk_date(meeting.meets_on)} ({why}).", err=True)
    result = movement_for_meeting(programme, meeting, today())
    if result is None:
        raise click.ClickException(
            f"There is no earlier frozen board to compare the board of {govuk_date(meeting.meets_on)} with."
        )
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(result.lines()))


def register(app: Flask) -> None:
    """Add the commands to the app's shared `flask board` group (created by whichever board module comes first)."""
    group = cli_group(app, "board", "The board cycle: meetings, rounds, frozen boards and movement.")
    group.add_command(freeze_command)
    group.add_command(movement_command)

"""`flask reminders send` (for cron) and `flask board open-round`.

Both call the same services as the pages. The command line has no account: a round opened here
records no opener.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.board.mail import MailNotConfigured
from tracker.board.models import RoundScope
from tracker.board.reminders import Reminder, send_reminders
from tracker.core.clock import today
from tracker.core.errors import InvalidChange, ServiceError
from tracker.core.registry import cli_group
from tracker.core.templating import plural
from tracker.extensions import db

SCOPES = {"open": RoundScope.OPEN, "due": RoundScope.DUE_BEFORE_BOARD}


def _message(error: ServiceError) -> str:
    if isinstance(error, InvalidChange) and error.errors:
        return "\n".join(error.errors.values())
    return str(error)


def _programmes(short_name: str | None) -> list:
    from tracker.programme.queries_programmes import all_programmes, programme_by_short_name

    return [programme_by_short_name(short_name)] if short_name else all_programmes()


@click.command("send")
@click.option("--programme", "short_name", default=None, metavar="SHORT", help="One programme [all of them].")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@with_appcontext
def send_command(short_name: str | None, dry_run: bool) -> None:
    """E-mail leads who still owe updates in the current round, and leads with overdue items.

    Meant for cron: each lead gets at most one message of each kind a day, however often it runs.
    """
    day = today()

    def report(outcome: str, reminder: Reminder) -> None:
        click.echo(f"{reminder.programme.short_name}: {outcome}: {reminder.describe()}")

    try:
        run = send_reminders(_programmes(short_name), day, dry_run=dry_run, on_progress=report)
    except (ServiceError, MailNotConfigured) as error:
        db.session.rollback()
        raise click.ClickException(_message(error) if isinstance(error, ServiceError) else str(error)) from None
    if dry_run:
        db.session.rollback()
    verb = "would be sent" if dry_run else "sent"
    click.echo(
        f"{len(run.sent)} {verb}, {len(run.already_sent)} already sent today, "
        f"{len(run.no_email)} without an e-mail address, {len(run.failed)} failed."
    )
    for reminder in run.no_email:
        click.echo(f"No e-mail address for {reminder.name}: add one to their entry in the plan or to their account.")
    for reminder, reason in run.failed:
        click.echo(f"Could not send to {reminder.email}: {reason}", err=True)
    if run.failed:
        raise SystemExit(1)


@click.command("open-round")
@click.option("--programme", "short_name", default=None, metavar="SHORT", help="The programme's short name.")
@click.option("--meeting", "meets_on", required=True, metavar="YYYY-MM-DD", help="The date the board meets.")
@click.option(
    "--scope",
    type=click.Choice(sorted(SCOPES)),
    default="open",
    show_default=True,
    help="open: every open item; due: items due on or before the meeting, and overdue ones.",
)
@with_appcontext
def open_round_command(short_name: str | None, meets_on: str, scope: str) -> None:
    """Open the update round for a board meeting: record which items each lead owes an update on."""
    from tracker.board.rounds import open_round
    from tracker.board.snapshot_cli import meeting_named, programme_named

    programme = programme_named(short_name)
    meeting = meeting_named(programme, meets_on)
    try:
        opened = open_round(None, meeting, SCOPES[scope], today(), command_line=True)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(_message(error)) from None
    db.session.commit()
    click.echo(
        f"Opened the update round for the {programme.board_name} on {meeting.meets_on.isoformat()} "
        f"({SCOPES[scope].label.lower()}): {plural(opened.projects, 'project')} and {plural(opened.actions, 'action')}."
    )


def register(app: Flask) -> None:
    """Add `flask reminders send`, and `open-round` to the shared `flask board` group."""
    cli_group(app, "reminders", "E-mail reminders to leads.").add_command(send_command)
    cli_group(app, "board", "The board cycle: meetings, rounds, frozen boards and movement.").add_command(
        open_round_command
    )

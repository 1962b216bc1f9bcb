"""`flask export summary`: the programme roll-up the overview shows, as JSON."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.core.clock import today
from tracker.core.registry import cli_group


@click.command("summary")
@click.option("--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True)
@with_appcontext
def export_summary(output_format: str) -> None:
    """Print the programme roll-up: counts by status, reported-separately lines, overdue."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.programme.models import Programme
    from tracker.programme.rollups import programme_rollup

    programme = db.session.scalars(select(Programme).limit(1)).first()
    if programme is None:
        raise click.ClickException("No programme has been set up yet. Run 'flask --app tracker demo load' first.")
    click.echo(json.dumps(programme_rollup(programme, today()).to_json(), indent=2))


def register(app: Flask) -> None:
    """Add `flask export summary`."""
    cli_group(app, "export", "Export programme data.").add_command(export_summary)

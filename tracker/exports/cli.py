"""`flask export programme FILE`: the whole programme as the web download writes it, for scripts and backups."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.board.snapshot_cli import programme_named
from tracker.core.registry import cli_group
from tracker.exports.sheets import programme_sheets
from tracker.spreadsheets.writing import csv_bytes, workbook_bytes, zip_bytes


@click.command("programme")
@click.argument("output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--programme", "short_name", default=None, metavar="SHORT", help="The programme's short name.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["xlsx", "csv-zip"]),
    default="xlsx",
    show_default=True,
    help="A workbook with a sheet per level, or a zip of one CSV file per level.",
)
@with_appcontext
def export_programme_command(output: Path, short_name: str | None, output_format: str) -> None:
    """Write a programme's workstreams, projects, actions and KPIs to OUTPUT, as the download does."""
    sheets = programme_sheets(programme_named(short_name))
    if output_format == "xlsx":
        body = workbook_bytes(sheets)
    else:
        body = zip_bytes((f"{sheet.title.lower()}.csv", csv_bytes(sheet)) for sheet in sheets)
    output.write_bytes(body)
    counts = ", ".join(f"{sum(1 for _ in sheet.rows)} {sheet.title.lower()}" for sheet in sheets)
    click.echo(f"Wrote {output}: {counts}.")


def register(app: Flask) -> None:
    cli_group(app, "export", "Export programme data.").add_command(export_programme_command)

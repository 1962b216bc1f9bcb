"""KPI commands: `import kpis`, `import kpi-values` and `export kpis`, each for one programme.

Registered by tracker.kpis.init_app; the commands call the same importer, queries and export the
web pages use. They act as ``permissions.COMMAND_LINE``: trusted, and audited with no user.
``--programme SHORT`` names the programme; it may be left out while the installation holds only one.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.core.errors import NotFound
from tracker.core.registry import cli_group
from tracker.extensions import db
from tracker.kpis.export import scorecard_csv, scorecard_json
from tracker.kpis.importer import ImportRejected, import_file
from tracker.kpis.queries import scorecard
from tracker.programme.models import Programme
from tracker.programme.queries_programmes import chosen_programme

programme_option = click.option(
    "--programme",
    "short_name",
    default=None,
    metavar="SHORT",
    help="The programme's short name (may be left out while there is only one).",
)


def _programme(short_name: str | None) -> Programme:
    """Return the programme the command is for, or stop with why there is none to choose."""
    try:
        programme = chosen_programme(short_name)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    if programme is None:
        raise click.ClickException(
            "No programme has been set up yet, so there is nowhere for KPIs to go. "
            "Create one with 'flask --app tracker programme create'."
        )
    return programme


def _run_import(kind: str, path: Path, short_name: str | None) -> None:
    programme = _programme(short_name)
    try:
        summary = import_file(
            kind, path.read_bytes(), programme=programme, file_name=path.name, source=f"import {path.name}"
        )
    except ImportRejected as rejected:
        db.session.rollback()
        for problem in rejected.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{path.name} was not imported: {len(rejected.problems)} problem(s), nothing was written."
        ) from None
    db.session.commit()
    click.echo(summary.sentence())


@click.command("kpis")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@programme_option
@with_appcontext
def import_kpis_command(file: Path, short_name: str | None) -> None:
    """Create or update a programme's KPIs by ref from a CSV file (ref,title,unit,polarity,frequency,target,...)."""
    _run_import("kpis", file, short_name)


@click.command("kpi-values")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@programme_option
@with_appcontext
def import_kpi_values_command(file: Path, short_name: str | None) -> None:
    """Create or replace values of a programme's KPIs by (KPI, period end) from a CSV file; replaced values are kept."""
    _run_import("kpi-values", file, short_name)


@click.command("kpis")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@programme_option
@with_appcontext
def export_kpis_command(output_format: str, short_name: str | None) -> None:
    """Print a programme's KPI scorecard: latest value, target, tolerance, status and direction of each KPI."""
    rows = scorecard(_programme(short_name))
    if output_format == "csv":
        click.echo(scorecard_csv(rows), nl=False)
    else:
        click.echo(json.dumps(scorecard_json(rows), indent=2, ensure_ascii=False))


def register(app: Flask) -> None:
    """Add the KPI commands to the app's `flask import` and `flask export` groups."""
    import_group = cli_group(app, "import", "Import data from files (all or nothing).")
    import_group.add_command(import_kpis_command)
    import_group.add_command(import_kpi_values_command)
    cli_group(app, "export", "Export programme data.").add_command(export_kpis_command)

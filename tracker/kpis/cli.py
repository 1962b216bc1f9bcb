"""KPI commands: `import kpis`, `import kpi-values`, `export kpis`, and the demo's KPIs.

Registered by tracker.kpis.init_app; the commands call the same importer, queries and export the
web pages use. They act as ``permissions.COMMAND_LINE``: trusted, and audited with no user.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.core.registry import cli_group
from tracker.extensions import db
from tracker.kpis.export import scorecard_csv, scorecard_json
from tracker.kpis.importer import ImportRejected, import_file, import_kpi_values, import_kpis
from tracker.kpis.queries import scorecard

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo" / "data"


def _run_import(kind: str, path: Path) -> None:
    try:
        summary = import_file(kind, path.read_bytes(), file_name=path.name, source=f"import {path.name}")
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
@with_appcontext
def import_kpis_command(file: Path) -> None:
    """Create or update KPIs by ref from a CSV file (ref,title,unit,polarity,frequency,target,...)."""
    _run_import("kpis", file)


@click.command("kpi-values")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_kpi_values_command(file: Path) -> None:
    """Create or replace KPI values by (KPI, period end) from a CSV file; replaced values are kept in history."""
    _run_import("kpi-values", file)


@click.command("kpis")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def export_kpis_command(output_format: str) -> None:
    """Print the KPI scorecard: latest value, target, tolerance, status and direction of each KPI."""
    rows = scorecard()
    if output_format == "csv":
        click.echo(scorecard_csv(rows), nl=False)
    else:
        click.echo(json.dumps(scorecard_json(rows), indent=2, ensure_ascii=False))


def load_demo_kpis() -> None:
    """Load the seed KPIs (2022/23 appendix) and their values; loading again duplicates nothing."""
    # Period dates are historical facts: unlike the plan's dates they are not shifted.
    kpis = import_kpis((DEMO_DATA / "kpis.csv").read_bytes(), file_name="kpis.csv")
    values = import_kpi_values(
        (DEMO_DATA / "kpi_values.csv").read_bytes(), source="demo load", file_name="kpi_values.csv"
    )
    db.session.commit()
    click.echo(f"Loaded the demo KPIs: {kpis.sentence()} {values.sentence()}")


def register(app: Flask) -> None:
    """Add the KPI commands to the app's `flask import` and `flask export` groups."""
    import_group = cli_group(app, "import", "Import data from files (all or nothing).")
    import_group.add_command(import_kpis_command)
    import_group.add_command(import_kpi_values_command)
    cli_group(app, "export", "Export programme data.").add_command(export_kpis_command)

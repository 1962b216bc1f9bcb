"""Command-line interface; commands call the same services the web pages use."""
from __future__ import annotations

import json
from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from tracker.extensions import db

demo_cli = AppGroup("demo", help="Load the demo programme or build a synthetic one.")
export_cli = AppGroup("export", help="Export programme data.")
import_cli = AppGroup("import", help="Import data from CSV files (all or nothing).")


@demo_cli.command("load")
@with_appcontext
def demo_load() -> None:
    """Load the real demo programme (safe to run again: nothing is duplicated)."""
    from tracker.demo.loader import load_demo_programme

    result = load_demo_programme(date.today())
    click.echo(
        f"Loaded the demo programme: {result.workstreams} workstreams, {result.projects} projects, "
        f"{result.actions} actions, {result.people} leads (dates moved forward {result.shift.days} days)."
    )
    for hook in _after_demo_load_hooks:
        hook()


# Other packages (accounts, KPIs) add what the demo needs of them here.
_after_demo_load_hooks: list = []


def after_demo_load(func):
    _after_demo_load_hooks.append(func)
    return func


@demo_cli.command("scale")
@click.option("--workstreams", default=12, show_default=True, type=click.IntRange(1, 200))
@click.option("--projects", default=400, show_default=True, type=click.IntRange(1, 20000))
@click.option("--actions", default=15000, show_default=True, type=click.IntRange(0, 1000000))
@with_appcontext
def demo_scale(workstreams: int, projects: int, actions: int) -> None:
    """Build a large synthetic programme in an empty database, for benchmarks."""
    from tracker.demo.scale import ProgrammeNotEmpty, build_synthetic_programme

    try:
        build_synthetic_programme(workstreams, projects, actions, date.today())
    except ProgrammeNotEmpty as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Built a synthetic programme: {workstreams} workstreams, {projects} projects, {actions} actions.")


@export_cli.command("summary")
@click.option("--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True)
@with_appcontext
def export_summary(output_format: str) -> None:
    """Print the programme roll-up: counts by status, reported-separately lines, overdue."""
    from sqlalchemy import select

    from tracker.programme.models import Programme
    from tracker.programme.rollups import programme_rollup

    programme = db.session.scalars(select(Programme).limit(1)).first()
    if programme is None:
        raise click.ClickException("No programme has been set up yet. Run 'flask --app tracker demo load' first.")
    click.echo(json.dumps(programme_rollup(programme, date.today()).to_json(), indent=2))


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(import_cli)
    from tracker.kpis import cli as _kpi_cli  # noqa: F401 - adds `import kpis`, `import kpi-values`, `export kpis` and the demo KPIs
    from tracker.auth.cli import users_cli

    app.cli.add_command(users_cli)

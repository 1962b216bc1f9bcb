"""`flask demo load|scale`: the real demo programme with its accounts and KPIs, or a large one."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.core.clock import today
from tracker.core.registry import cli_group


@click.command("load")
@with_appcontext
def demo_load() -> None:
    """Load the real demo programme, its accounts and KPIs (safe to run again: nothing is duplicated)."""
    from tracker.auth.cli import create_demo_accounts
    from tracker.demo.loader import load_demo_programme
    from tracker.kpis.cli import load_demo_kpis

    result = load_demo_programme(today())
    click.echo(
        f"Loaded the demo programme: {result.workstreams} workstreams, {result.projects} projects, "
        f"{result.actions} actions, {result.people} leads (dates moved forward {result.shift.days} days)."
    )
    create_demo_accounts()
    load_demo_kpis()


@click.command("scale")
@click.option("--workstreams", default=12, show_default=True, type=click.IntRange(1, 200))
@click.option("--projects", default=400, show_default=True, type=click.IntRange(1, 20000))
@click.option("--actions", default=15000, show_default=True, type=click.IntRange(0, 1000000))
@with_appcontext
def demo_scale(workstreams: int, projects: int, actions: int) -> None:
    """Build a large synthetic programme in an empty database, for benchmarks."""
    from tracker.demo.scale import ProgrammeNotEmpty, build_synthetic_programme

    try:
        build_synthetic_programme(workstreams, projects, actions, today())
    except ProgrammeNotEmpty as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Built a synthetic programme: {workstreams} workstreams, {projects} projects, {actions} actions.")


def register(app: Flask) -> None:
    group = cli_group(app, "demo", "Load the demo programme or build a synthetic one.")
    group.add_command(demo_load)
    group.add_command(demo_scale)

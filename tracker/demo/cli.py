"""`flask demo load|reset|scale`: the real demo programme with its accounts and KPIs, or a large one.

`demo load` only adds what is missing and never overwrites work done through the app; `demo reset`
puts the demo back, after asking, recording every change it makes in the items' history.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.core.clock import today
from tracker.core.registry import cli_group, registry_of
from tracker.extensions import db

MAX_LISTED = 20

# The audit events tracker.demo.loader records.
AUDIT_LABELS = {
    "demo_loaded": "Demo loaded",
    "demo_reset": "Demo reset",
    "demo_password_restored": "Demo password set again",
}


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


@click.command("load")
@with_appcontext
def demo_load() -> None:
    """Add the demo programme, its accounts and KPIs where they are missing.

    Safe to run again: it only adds what is not there. Anything changed through the app (a
    status, a deadline, progress, an archived or renamed item, a KPI value, a demo account's
    role or password) is left as it is, and items deleted through the app are not added back.
    To put the demo back as transcribed, use `flask demo reset`.
    """
    from tracker.demo.loader import load_demo_accounts, load_demo_kpis, load_demo_programme

    result = load_demo_programme(today())
    click.echo(f"Demo programme: {result.sentence()}")
    if result.not_added:
        click.echo(f"  Not added, as the app changed them: {_listed(result.not_added)}.")
    if result.shift.days:
        click.echo(f"  The plan's dates are moved forward {result.shift.days} days.")
    click.echo("Demo accounts (demo only: never use these passwords on a real installation):")
    outcomes = load_demo_accounts()
    for outcome in outcomes:
        account = outcome.account
        note = "" if outcome.created else "  (already existed)"
        click.echo(f"  {account.role.value:<7} {account.email:<42} password: {account.password}{note}")
    if not all(outcome.created for outcome in outcomes):
        click.echo(
            "  Accounts that already existed keep their role, password and state (`flask demo reset` restores roles)."
        )
    kpis = load_demo_kpis()
    db.session.commit()
    click.echo(f"Demo KPIs: {kpis.sentence()}")


@click.command("reset")
@click.option(
    "--demo-passwords",
    is_flag=True,
    help="Also set the demo accounts' passwords back to the published demo passwords.",
)
@click.confirmation_option(
    "--yes",
    "-y",
    prompt="Put the demo programme, its KPIs and the demo accounts' roles back as transcribed? "
    "Changes made through the app to them will be undone (and recorded in history)",
    help="Reset without asking.",
)
@with_appcontext
def demo_reset(demo_passwords: bool) -> None:
    """Put the demo back as transcribed, recording every change it makes in history.

    Each demo workstream, project and action gets back its transcribed ref, title, lead, dates,
    status, progress and order, with dates moved to today's board cycle; archived demo items
    are brought back and demo items deleted through the app are created again. History is
    append-only, so nothing is removed from it: each field put back is recorded in the item's
    history as a change by "The system" (status changes in the audit log too), so an item's
    page never contradicts its history. Items added through the app are left alone.

    The demo KPIs' definitions and values are imported again (replaced values are kept in the
    KPI's value history). The three demo accounts get back their name, role and plan link and
    can sign in again; no account is deleted and no other account is touched. Their passwords
    are left as they are unless --demo-passwords is given.
    """
    from tracker.demo.loader import reset_demo_accounts, reset_demo_kpis, reset_demo_programme

    try:
        result = reset_demo_programme(today())
        kpis, values = reset_demo_kpis()
        accounts = reset_demo_accounts(demo_passwords)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    click.echo(f"Demo programme: {result.sentence()}")
    if result.restored:
        click.echo("  Restored: " + _listed([f"{item} ({', '.join(f)})" for item, f in result.restored.items()]) + ".")
    if result.recreated:
        click.echo(f"  Created again: {_listed(result.recreated)}.")
    if result.programme_fields:
        click.echo(f"  Programme settings put back: {', '.join(result.programme_fields)}.")
    if result.skipped:
        click.echo(f"  Not restored: {_listed(result.skipped)}.")
    click.echo(f"Demo KPIs: {kpis.sentence()} {values.sentence()}")
    click.echo("Demo accounts (no account was deleted):")
    for outcome in accounts:
        account = outcome.account
        if outcome.created:
            state = f"created again, password: {account.password}"
        else:
            role = "role put back" if outcome.role_restored else "role unchanged"
            state = f"{role}, password {outcome.password}"
        click.echo(f"  {account.role.value:<7} {account.email:<42} {state}")


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
    """Add `flask demo load|reset|scale`, and the words the audit page uses for the demo's events."""
    registry_of(app).add_audit_labels(AUDIT_LABELS)
    group = cli_group(
        app, "demo", "Load the demo programme (adding only what is missing), reset it, or build a synthetic one."
    )
    group.add_command(demo_load)
    group.add_command(demo_reset)
    group.add_command(demo_scale)

"""`flask demo load|reset|scale`: the real demo programmes with their accounts and KPIs, or a large one.

`demo load` only adds what is missing and never overwrites work done through the app; `demo reset`
puts the demo back, after asking, recording every change it makes in the items' history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.core.clock import today
from tracker.core.registry import cli_group, registry_of
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.demo.loader import DemoAccountOutcome

MAX_LISTED = 20
DEMO_SHORT_NAMES = ("children", "education")  # tracker.demo.loader.DEMO_PROGRAMMES, without importing it here

# The audit events tracker.demo.loader records.
AUDIT_LABELS = {
    "demo_loaded": "Demo loaded",
    "demo_reset": "Demo reset",
    "demo_password_restored": "Demo password set again",
    "demo_programme_role": "Demo account's role in a programme",
}


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _account_line(outcome: DemoAccountOutcome, state: str) -> str:
    return f"  {outcome.roles():<26} {outcome.account.email:<42} {state}"


@click.command("load")
@with_appcontext
def demo_load() -> None:
    """Add the demo programmes (children, education), the demo accounts and KPIs where they are missing.

    Safe to run again: it only adds what is not there. Anything changed through the app (a
    status, a deadline, progress, an archived or renamed item, a KPI value, a demo account's
    role or password) is left as it is, and items deleted through the app are not added back.
    To put the demo back as transcribed, use `flask demo reset`.
    """
    from tracker.demo.loader import DEMO_PROGRAMMES, load_demo_accounts, load_demo_kpis, load_demo_programme

    added_programmes = []
    for demo in DEMO_PROGRAMMES:
        result = load_demo_programme(today(), demo)
        if result.programme_added:
            added_programmes.append(demo.short_name)
        click.echo(f"Demo programme {demo.short_name} (/p/{demo.short_name}/): {result.sentence()}")
        if result.not_added:
            click.echo(f"  Not added, as the app changed them: {_listed(result.not_added)}.")
        if result.shift.days:
            click.echo(f"  The plan's dates are moved forward {result.shift.days} days.")
        kpis = load_demo_kpis(demo)
        db.session.commit()
        click.echo(f"  KPIs: {kpis.sentence()}")
    click.echo("Demo accounts (demo only: never use these passwords on a real installation):")
    outcomes = load_demo_accounts(added_programmes)
    db.session.commit()
    for outcome in outcomes:
        note = "" if outcome.created else "  (already existed)"
        click.echo(_account_line(outcome, f"password: {outcome.account.password}{note}"))
    if not all(outcome.created for outcome in outcomes):
        click.echo(
            "  Accounts that already existed keep their role, password and state (`flask demo reset` restores roles)."
        )
    _load_board_cycles()


def _load_board_cycles() -> None:
    """Give each demo programme its board calendar, two frozen boards, an open round and its risks (once)."""
    from tracker.demo.board_cycle import load_demo_board_cycle
    from tracker.demo.loader import DEMO_PROGRAMMES
    from tracker.programme.queries_programmes import programme_by_short_name

    for demo in DEMO_PROGRAMMES:
        result = load_demo_board_cycle(programme_by_short_name(demo.short_name), today(), demo.risks)
        db.session.commit()
        click.echo(f"Demo programme {demo.short_name}: {result.sentence()}")


@click.command("reset")
@click.option(
    "--programme",
    "short_name",
    type=click.Choice(DEMO_SHORT_NAMES),
    help="Reset only this demo programme (default: all of them).",
)
@click.option(
    "--demo-passwords",
    is_flag=True,
    help="Also set the demo accounts' passwords back to the published demo passwords.",
)
@click.confirmation_option(
    "--yes",
    "-y",
    prompt="Put the demo programmes, their KPIs and the demo accounts' roles back as transcribed? "
    "Changes made through the app to them will be undone (and recorded in history)",
    help="Reset without asking.",
)
@with_appcontext
def demo_reset(short_name: str | None, demo_passwords: bool) -> None:
    """Put the demo back as transcribed, recording every change it makes in history.

    Each demo workstream, project and action gets back its transcribed ref, title, lead, dates,
    status, progress and order, with dates moved to today's board cycle; archived demo items
    are brought back and demo items deleted through the app are created again. History is
    append-only, so nothing is removed from it: each field put back is recorded in the item's
    history as a change by "The system" (status changes in the audit log too), so an item's
    page never contradicts its history. Items added through the app, and other programmes,
    are left alone.

    The demo KPIs' definitions and values are imported again (replaced values are kept in the
    KPI's value history). The three demo accounts get back their name, role, plan link and
    roles in the demo programmes reset, and can sign in again; no account is deleted and no
    other account is touched. Their passwords are left as they are unless --demo-passwords is given.
    """
    from tracker.demo.loader import (
        DEMO_PROGRAMMES,
        demo_programme,
        reset_demo_accounts,
        reset_demo_kpis,
        reset_demo_programme,
    )

    demos = [demo_programme(short_name)] if short_name else list(DEMO_PROGRAMMES)
    try:
        results = []
        for demo in demos:
            result = reset_demo_programme(today(), demo)
            results.append((result, *reset_demo_kpis(demo)))
        accounts = reset_demo_accounts(demo_passwords, demos)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    for result, kpis, values in results:
        click.echo(f"Demo programme {result.short_name}: {result.sentence()}")
        if result.restored:
            restored = [f"{item} ({', '.join(f)})" for item, f in result.restored.items()]
            click.echo(f"  Restored: {_listed(restored)}.")
        if result.recreated:
            click.echo(f"  Created again: {_listed(result.recreated)}.")
        if result.programme_fields:
            click.echo(f"  Programme settings put back: {', '.join(result.programme_fields)}.")
        if result.skipped:
            click.echo(f"  Not restored: {_listed(result.skipped)}.")
        click.echo(f"  KPIs: {kpis.sentence()} {values.sentence()}")
    click.echo("Demo accounts (no account was deleted):")
    for outcome in accounts:
        if outcome.created:
            state = f"created again, password: {outcome.account.password}"
        else:
            role = "role put back" if outcome.role_restored else "role unchanged"
            state = f"{role}, password {outcome.password}"
        click.echo(_account_line(outcome, state))


@click.command("scale")
@click.option("--workstreams", default=12, show_default=True, type=click.IntRange(1, 200))
@click.option("--projects", default=400, show_default=True, type=click.IntRange(1, 20000))
@click.option("--actions", default=15000, show_default=True, type=click.IntRange(0, 1000000))
@with_appcontext
def demo_scale(workstreams: int, projects: int, actions: int) -> None:
    """Build a large synthetic programme called `scale`, beside any others, for benchmarks."""
    from tracker.demo.scale import ProgrammeNotEmpty, build_synthetic_programme

    try:
        build_synthetic_programme(workstreams, projects, actions, today())
    except ProgrammeNotEmpty as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Built the synthetic programme scale (/p/scale/): {workstreams} workstreams, {projects} projects, "
        f"{actions} actions."
    )


def register(app: Flask) -> None:
    """Add `flask demo load|reset|scale`, and the words the audit page uses for the demo's events."""
    registry_of(app).add_audit_labels(AUDIT_LABELS)
    group = cli_group(
        app, "demo", "Load the demo programmes (adding only what is missing), reset them, or build a synthetic one."
    )
    group.add_command(demo_load)
    group.add_command(demo_reset)
    group.add_command(demo_scale)

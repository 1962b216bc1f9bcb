"""`flask import plan FILE --programme P [--name NAME]`: the upload page's import, from the command line.

The command creates programme P when it does not exist yet (named NAME), in the same transaction
as the import: a file with any problem leaves no programme behind. It acts with no account
(history and the audit log name no one), like every command.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker.core.clock import today
from tracker.core.errors import InvalidChange
from tracker.core.registry import cli_group
from tracker.extensions import db
from tracker.imports.plan import ImportPlan
from tracker.imports.rows import Mapping
from tracker.imports.service import PlanChanged, PlanRefused, import_plan
from tracker.programme.models import Programme
from tracker.programme.programmes import ProgrammeDetails, create_programme
from tracker.spreadsheets.reading import Limits, UnreadableFile


def _programme(short_name: str, name: str | None) -> Programme:
    """Return the programme with this short name, setting it up (unsaved until the import commits) if it is new."""
    programme = db.session.scalar(select(Programme).where(Programme.short_name == short_name))
    if programme is not None:
        return programme
    details = ProgrammeDetails(name=name or short_name, short_name=short_name, reference_board_date=today())
    try:
        return create_programme(None, details, command_line=True)
    except InvalidChange as refusal:
        raise click.ClickException("; ".join(refusal.errors.values())) from None


def _mapping(choices: tuple[str, ...]) -> Mapping:
    """Read --column SHEET:FIELD=HEADER choices."""
    mapping: Mapping = {}
    for choice in choices:
        where, _, header = choice.partition("=")
        sheet, _, key = where.rpartition(":")
        if not (sheet and key and header):
            raise click.BadParameter(f"{choice!r}: write it as SHEET:FIELD=HEADER, like Projects:title=Project name")
        mapping.setdefault(sheet, {})[key] = header
    return mapping


@click.command("plan")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", "short_name", required=True, metavar="SHORT", help="The programme's short name.")
@click.option("--name", default=None, help="The programme's name, if the import creates it.")
@click.option("--column", "columns", multiple=True, metavar="SHEET:FIELD=HEADER", help="A header to read a field from.")
@with_appcontext
def import_plan_command(path: Path, short_name: str, name: str | None, columns: tuple[str, ...]) -> None:
    """Import workstreams, projects and actions from an .xlsx or .csv plan, all or nothing."""
    if path.stat().st_size > Limits().max_bytes:
        raise click.ClickException(
            f"{path.name} is larger than {Limits().max_bytes // 2**20} MB; nothing was imported."
        )
    try:
        programme = _programme(short_name, name)
        plan = import_plan(path.read_bytes(), path.name, programme, None, mapping=_mapping(columns), command_line=True)
    except UnreadableFile as unreadable:
        db.session.rollback()
        reasons = "; ".join(problem.reason for problem in unreadable.problems)
        raise click.ClickException(f"{path.name} was not imported: {reasons}") from None
    except (PlanRefused, PlanChanged) as refused:
        db.session.rollback()
        _report(refused.plan)
        raise click.ClickException(f"{path.name} was not imported: nothing was written.") from None
    db.session.commit()
    for notice in plan.notices:
        click.echo(notice)
    click.echo(f"{path.name} imported into {programme.short_name}. {plan.summary()}")


def _report(plan: ImportPlan) -> None:
    for need in plan.rows.mapping:
        missing = ", ".join(f"{column.label} ({column.key})" for column in need.missing)
        click.echo(
            f"Sheet {need.sheet}: no column for {missing}. Its other headers: {', '.join(need.headers) or 'none'}. "
            f"Rename the header, or choose one with --column '{need.sheet}:FIELD=HEADER'.",
            err=True,
        )
    for problem in plan.problems:
        click.echo(str(problem), err=True)


def register(app: Flask) -> None:
    cli_group(app, "import", "Import data from files (all or nothing).").add_command(import_plan_command)

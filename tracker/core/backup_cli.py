"""`flask db backup FILE` and `flask db restore FILE [--replace]`, beside Flask-Migrate's own db commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from tracker.core.backup import BackupError, DatabaseContents, backup, restore
from tracker.core.cache import get_cache
from tracker.extensions import db


def _described(contents: DatabaseContents) -> str:
    return f"{contents.total_rows:,} rows in {len(contents.rows)} tables, schema revision {contents.revision or 'none'}"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent backup of the database to FILE, while the app keeps running."""
    try:
        contents = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {_described(contents)} to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that already holds data.")
@with_appcontext
def restore_command(file: Path, replace: bool) -> None:
    """Load a backup made by `flask db backup` into the database (an empty one unless --replace).

    Stop the app first: its workers would otherwise keep serving what they had cached. The shared
    cache (Redis) is emptied here, since the data versions its entries are keyed by go back.
    """
    db.engine.dispose()  # hold no connection of our own while the database is replaced
    try:
        contents = restore(current_app.config["SQLALCHEMY_DATABASE_URI"], file, replace=replace)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {_described(contents)} from {file}.")
    try:
        forgotten = get_cache().forget_shared()
    except (OSError, RedisError) as error:  # the data is restored: say what is left to do, don't fail
        click.echo(f"Could not empty the shared cache ({error}): empty it, or wait an hour, before serving pages.")
    else:
        click.echo(f"Emptied the shared cache ({forgotten:,} entries made before the restore).")
    click.echo("Run `flask --app tracker db upgrade` if the backup came from an older version.")


def register(app: Flask) -> None:
    """Add the two commands to Flask-Migrate's `flask db` group (registered just before)."""
    group = app.cli.commands["db"]
    assert isinstance(group, click.Group)
    group.add_command(backup_command)
    group.add_command(restore_command)

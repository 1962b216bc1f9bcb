"""Back up and restore the whole database, for `flask db backup FILE` and `flask db restore FILE`.

SQLite goes through its online backup API: a consistent copy taken while the app keeps writing
(a file copy can catch a page half-written, or miss what still sits in the write-ahead log).
PostgreSQL goes through pg_dump and pg_restore in the custom format: pg_dump reads one consistent
snapshot of every table, and pg_restore loads it in one transaction, so a failed restore leaves
nothing behind. Either way the backup is written beside its destination under a temporary name
and renamed into place only when complete, so a crash never leaves a half-written backup under
the name an operator expects.

A restore goes into an empty database unless `replace` is given: restoring over live data by
mistake is the one error a backup tool must not make easy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
MIGRATIONS_TABLE = "alembic_version"


class BackupError(Exception):
    """Something the operator must fix; the message says what, in plain words."""


@dataclass(frozen=True)
class DatabaseContents:
    """What a database holds: rows per table and the schema revision (None when never migrated)."""

    rows: dict[str, int]
    revision: str | None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def contents_of(url: str) -> DatabaseContents:
    """Count the rows of every table of the database at `url` (the migrations table aside)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return _counted(connection)
    finally:
        engine.dispose()


def _quoted(table: str) -> str:
    # Table names come from the database's own catalogue, never from input; quoting keeps names
    # such as "user" (a reserved word in PostgreSQL) working.
    return '"' + table.replace('"', '""') + '"'


def _counted(connection: Connection) -> DatabaseContents:
    tables = [name for name in inspect(connection).get_table_names() if name != MIGRATIONS_TABLE]
    rows = {name: connection.scalar(text(f"SELECT count(*) FROM {_quoted(name)}")) or 0 for name in tables}
    revision = None
    if MIGRATIONS_TABLE in inspect(connection).get_table_names():
        revision = connection.scalar(text(f"SELECT version_num FROM {MIGRATIONS_TABLE}"))
    return DatabaseContents(rows=rows, revision=revision)


def backup(url: str, destination: Path) -> DatabaseContents:
    """Write a consistent backup of the database at `url` to `destination`; return what it holds."""
    dialect = make_url(url).get_backend_name()
    with _written_atomically(destination) as partial:
        if dialect == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
            contents = contents_of("sqlite:///" + str(partial))
        elif dialect == "postgresql":
            contents = _pg_backup(url, partial)
        else:
            raise BackupError(f"Backups of {dialect} databases are not supported: use SQLite or PostgreSQL.")
    return contents


def restore(url: str, source: Path, replace: bool = False) -> DatabaseContents:
    """Load the backup `source` into the database at `url`; return what the database then holds."""
    dialect = make_url(url).get_backend_name()
    kind = backup_kind(source)
    if kind != dialect:
        raise BackupError(f"{source} is a {kind} backup, but the database is {dialect}.")
    existing = contents_of(url)
    if existing.total_rows and not replace:
        raise BackupError(
            f"The database already holds {existing.total_rows:,} rows. Restore into an empty database, "
            "or give --replace to overwrite everything in it."
        )
    if dialect == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    else:
        # Tables already there (an empty schema from `flask db upgrade`, or --replace) are dropped first.
        clean = ["--clean", "--if-exists"] if existing.rows else []
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *clean,
                f"--dbname={_libpq(url)}",
                str(source),
            ]
        )
    return contents_of(url)


def backup_kind(source: Path) -> str:
    """Say which database a backup file came from ("sqlite" or "postgresql"), or refuse the file."""
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with source.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header.startswith(SQLITE_HEADER):
        return "sqlite"
    if header.startswith(PG_CUSTOM_HEADER):
        return "postgresql"
    raise BackupError(f"{source} is not a backup made by `flask db backup`.")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _sqlite_backup(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    # One step (pages=-1): the copy is of one moment; writers wait for at most that long.
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(destination)) as copy:
        live.backup(copy)
        _check_integrity(copy, destination)


def _pg_backup(url: str, destination: Path) -> DatabaseContents:
    # pg_dump joins a snapshot exported by this transaction, so the counts reported are exactly the
    # rows in the file, however busy the database is meanwhile.
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={destination}",
                    _libpq(url),
                ]
            )
            return _counted(connection)
    finally:
        engine.dispose()


def _sqlite_restore(source: Path, destination: Path) -> None:
    with closing(sqlite3.connect(source)) as backup_file:
        _check_integrity(backup_file, source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        # The backup API replaces the destination's pages under its own lock: readers and writers in
        # other processes see the old database or the restored one, never a mixture.
        with closing(sqlite3.connect(destination, timeout=30)) as live:
            backup_file.backup(live)


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result[0] if result else 'no answer'}.")


def _libpq(url: str) -> str:
    # pg_dump and pg_restore take libpq URLs: the same address without SQLAlchemy's driver name.
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install PostgreSQL's client programs.")
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip() or finished.returncode}")


@contextmanager
def _written_atomically(destination: Path) -> Iterator[Path]:
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
    os.close(handle)
    partial = Path(name)
    partial.unlink()  # sqlite3 and pg_dump create it themselves
    try:
        yield partial
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)

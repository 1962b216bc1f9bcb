"""`flask db backup` / `flask db restore`: a backup taken while leads are writing restores into an empty
database with every row it had, frozen boards included; a restore never overwrites data by accident."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

import psycopg
import pytest
import redis
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.board.helpers import board_world
from tests.conftest import make_test_config, require_redis
from tests.factories import make_user
from tracker import create_app
from tracker.board.models import BoardSnapshot
from tracker.board.snapshots import freeze_board, load_snapshot
from tracker.core.backup import backup, contents_of, restore
from tracker.core.cache import cached
from tracker.extensions import db
from tracker.history.models import ChangeRecord
from tracker.programme.models import Action
from tracker.programme.status import Status
from tracker.programme.updates import ActionUpdate, update_action


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A second, empty database of the same kind as the one under test (dropped afterwards)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield "sqlite:///" + str(tmp_path / "restored.db")
        return
    name = f"{url.database}_restored"
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Writer(threading.Thread):
    """A lead saving progress notes through the update service, one commit after another."""

    def __init__(self, app, action_ids: list[int], user_id: int):
        super().__init__(daemon=True)
        self.app, self.action_ids, self.user_id = app, action_ids, user_id
        self.stop = threading.Event()
        self.committed_notes: list[str] = []
        self.failure: BaseException | None = None

    def run(self) -> None:
        from tracker.auth.models import User

        try:
            with self.app.app_context():
                user = db.session.get(User, self.user_id)
                n = 0
                while not self.stop.is_set():
                    action = db.session.get(Action, self.action_ids[n % len(self.action_ids)])
                    note = f"Write {n}"
                    update = ActionUpdate(status=action.status, progress_note=note, deadline=action.deadline)
                    update_action(action, user, update, action.version, date(2026, 11, 25))
                    db.session.commit()
                    self.committed_notes.append(note)
                    n += 1
                db.session.remove()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.failure = error


REDIS_URL = "redis://127.0.0.1:6379/14"


def test_a_backup_taken_under_write_load_restores_every_row_into_an_empty_database(
    app, database_url, empty_database, tmp_path
):
    world = board_world(actions_per_project=10, projects=3)
    admin = make_user("admin")
    freeze_board(world["programme"], world["earlier"], admin)
    db.session.commit()
    action_ids = list(db.session.scalars(select(Action.id).where(Action.status != Status.BLUE)))
    writer = Writer(app, action_ids, admin.id)
    writer.start()
    while len(writer.committed_notes) < 20 and writer.is_alive():
        time.sleep(0.01)
    committed_before = list(writer.committed_notes)

    backed_up = backup(database_url, tmp_path / "tracker.backup")

    committed_during = list(writer.committed_notes)
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.failure is None, writer.failure
    assert len(committed_during) > len(committed_before), "the writer kept writing while the backup ran"

    restored = restore(empty_database, tmp_path / "tracker.backup")

    assert restored.rows == backed_up.rows, "the restored database holds exactly the rows of the backup"
    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            notes = set(connection.scalars(select(ChangeRecord.new_value).where(ChangeRecord.field == "progress_note")))
            assert set(committed_before) <= notes, "every update acknowledged before the backup is in it"
            assert notes <= set(writer.committed_notes), "nothing in the backup that was never acknowledged"
            snapshot_rows = connection.execute(select(BoardSnapshot.content, BoardSnapshot.content_sha256)).all()
        with app.app_context():
            original = db.session.execute(select(BoardSnapshot.content, BoardSnapshot.content_sha256)).all()
    finally:
        engine.dispose()
    assert snapshot_rows == original, "the frozen board is restored byte for byte"
    content, sha256 = snapshot_rows[0]
    assert load_snapshot(BoardSnapshot(content=content, content_sha256=sha256))["programme"]


def test_a_restore_refuses_a_database_with_data_and_a_file_that_is_not_a_backup(app, database_url, tmp_path):
    board_world()
    db.session.commit()
    runner = app.test_cli_runner()
    backup_file = tmp_path / "tracker.backup"
    assert runner.invoke(args=["db", "backup", str(backup_file)]).exit_code == 0
    before = contents_of(database_url)

    refused = runner.invoke(args=["db", "restore", str(backup_file)])
    assert refused.exit_code != 0
    assert f"already holds {before.total_rows:,} rows" in refused.output
    assert "--replace" in refused.output

    not_a_backup = tmp_path / "holiday-photo.db"
    not_a_backup.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    wrong = runner.invoke(args=["db", "restore", str(not_a_backup), "--replace"])
    assert wrong.exit_code != 0
    assert "is not a backup made by `flask db backup`" in wrong.output
    assert "Traceback" not in wrong.output
    assert contents_of(database_url) == before, "a refused restore changes nothing"
    assert db.session.scalar(select(func.count()).select_from(Action)) == before.rows["action"]
    db.session.execute(text("SELECT 1"))


def test_a_restore_empties_the_shared_cache_whose_entries_it_makes_stale(app, database_url, empty_database, tmp_path):
    """After a restore the data versions go back: a page cached in Redis for such a version since the backup
    would be served for other data. The restore deletes this installation's entries, and only those."""
    require_redis(REDIS_URL)
    board_world()
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "tracker.backup")]).exit_code == 0
    prefix = f"test-{uuid.uuid4().hex}:"
    other_installation = redis.Redis.from_url(REDIS_URL)
    other_installation.set(f"other-{prefix}overview:1:7", b"kept")
    restored_app = create_app(make_test_config(empty_database, REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix))
    with restored_app.app_context():
        cached("overview:1:7:2026-11-25", lambda: "a page of data made after the backup")
        db.engine.dispose()

    assert list(other_installation.scan_iter(match=prefix + "*")), "the entry is in Redis before the restore"
    restore_args = ["db", "restore", str(tmp_path / "tracker.backup"), "--replace"]  # the app made its own rows
    with restored_app.app_context():  # the command runs in the current app context: this app's, not the test's
        result = restored_app.test_cli_runner().invoke(args=restore_args)
        db.engine.dispose()

    assert result.exit_code == 0, result.output
    assert "Emptied the shared cache (1 entries made before the restore)." in result.output
    assert not list(other_installation.scan_iter(match=prefix + "*"))
    assert other_installation.get(f"other-{prefix}overview:1:7") == b"kept", "another installation's entries stay"
    other_installation.delete(f"other-{prefix}overview:1:7")
    with restored_app.app_context():
        assert cached("overview:1:7:2026-11-25", lambda: "read again") == "read again"
        db.engine.dispose()

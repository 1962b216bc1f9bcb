"""The committed Alembic revisions build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import make_test_config
from tracker import PROJECT_ROOT, create_app
from tracker.extensions import db

MIGRATIONS = str(PROJECT_ROOT / "migrations")


@pytest.fixture
def empty_database_url(tmp_path):
    """An empty database of the kind the suite runs on (a fresh PostgreSQL database when configured)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path}/migrations.db"
        return
    name = f"tracker_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_builds_the_model_schema_and_downgrade_removes_it(empty_database_url):
    app = create_app(make_test_config(empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "models and migrations disagree; generate a revision with 'flask db migrate'"
        downgrade(directory=MIGRATIONS, revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_upgrading_an_existing_database_gives_rows_their_slugs_and_the_programme_a_short_name(empty_database_url):
    app = create_app(make_test_config(empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0001_initial")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO programme (name, vision, board_name, board_cycle_weeks, reference_board_date,"
                    " public_progress_pages, data_version) VALUES ('P', '', 'Board', 6, '2023-03-17', false, 1)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO workstream (ref, ref_sort, position, title, description)"
                    " VALUES ('E2.14', 'E000002.000014', 0, 'Travel', '')"
                )
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT slug FROM workstream")).scalar_one() == "e2.14"
            assert connection.execute(text("SELECT short_name FROM programme")).scalar_one() == "programme"
            programme_id = connection.execute(text("SELECT id FROM programme")).scalar_one()
            assert connection.execute(text("SELECT programme_id FROM workstream")).scalar_one() == programme_id
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()


def test_items_without_a_programme_join_one_set_up_for_them(empty_database_url):
    """An installation that had items but never set up its programme gets one, so nothing is orphaned."""
    app = create_app(make_test_config(empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0003_kpi_refs_places")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO workstream (ref, ref_sort, slug, position, title, description)"
                    " VALUES ('A', 'A', 'a', 0, 'Children', '')"
                )
            )
            workstream_id = connection.execute(text("SELECT id FROM workstream")).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO project (workstream_id, ref, ref_sort, slug, position, title, deliverables, impact,"
                    " status, progress, next_steps, updated_at, version)"
                    " VALUES (:ws, 'A1', 'A000001', 'a1', 0, 'Hubs', '', '', 'amber', '', '', '2026-01-01', 1)"
                ),
                {"ws": workstream_id},
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            programme_id, short_name = connection.execute(text("SELECT id, short_name FROM programme")).one()
            assert short_name == "programme"
            for table in ("workstream", "project"):
                assert connection.execute(text(f"SELECT programme_id FROM {table}")).scalar_one() == programme_id
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()


def test_the_migrations_have_one_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads: {heads}; merge them with 'flask db merge'"


def _row_counts() -> dict[str, int]:
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    with db.engine.connect() as connection:
        return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one() for table in tables}


def test_each_downgrade_and_the_upgrade_back_keep_the_rows_of_a_real_programme(empty_database_url):
    """The children demo with its KPIs, accounts and board cycle (frozen boards, a round, risks): every step
    down keeps the rows of the tables that remain, and upgrading back to the head keeps them too."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tests.conftest import TODAY
    from tracker.demo.board_cycle import load_demo_board_cycle
    from tracker.demo.loader import CHILDREN, load_demo_accounts, load_demo_kpis, load_demo_programme
    from tracker.programme.queries_programmes import programme_by_short_name

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    revisions = [revision.revision for revision in ScriptDirectory.from_config(config).walk_revisions()]
    app = create_app(make_test_config(empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        load_demo_programme(TODAY, CHILDREN)
        load_demo_kpis(CHILDREN)
        load_demo_accounts([CHILDREN.short_name])
        load_demo_board_cycle(programme_by_short_name(CHILDREN.short_name), TODAY, CHILDREN.risks)
        db.session.commit()
        db.session.remove()
        at_head = _row_counts()
        assert at_head["action"] > 100 and at_head["board_snapshot"] == 2 and at_head["risk"] > 0

        for revision in revisions[1:]:  # newest first: step down one revision at a time, to the first
            downgrade(directory=MIGRATIONS, revision=revision)
            remaining = _row_counts()
            assert remaining == {table: at_head[table] for table in remaining}, f"rows lost going down to {revision}"
        upgrade(directory=MIGRATIONS)
        back = _row_counts()
        assert {table: back[table] for table in remaining} == {table: at_head[table] for table in remaining}
        db.engine.dispose()

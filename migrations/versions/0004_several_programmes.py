"""several programmes: items and KPIs belong to a programme, refs unique within it; roles per programme

Revision ID: 0004_several_programmes
Revises: 0003_kpi_refs_places
Create Date: 2026-12-03 13:00:00

Every existing workstream, project, action and KPI joins the installation's programme (the first
one; one is set up, named "Programme", when items exist without any). Refs and slugs become unique
within a programme instead of across the installation.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004_several_programmes"
down_revision = "0003_kpi_refs_places"
branch_labels = None
depends_on = None

ITEM_TABLES = ("workstream", "project", "action", "kpi")


def _programme_for_existing_items(connection) -> int | None:
    programme_id = connection.execute(sa.text("SELECT id FROM programme ORDER BY id LIMIT 1")).scalar()
    if programme_id is not None:
        return programme_id
    has_items = any(connection.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() for table in ITEM_TABLES)
    if not has_items:
        return None
    connection.execute(
        sa.text(
            "INSERT INTO programme (name, short_name, vision, board_name, board_cycle_weeks, reference_board_date,"
            " public_progress_pages, data_version) VALUES ('Programme', 'programme', '', 'Programme board', 6,"
            " :today, false, 1)"
        ),
        {"today": datetime.now(UTC).date()},
    )
    return connection.execute(sa.text("SELECT id FROM programme ORDER BY id LIMIT 1")).scalar()


def upgrade():
    connection = op.get_bind()
    programme_id = _programme_for_existing_items(connection)
    for table in ITEM_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("programme_id", sa.Integer(), nullable=True))
        if programme_id is not None:
            connection.execute(sa.text(f"UPDATE {table} SET programme_id = :id"), {"id": programme_id})
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("programme_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_programme_id"), ["programme_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_programme_id_programme"), "programme", ["programme_id"], ["id"]
            )
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_ref"), type_="unique")
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_slug"), type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_programme_slug", ["programme_id", "slug"])

    op.create_table(
        "programme_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "lead", "viewer", name="role", native_enum=False, create_constraint=True, length=8),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_programme_role_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_programme_role_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "programme_id", name=op.f("pk_programme_role")),
    )
    with op.batch_alter_table("programme_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_role_programme_id"), ["programme_id"], unique=False)


def downgrade():
    with op.batch_alter_table("programme_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_role_programme_id"))
    op.drop_table("programme_role")
    for table in reversed(ITEM_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_programme_slug", type_="unique")
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_slug"), ["slug"])
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_ref"), ["ref"])
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_programme_id_programme"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_programme_id"))
            batch_op.drop_column("programme_id")

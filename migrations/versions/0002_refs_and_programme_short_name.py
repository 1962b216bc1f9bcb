"""refs up to 40 characters with web-address slugs; programme short names

Revision ID: 0002_refs_short_name
Revises: 0001_initial
Create Date: 2026-12-03 09:20:00

Existing rows get their slug from their ref by the same rule the models use, and the first
programme the short name "programme" (later ones "programme-<id>"), before the columns become
required and unique.
"""

import sqlalchemy as sa
from alembic import op

from tracker.core.refs import ref_slug

revision = "0002_refs_short_name"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

ITEM_TABLES = ("workstream", "project", "action")


def _fill_slugs(table: str) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, ref FROM {table}")).all()
    for row_id, ref in rows:
        connection.execute(
            sa.text(f"UPDATE {table} SET slug = :slug WHERE id = :id"), {"slug": ref_slug(ref), "id": row_id}
        )


def upgrade():
    for table in ITEM_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "ref", existing_type=sa.String(length=20), type_=sa.String(length=40), existing_nullable=False
            )
            batch_op.alter_column(
                "ref_sort", existing_type=sa.String(length=80), type_=sa.String(length=120), existing_nullable=False
            )
            batch_op.add_column(sa.Column("slug", sa.String(length=40), nullable=True))
        _fill_slugs(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("slug", existing_type=sa.String(length=40), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_slug"), ["slug"])

    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_name", sa.String(length=30), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM programme ORDER BY id")).all()]
    for position, programme_id in enumerate(ids):
        name = "programme" if position == 0 else f"programme-{programme_id}"
        connection.execute(
            sa.text("UPDATE programme SET short_name = :name WHERE id = :id"), {"name": name, "id": programme_id}
        )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.alter_column("short_name", existing_type=sa.String(length=30), nullable=False)
        batch_op.create_unique_constraint("uq_programme_short_name", ["short_name"])


def downgrade():
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_constraint("uq_programme_short_name", type_="unique")
        batch_op.drop_column("short_name")
    for table in ITEM_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_slug"), type_="unique")
            batch_op.drop_column("slug")
            batch_op.alter_column(
                "ref_sort", existing_type=sa.String(length=120), type_=sa.String(length=80), existing_nullable=False
            )
            batch_op.alter_column(
                "ref", existing_type=sa.String(length=40), type_=sa.String(length=20), existing_nullable=False
            )

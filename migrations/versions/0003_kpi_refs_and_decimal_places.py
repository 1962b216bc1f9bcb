"""KPI refs up to 40 characters with web-address slugs; the decimal places a KPI is published to

Revision ID: 0003_kpi_refs_places
Revises: 0002_refs_short_name
Create Date: 2026-12-03 09:45:00

Existing KPIs get their slug from their ref by the same rule the model uses, before the column
becomes required and unique; their decimal places stay empty (the unit's default).
"""

import sqlalchemy as sa
from alembic import op

from tracker.core.refs import ref_slug

revision = "0003_kpi_refs_places"
down_revision = "0002_refs_short_name"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.alter_column(
            "ref", existing_type=sa.String(length=20), type_=sa.String(length=40), existing_nullable=False
        )
        batch_op.alter_column(
            "ref_sort", existing_type=sa.String(length=80), type_=sa.String(length=120), existing_nullable=False
        )
        batch_op.add_column(sa.Column("slug", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("decimal_places", sa.Integer(), nullable=True))
    connection = op.get_bind()
    for kpi_id, ref in connection.execute(sa.text("SELECT id, ref FROM kpi")).all():
        connection.execute(sa.text("UPDATE kpi SET slug = :slug WHERE id = :id"), {"slug": ref_slug(ref), "id": kpi_id})
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.alter_column("slug", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_kpi_slug"), ["slug"])
        batch_op.create_check_constraint(
            "kpi_decimal_places_range", "decimal_places IS NULL OR (decimal_places >= 0 AND decimal_places <= 6)"
        )


def downgrade():
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_kpi_kpi_decimal_places_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_kpi_slug"), type_="unique")
        batch_op.drop_column("decimal_places")
        batch_op.drop_column("slug")
        batch_op.alter_column(
            "ref_sort", existing_type=sa.String(length=120), type_=sa.String(length=80), existing_nullable=False
        )
        batch_op.alter_column(
            "ref", existing_type=sa.String(length=40), type_=sa.String(length=20), existing_nullable=False
        )

"""the programme change journal: what each bump of a programme's data version touched

Revision ID: 0008_programme_change_journal
Revises: 0007_second_factor
Create Date: 2026-12-03 19:10:00

Readers holding a live position at one data version re-read only the items journalled since
(tracker.programme.data_version.changes_since). Starts empty: a reader finding no entries for the
versions it lacks rebuilds, so existing installations need no back-fill.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_programme_change_journal"
down_revision = "0007_second_factor"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programme_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item_type", sa.String(length=20), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_programme_change_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_change")),
    )
    with op.batch_alter_table("programme_change", schema=None) as batch_op:
        batch_op.create_index("ix_programme_change_programme_version", ["programme_id", "version"], unique=False)


def downgrade():
    with op.batch_alter_table("programme_change", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_change_programme_version")
    op.drop_table("programme_change")

"""Local units and plan jurisdictions, co-leads and guides, leader notes, recurring checkpoints.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=64), nullable=True))

    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=64), nullable=True))

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("responsibility_note", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("recurrence", sa.String(length=16), nullable=True))

    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marker", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_column("marker")

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("recurrence")
        batch_op.drop_column("responsibility_note")

    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("jurisdiction")

    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("jurisdiction")

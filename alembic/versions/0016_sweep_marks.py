"""Sweeps keep a watermark, and find what changed since it through indexes.

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "sweep_mark",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("through", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sweep_mark")),
    )
    # Not batches: SQLite would copy the tables and lose their feed-version triggers (0008).
    op.create_index(op.f("ix_task_updated_at"), "task", ["updated_at"], unique=False)
    op.create_index(op.f("ix_assignment_created_at"), "assignment", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_assignment_acknowledged_at"), "assignment", ["acknowledged_at"], unique=False
    )
    op.create_index(op.f("ix_delivery_kind"), "delivery", ["kind", "created_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_delivery_kind"), table_name="delivery")
    op.drop_index(op.f("ix_assignment_acknowledged_at"), table_name="assignment")
    op.drop_index(op.f("ix_assignment_created_at"), table_name="assignment")
    op.drop_index(op.f("ix_task_updated_at"), table_name="task")
    op.drop_table("sweep_mark")

"""One send budget for every process: the messages admitted in the last minute.

Revision ID: 0017
Revises: 0018
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "send_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("hold", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_slot")),
    )
    op.create_index(op.f("ix_send_slot_chat_id"), "send_slot", ["chat_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_send_slot_chat_id"), table_name="send_slot")
    op.drop_table("send_slot")

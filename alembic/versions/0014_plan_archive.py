"""A plan can be archived: it leaves every list, sweep and feed, and can be restored.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # Not a batch: SQLite would copy the table and lose its feed-version triggers (0008).
    op.add_column("plan", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("plan", "archived_at")  # SQLite 3.35 and later drop a column in place

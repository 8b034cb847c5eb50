"""The installation's calendar UID domain, chosen once; databases that already exist keep @annexbot.

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What every installation's UIDs ended in before; subscribers of an existing database keep it.
LEGACY_DOMAIN = "annexbot"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid_domain", sa.String(length=253), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installation")),
    )
    # A database that already holds a plan has subscribers whose calendars know its UIDs.
    op.execute(
        sa.text(
            "INSERT INTO installation (id, uid_domain, created_at) "
            "SELECT 1, :domain, min(created_at) FROM plan HAVING count(*) > 0"
        ).bindparams(domain=LEGACY_DOMAIN)
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("installation")

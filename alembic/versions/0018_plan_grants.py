"""Coordinators limited to some plans: one row per (coordinator, plan) they supervise.

A coordinator without rows supervises every plan, as before. The table is watched by the feed
data version triggers of 0008, since a coordinator's own feed covers only their plans.

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "plan_grant"
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE feed_data_version SET counter = counter + 1 WHERE id = 1"
FUNCTION = "feed_data_changed"  # made by 0008


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        TABLE,
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_plan_grant_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_grant_plan_id_plan"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("member_id", "plan_id", name=op.f("pk_plan_grant")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_grant_plan_id"), ["plan_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f'CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE ON "{TABLE}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
        return
    for event in EVENTS:
        op.execute(
            f"CREATE TRIGGER {FUNCTION}_{TABLE}_{event.lower()} AFTER {event} "
            f'ON "{TABLE}" BEGIN {BUMP}; END'
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP TRIGGER {FUNCTION} ON "{TABLE}"')
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER {FUNCTION}_{TABLE}_{event.lower()}")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_grant_plan_id"))
    op.drop_table(TABLE)

"""Feeds: the installation's UID domain, and a data version the database keeps by triggers.

The UID domain is chosen once; a database that already holds plans keeps @annexbot, as its
subscribers' calendars know those UIDs. The data version is one counter row that every write
to what a feed shows raises (row triggers on SQLite, statement triggers on PostgreSQL), so a
feed knows it is unchanged with one indexed read, whichever code did the writing.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What every installation's UIDs ended in before; subscribers of an existing database keep it.
LEGACY_DOMAIN = "annexbot"
# Every table whose rows a feed shows or selects by (feed tokens and the audit log are not).
WATCHED = (
    "plan",
    "task",
    "milestone",
    "assignment",
    "status_report",
    "agency",
    "member",
    "setting_override",
)
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE feed_data_version SET counter = counter + 1 WHERE id = 1"
FUNCTION = "feed_data_changed"


def _create_triggers() -> None:
    """Raise the counter on every write to a watched table."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(
                f'CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
        return
    for table in WATCHED:
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER {FUNCTION}_{table}_{event.lower()} AFTER {event} "
                f'ON "{table}" BEGIN {BUMP}; END'
            )


def _drop_triggers() -> None:
    """Remove what _create_triggers made."""
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f'DROP TRIGGER {FUNCTION} ON "{table}"')
        op.execute(f"DROP FUNCTION {FUNCTION}()")
        return
    for table in WATCHED:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER {FUNCTION}_{table}_{event.lower()}")


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
    op.create_table(
        "feed_data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_data_version")),
    )
    op.execute("INSERT INTO feed_data_version (id, counter) VALUES (1, 0)")
    _create_triggers()


def downgrade() -> None:
    """Downgrade schema."""
    _drop_triggers()
    op.drop_table("feed_data_version")
    op.drop_table("installation")

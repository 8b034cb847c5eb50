"""The working-day calendar in the database, seeded from chinese-calendar for the years it covers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

"""

import datetime as dt
from collections.abc import Sequence
from importlib.metadata import version

import chinese_calendar
import sqlalchemy as sa
from chinese_calendar.constants import holidays, workdays

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The package's short names, as the State Council's notices print them.
NOTICE_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def _seed() -> None:
    """Write every year chinese-calendar covers, as it has it, marked as seeded from it."""
    now = dt.datetime.now(dt.UTC)
    names = {h.value: NOTICE_NAMES.get(h.chinese, h.chinese) for h in chinese_calendar.Holiday}
    years = sorted({day.year for day in holidays})
    note = f"chinesecalendar {version('chinesecalendar')}"
    year_table = sa.table(
        "calendar_year",
        sa.column("year", sa.Integer),
        sa.column("source", sa.String),
        sa.column("note", sa.Text),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    day_table = sa.table(
        "calendar_day",
        sa.column("day", sa.Date),
        sa.column("working", sa.Boolean),
        sa.column("name", sa.String),
        sa.column("year", sa.Integer),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        year_table,
        [{"year": y, "source": "chinese-calendar", "note": note, "updated_at": now} for y in years],
    )
    rows = [
        {"day": day, "working": working, "name": names[name], "year": day.year, "updated_at": now}
        for working, source in ((False, holidays), (True, workdays))
        for day, name in sorted(source.items())
    ]
    op.bulk_insert(day_table, rows)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["member.id"],
            name=op.f("fk_calendar_year_updated_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
    )
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_day_year"), ["year"], unique=False)
    _seed()


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_day_year"))
    op.drop_table("calendar_day")
    op.drop_table("calendar_year")

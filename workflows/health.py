"""Health: the database answers, a scheduler leader is known, the outbox lag is in bounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState
from db.leader import LOCK_KEY
from db.models import Delivery

# Beyond this, due messages are not going out: no sender runs, or Telegram refuses them.
OUTBOX_LAG_LIMIT = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class OutboxLag:
    """Due outbox messages: how many, and the age of the oldest (zero when none waits)."""

    due: int
    lag: dt.timedelta

    @property
    def ok(self) -> bool:
        """Whether the oldest due message waits less than the limit."""
        return self.lag < OUTBOX_LAG_LIMIT


async def database_answers(*, session: AsyncSession) -> None:
    """Run the cheapest query there is; raises when the database cannot answer."""
    await session.execute(text("SELECT 1"))


async def leader_known(*, session: AsyncSession, key: int = LOCK_KEY) -> bool:
    """Whether a process leads the scheduler (SQLite: this one; PostgreSQL: the lock's holder)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    held = await session.scalar(
        text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = :key"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
        ),
        {"key": key},
    )
    return bool(held)


async def outbox_lag(*, session: AsyncSession, now: dt.datetime) -> OutboxLag:
    """Deliveries a sender should have claimed by now: due, or left with a lapsed lease."""
    due, oldest = (
        await session.execute(
            select(func.count(), func.min(Delivery.next_attempt_at)).where(
                Delivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)),
                Delivery.next_attempt_at <= now,
            )
        )
    ).one()
    lag = max(now - oldest, dt.timedelta(0)) if oldest is not None else dt.timedelta(0)
    return OutboxLag(due=int(due), lag=lag)

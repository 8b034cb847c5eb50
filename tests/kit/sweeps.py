"""Running a sweep in a test: on the harness clock (bot), or straight on the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.runtime import Runtime
from db.enums import DeliveryState
from db.models import Delivery, Member
from tests.bot.harness import BotHarness
from tests.kit.beijing import BEIJING

Planner = Callable[..., Awaitable[int]]  # a workflow's plan_*(session, *, now) -> queued


async def run_sweep(
    harness: BotHarness, sweep: Callable[[Runtime], Awaitable[int]], at: dt.datetime
) -> int:
    """Move the clock, run a job's sweep and send what it queued; how many it queued."""
    harness.clock.current = at
    queued = await sweep(harness.runtime)
    await harness.sender.drain()
    return queued


async def sweep_and_send(
    sessions: async_sessionmaker[AsyncSession], planner: Planner, now: dt.datetime
) -> int:
    """One sweep, then mark what is due as sent, as the outbox sender would; how many queued."""
    async with sessions() as session:
        queued = await planner(session, now=now)
        await session.execute(
            update(Delivery)
            .where(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now)
            .values(state=DeliveryState.SENT, sent_at=now)
        )
        await session.commit()
        return queued


async def sent_to_members(
    sessions: async_sessionmaker[AsyncSession],
) -> list[tuple[Delivery, int, dt.date]]:
    """Every delivery sent to a member: the row, their Telegram id, the Beijing send date."""
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery, Member.telegram_id)
            .join(Member, Member.id == Delivery.member_id)
            .where(Delivery.state == DeliveryState.SENT)
            .order_by(Delivery.id)
        )
        return [
            (d, telegram_id, d.sent_at.astimezone(BEIJING).date())
            for d, telegram_id in rows
            if d.sent_at is not None
        ]

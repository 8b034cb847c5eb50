"""The per-member daily cap on unsolicited messages: past it, the rest wait for the morning."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState
from db.models import Delivery
from workflows.holiday_calendar import load_calendar
from workflows.workdays import QUIET_END, QUIET_START


async def messages_today(
    session: AsyncSession,
    *,
    member_id: int,
    kinds: Collection[str],
    now: dt.datetime,
    timezone: str,
) -> int:
    """How many messages of these kinds went to a member since local midnight."""
    zone = zoneinfo.ZoneInfo(timezone)
    midnight = dt.datetime.combine(now.astimezone(zone).date(), dt.time(), tzinfo=zone)
    count = await session.scalar(
        select(func.count(func.distinct(Delivery.telegram_message_id))).where(
            Delivery.member_id == member_id,
            Delivery.kind.in_(kinds),
            Delivery.state == DeliveryState.SENT,
            Delivery.sent_at >= midnight.astimezone(dt.UTC),
        )
    )
    return int(count or 0)


async def capped_until(
    session: AsyncSession,
    *,
    member_id: int,
    kinds: Collection[str],
    cap: int,
    now: dt.datetime,
    timezone: str,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
) -> dt.datetime | None:
    """When a member may be sent another message of these kinds, if not now (cap 0: no cap)."""
    if cap <= 0:
        return None
    sent = await messages_today(
        session, member_id=member_id, kinds=kinds, now=now, timezone=timezone
    )
    if sent < cap:
        return None
    zone = zoneinfo.ZoneInfo(timezone)
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    calendar = await load_calendar(session)
    return calendar.next_send_time(
        dt.datetime.combine(tomorrow, dt.time(), tzinfo=zone),
        timezone=timezone,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )

"""Asking the coordinators, once a week, for next year's holiday notice before the calendar ends.

From 60 days before the last covered year ends (the State Council publishes the notice around
November), every active coordinator is asked on the first working morning of each week, until
the notice is imported. A year that has begun without a calendar is asked for in the same way.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole
from db.models import Member
from workflows.holiday_calendar import covered_years, load_calendar
from workflows.outbox.queue import enqueue
from workflows.status import local_today
from workflows.workdays import QUIET_END, QUIET_START

NOTICE_REQUEST_KIND = "calendar_notice_request"
ASK_BEFORE = dt.timedelta(days=60)


@dataclass(frozen=True)
class NoticeRequest:
    """The year whose notice is missing, and the last year the calendar covers."""

    year: int
    last_year: int | None


def wanted_year(years: frozenset[int], today: dt.date) -> int | None:
    """The year whose notice should be asked for today, if any."""
    year = today.year
    while year in years:
        year += 1
    return year if today >= asking_from(year) else None


def asking_from(year: int) -> dt.date:
    """The first day on which a year's notice is asked for."""
    return dt.date(year - 1, 12, 31) - ASK_BEFORE


def request_key(year: int, week: dt.date, member_id: int) -> str:
    """The key of one week's request to one coordinator."""
    return f"{NOTICE_REQUEST_KIND}:{year}:{week.isoformat()}:{member_id}"


async def plan_notice_requests(
    session: AsyncSession,
    *,
    now: dt.datetime,
    timezone: str,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
) -> int:
    """One sweep: queue this week's request for a missing notice to each coordinator; how many."""
    today = local_today(now, timezone)
    year = wanted_year(await covered_years(session), today)
    if year is None:
        await session.commit()
        return 0
    week = today - dt.timedelta(days=today.weekday())
    start = max(week, asking_from(year))
    calendar = await load_calendar(session)

    def send_time(at: dt.datetime) -> dt.datetime:
        return calendar.next_send_time(
            at, timezone=timezone, quiet_start=quiet_start, quiet_end=quiet_end
        )

    moment = send_time(dt.datetime.combine(start, dt.time(0), tzinfo=zoneinfo.ZoneInfo(timezone)))
    # A week without a working morning (the Spring Festival) leaves its request to the next.
    if moment > now or local_today(moment, timezone) >= week + dt.timedelta(days=7):
        await session.commit()
        return 0
    # A sweep late at night (after downtime) still waits for the morning.
    not_before = max(moment, send_time(now))
    coordinators = await session.execute(
        select(Member.id, Member.telegram_id)
        .where(
            Member.role == MemberRole.COORDINATOR,
            Member.left_at.is_(None),
            Member.reachable.is_(True),
            Member.created_at <= now,
        )
        .order_by(Member.id)
    )
    queued = 0
    for member_id, telegram_id in coordinators:
        queued += await enqueue(
            session,
            key=request_key(year, week, member_id),
            kind=NOTICE_REQUEST_KIND,
            chat_id=telegram_id,
            member_id=member_id,
            payload={"year": year},
            now=now,
            not_before=not_before,
        )
    await session.commit()
    return queued


async def notice_request(session: AsyncSession, *, year: int) -> NoticeRequest | None:
    """What a queued request says; None once the year's notice has been imported."""
    years = await covered_years(session)
    if year in years:
        return None
    return NoticeRequest(year=year, last_year=max(years, default=None))

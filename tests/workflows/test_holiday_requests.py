"""The weekly request for next year's notice: from 60 days before the calendar ends, to import."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import MemberRole
from db.models import Delivery, Member
from tests.workflows.calendars import notice_text
from workflows.holiday_calendar import import_notice
from workflows.holiday_requests import (
    NOTICE_REQUEST_KIND,
    notice_request,
    plan_notice_requests,
    wanted_year,
)

Sessions = async_sessionmaker[AsyncSession]
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
TZ = "Asia/Shanghai"
BOSSES = (900, 901)


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A Beijing wall-clock moment, as aware UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING).astimezone(dt.UTC)


async def coordinators(sessions: Sessions) -> None:
    """Two coordinators and a liaison-less office; one coordinator who left."""
    async with sessions() as session:
        for telegram_id in (*BOSSES, 902):
            session.add(
                Member(
                    telegram_id=telegram_id,
                    display_name=f"boss {telegram_id}",
                    role=MemberRole.COORDINATOR,
                    created_at=beijing(2026, 1, 5),
                    left_at=beijing(2026, 6, 1) if telegram_id == 902 else None,
                )
            )
        await session.commit()


async def sweep_often(sessions: Sessions, first: dt.datetime, last: dt.datetime) -> None:
    """Run the sweep from `first` to `last` at midnight, 08:30, 13:00 and 22:00 each day."""
    day = first.astimezone(BEIJING).date()
    while day <= last.astimezone(BEIJING).date():
        for hour, minute in ((0, 30), (8, 30), (13, 0), (22, 0)):
            now = beijing(day.year, day.month, day.day, hour, minute)
            if first <= now <= last:
                async with sessions() as session:
                    await plan_notice_requests(session, now=now, timezone=TZ)
        day += dt.timedelta(days=1)


async def requests(sessions: Sessions) -> list[tuple[int, int, dt.datetime]]:
    """(chat, year asked for, when it may go) of every request queued."""
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery.chat_id, Delivery.payload, Delivery.next_attempt_at)
            .where(Delivery.kind == NOTICE_REQUEST_KIND)
            .order_by(Delivery.next_attempt_at, Delivery.chat_id)
        )
        return [(chat, int(payload["year"]), at) for chat, payload, at in rows]


def test_which_year_is_wanted_and_from_when() -> None:
    """The first uncovered year from today on, from 60 days before the year before it ends."""
    covered = frozenset(range(2004, 2027))
    assert wanted_year(covered, dt.date(2026, 10, 31)) is None
    assert wanted_year(covered, dt.date(2026, 11, 1)) == 2027
    assert wanted_year(covered, dt.date(2027, 3, 1)) == 2027
    assert wanted_year(covered | {2027}, dt.date(2027, 3, 1)) is None
    assert wanted_year(frozenset(), dt.date(2027, 3, 1)) == 2027


async def test_once_a_week_on_the_first_working_morning_until_the_notice_is_in(
    session_factory: Sessions,
) -> None:
    """From November 2026, Mondays at 08:30 to each active coordinator; none once imported."""
    await coordinators(session_factory)
    await sweep_often(session_factory, beijing(2026, 10, 28), beijing(2026, 11, 18, 12))
    mondays = [
        beijing(2026, 11, 2, 8, 30),
        beijing(2026, 11, 9, 8, 30),
        beijing(2026, 11, 16, 8, 30),
    ]
    assert await requests(session_factory) == [
        (boss, 2027, monday) for monday in mondays for boss in BOSSES
    ]
    async with session_factory() as session:
        assert await notice_request(session, year=2027) is not None
        await import_notice(
            session, text=notice_text("2027-written"), now=beijing(2026, 11, 18, 12), apply=True
        )
    async with session_factory() as session:
        assert await notice_request(session, year=2027) is None
    await sweep_often(session_factory, beijing(2026, 11, 18, 13), beijing(2026, 11, 30, 12))
    assert len(await requests(session_factory)) == 6


async def test_a_year_begun_without_a_calendar_is_asked_for_on_working_mornings(
    session_factory: Sessions,
) -> None:
    """Into January 2027 with no 2027 calendar: still asked for, weekly.

    The walk starts on Thursday 31 December, after its week's Monday: that week's request goes
    at once; the next on Monday 4 January.
    """
    await coordinators(session_factory)
    await sweep_often(session_factory, beijing(2026, 12, 31, 13), beijing(2027, 1, 5, 12))
    asked = await requests(session_factory)
    assert [(chat, year) for chat, year, _ in asked] == [
        (BOSSES[0], 2027),
        (BOSSES[1], 2027),
        (BOSSES[0], 2027),
        (BOSSES[1], 2027),
    ]
    assert [at for _, _, at in asked] == [
        beijing(2026, 12, 31, 13),
        beijing(2026, 12, 31, 13),
        beijing(2027, 1, 4, 8, 30),
        beijing(2027, 1, 4, 8, 30),
    ]

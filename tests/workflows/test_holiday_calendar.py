"""The calendar in the database: seeded, notices imported, single days, sweeps using it."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import MemberRole
from db.models import Agency, AuditEvent, CalendarYear, Delivery, Member
from tests.workflows.calendars import REAL_NOTICE_YEARS, notice_text, package_calendar, year_days
from workflows import workdays
from workflows.errors import NotFoundError, NoticeFormatError
from workflows.holiday_calendar import (
    NOTICE,
    SEEDED,
    clear_day,
    import_notice,
    load_calendar,
    set_day,
    year_view,
)
from workflows.importing.service import bundled_annex, import_annex
from workflows.planning import set_due
from workflows.reminders import REMINDER_KIND, plan_deadline_reminders

Sessions = async_sessionmaker[AsyncSession]
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
TZ = "Asia/Shanghai"
NOW = dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.UTC)
PACKAGE = package_calendar()
BOSS, LIAISON = 900, 1


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A Beijing wall-clock moment, as aware UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING).astimezone(dt.UTC)


async def test_the_seeded_calendar_is_the_package_calendar(session_factory: Sessions) -> None:
    """2004-2026 come from chinese-calendar, day for day and name for name; 2027 is not covered."""
    async with session_factory() as session:
        calendar = await load_calendar(session)
        sources = set(await session.scalars(select(CalendarYear.source)))
    assert calendar.years == frozenset(range(2004, 2027))
    assert sources == {SEEDED}
    assert not calendar.covers(2027)
    for year in range(2004, 2027):
        for day in year_days(year):
            assert calendar.is_working_day(day) == PACKAGE.is_working_day(day), day
    assert set(calendar.holidays) == set(PACKAGE.holidays)
    assert set(calendar.workdays) == set(PACKAGE.workdays)
    assert calendar.holiday_name(dt.date(2026, 4, 5)) == "清明节"
    assert calendar.holiday_name(dt.date(2026, 2, 14)) == "春节"


@pytest.mark.parametrize("year", REAL_NOTICE_YEARS)
async def test_importing_a_real_notice_over_the_seed_moves_no_working_day(
    session_factory: Sessions, year: int
) -> None:
    """The preview names what changes; a real notice changes no day's working or not."""
    async with session_factory() as session:
        preview = await import_notice(session, text=notice_text(year), now=NOW)
        assert not preview.applied
        assert preview.previous_source == SEEDED
        assert preview.moved == ()
        result = await import_notice(session, text=notice_text(year), now=NOW, apply=True)
        assert result.applied
    async with session_factory() as session:
        calendar = await load_calendar(session)
        entry = await session.get(CalendarYear, year)
        assert entry is not None
        assert entry.source == NOTICE
    for day in year_days(year):
        assert calendar.is_working_day(day) == PACKAGE.is_working_day(day), day
        assert (day in calendar.workdays) == (day in PACKAGE.workdays), day


async def test_importing_the_2027_notice_covers_2027(session_factory: Sessions) -> None:
    """元旦 and the Spring Festival become days off, the worked Sunday a working day."""
    async with session_factory() as session:
        preview = await import_notice(session, text=notice_text("2027-written"), now=NOW)
        assert preview.previous_source is None
        moved = {c.day for c in preview.moved}
        assert dt.date(2027, 1, 1) in moved
        assert dt.date(2027, 2, 14) in moved
        assert not (await load_calendar(session)).covers(2027)
        await import_notice(
            session, text=notice_text("2027-written"), now=NOW, apply=True, note="written"
        )
    async with session_factory() as session:
        calendar = await load_calendar(session)
        view = await year_view(session, year=2027)
        audit = list(await session.scalars(select(AuditEvent.action)))
    assert calendar.covers(2027)
    assert calendar.next_working_day(dt.date(2027, 1, 1)) == dt.date(2027, 1, 4)
    assert calendar.is_working_day(dt.date(2027, 2, 14))
    assert calendar.add_working_days(dt.date(2027, 2, 4), 1) == dt.date(2027, 2, 14)
    assert [(p.name, p.first, p.days) for p in view.periods[:2]] == [
        ("元旦", dt.date(2027, 1, 1), 3),
        ("春节", dt.date(2027, 2, 5), 8),
    ]
    assert view.working[0] == (dt.date(2027, 2, 14), "春节")
    assert (view.source, view.note, view.last_year) == (NOTICE, "written", 2027)
    assert audit == ["calendar.import"]


async def test_a_bad_notice_changes_nothing(session_factory: Sessions) -> None:
    """A notice that cannot be read raises before anything is written."""
    async with session_factory() as session:
        with pytest.raises(NoticeFormatError):
            await import_notice(
                session,
                text=notice_text(2026).replace("1月4日（周日）", "1月4日（周一）"),
                now=NOW,
                apply=True,
            )
    async with session_factory() as session:
        entry = await session.get(CalendarYear, 2026)
        assert entry is not None
        assert entry.source == SEEDED


async def test_single_days_are_added_and_removed(session_factory: Sessions) -> None:
    """A day off by local decree, a worked Saturday, and back to ordinary."""
    async with session_factory() as session:
        change = await set_day(
            session, day=dt.date(2026, 12, 8), working=False, name="停电", now=NOW
        )
        assert (change.was_working, change.is_working) == (True, False)
        await set_day(session, day=dt.date(2026, 12, 12), working=True, now=NOW)
    async with session_factory() as session:
        calendar = await load_calendar(session)
        assert not calendar.is_working_day(dt.date(2026, 12, 8))
        assert calendar.is_working_day(dt.date(2026, 12, 12))
        removed = await clear_day(session, day=dt.date(2026, 12, 8), now=NOW)
        assert removed.before is not None
        assert removed.before.name == "停电"
        with pytest.raises(NotFoundError):
            await clear_day(session, day=dt.date(2026, 12, 9), now=NOW)
    async with session_factory() as session:
        calendar = await load_calendar(session)
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert calendar.is_working_day(dt.date(2026, 12, 8))
    assert actions == ["calendar.day"] * 3


async def _plan_due_on(sessions: Sessions, due: dt.date) -> None:
    """The bundled plan with task 12 due on `due`, a coordinator and the lead's liaison."""
    async with sessions() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=NOW,
            timezone=TZ,
            plan_code="gf-2015-5",
        )
        session.add(
            Member(
                telegram_id=BOSS,
                display_name="boss",
                role=MemberRole.COORDINATOR,
                created_at=NOW,
            )
        )
        await session.commit()
    async with sessions() as session:
        await set_due(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            on_date=due,
            reason="test",
            now=NOW,
        )
    async with sessions() as session:
        miit = await session.scalar(select(Agency.id).where(Agency.name == "工业和信息化部"))
        session.add(
            Member(
                telegram_id=LIAISON,
                display_name="liaison",
                agency_id=miit,
                role=MemberRole.LIAISON,
                created_at=NOW,
            )
        )
        await session.commit()


async def _reminder_send_times(sessions: Sessions, now: dt.datetime) -> list[dt.datetime]:
    """Sweep reminders (the due day's only) at `now`; when the liaison's reminders may go."""
    async with sessions() as session:
        await plan_deadline_reminders(session, now=now, offsets=(0,))
    async with sessions() as session:
        rows = await session.scalars(
            select(Delivery.next_attempt_at).where(
                Delivery.kind == REMINDER_KIND, Delivery.chat_id == LIAISON
            )
        )
        return list(rows)


@pytest.mark.parametrize("imported", [True, False])
async def test_a_reminder_due_on_new_years_day_2027_waits_for_the_next_working_day(
    session_factory: Sessions, imported: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """With the 2027 notice, 元旦 (a Friday) and its weekend wait for Monday 4 January.

    Without it, Monday to Friday is all annexbot knows: the reminder goes on 元旦 itself, and
    the log says so once.
    """
    await _plan_due_on(session_factory, dt.date(2027, 1, 1))
    if imported:
        async with session_factory() as session:
            await import_notice(session, text=notice_text("2027-written"), now=NOW, apply=True)
    workdays._weekends_only_years.discard(2027)
    with caplog.at_level(logging.WARNING, logger="workflows.workdays"):
        times = await _reminder_send_times(session_factory, beijing(2027, 1, 1, 9, 0))
    expected = beijing(2027, 1, 4, 8, 30) if imported else beijing(2027, 1, 1, 9, 0)
    assert times == [expected]
    warned = [r for r in caplog.records if "no working-day calendar for 2027" in r.getMessage()]
    assert len(warned) == (0 if imported else 1)


@pytest.mark.parametrize("imported", [True, False])
async def test_an_adjusted_working_sunday_counts_as_a_working_day(
    session_factory: Sessions, imported: bool
) -> None:
    """Due Sunday 14 February 2027, worked for the Spring Festival: reminded that morning."""
    await _plan_due_on(session_factory, dt.date(2027, 2, 14))
    if imported:
        async with session_factory() as session:
            await import_notice(session, text=notice_text("2027-written"), now=NOW, apply=True)
    times = await _reminder_send_times(session_factory, beijing(2027, 2, 14, 8, 30))
    expected = beijing(2027, 2, 14, 8, 30) if imported else beijing(2027, 2, 15, 8, 30)
    assert times == [expected]

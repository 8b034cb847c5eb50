"""Calendar feeds, parsed with icalendar and independently with vobject and r-i-e."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import vobject
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope, ReportStatus
from db.models import Agency, Installation, Member, Milestone, StatusReport, Task
from tests.kit.reports import NOW, Sessions, setup, task_id
from workflows.access import find_task
from workflows.errors import NotFoundError
from workflows.feeds.cache import FeedCache
from workflows.feeds.calendar import build_feed, current_feed, export_calendar, feed_version
from workflows.feeds.model import Feed, FeedOptions, FeedSource, Reader
from workflows.importing.service import bundled_annex, import_annex
from workflows.milestones import move_due

BOT = "https://t.me/annexbot"
LATER = NOW + dt.timedelta(days=40)
TASK_2 = "有序发展专有云。\t工业和信息化部、发展改革委、国资委、网信办等\t"
TASK_23 = (
    "23\t支持云计算企业积极开拓国际市场，促进基于云计算的服务贸易发展。\t"
    "商务部、发展改革委、工业和信息化部、财政部等\t2015—2017年实施\n"
)


def _events(body: bytes, kind: str = "VEVENT") -> dict[str, icalendar.Component]:
    """The components of a feed by UID, parsed with icalendar."""
    calendar = icalendar.Calendar.from_ical(body)
    return {str(c["UID"]): c for c in calendar.walk(kind)}


def _vobject_uids(body: bytes) -> dict[str, tuple[dt.date, int, str]]:
    """UID → (start, sequence, status) as vobject reads the feed."""
    calendar = vobject.readOne(body.decode("utf-8"))
    found = {}
    for event in calendar.vevent_list:
        found[event.uid.value] = (
            event.dtstart.value,
            int(event.sequence.value),
            event.status.value,
        )
    return found


async def _uid_of(session: AsyncSession, number: int, key: str) -> str:
    """The UID a milestone of a task gets."""
    milestone = await session.scalar(
        select(Milestone).join(Task).where(Task.number == number, Milestone.key == key)
    )
    assert milestone is not None
    domain = await session.scalar(select(Installation.uid_domain))
    assert domain is not None
    return f"milestone-{milestone.id}@{domain}"


def _options(**changes: Any) -> FeedOptions:
    """Feed options as the web route makes them."""
    return FeedOptions(**{"uid_domain": "test.example.org", "bot_url": BOT, **changes})


async def _build(session: AsyncSession, source: FeedSource, **options: Any) -> Feed:
    """A feed built now, with options."""
    return await build_feed(session, source, options=_options(**options), now=NOW)


def _annex(*replacements: tuple[str, str]) -> bytes:
    """The bundled annex with text replaced (old, new)."""
    text = bundled_annex("gf-2015-5").decode("utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text.encode("utf-8")


async def _reimport(session: AsyncSession, data: bytes, now: dt.datetime) -> None:
    """Re-import the plan and apply the changes."""
    result = await import_annex(
        session=session,
        data=data,
        now=now,
        timezone="Asia/Shanghai",
        plan_code="gf-2015-5",
        apply=True,
    )
    assert result.applied


async def test_plan_feed_parses_with_three_parsers(session_factory: Sessions) -> None:
    """One all-day VEVENT per milestone; calendar properties; vobject and r-i-e agree."""
    await setup(session_factory)
    async with session_factory() as session:
        body = await export_calendar(session, bot_url=BOT, now=NOW)
        count = len((await session.scalars(select(Milestone))).all())
        due_uid = await _uid_of(session, 5, "due")
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == count > 23
    assert calendar["X-WR-CALNAME"] == calendar["NAME"] == "国发〔2015〕5号 · 全部任务"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Shanghai"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    assert b"X-PUBLISHED-TTL:PT1H" in body
    assert calendar["PRODID"].startswith("-//annexbot//")
    for event in events:
        start = event.decoded("DTSTART")
        assert type(start) is dt.date
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
        assert event.decoded("DTSTAMP") == NOW
        assert event["URL"] == BOT
        assert event["STATUS"] == "CONFIRMED"
    due = _events(body)[due_uid]
    assert due["SUMMARY"].startswith("5. 发展改革委 开展试点示范")
    assert due["SUMMARY"].endswith("· 完成时限")
    description = str(due["DESCRIPTION"])
    assert "推动政务信息资源共享和业务协同。" in description  # the full text
    assert "牵头：发展改革委（国家发展和改革委员会）" in description
    assert "地方各级人民政府" in description
    assert [str(c) for c in due["CATEGORIES"].cats] == ["绿灯", "推进中"]
    assert len(_vobject_uids(body)) == count
    occurrences = recurring_ical_events.of(calendar).between(
        dt.date(2017, 12, 31), dt.date(2018, 1, 1)
    )
    assert len(occurrences) == sum(
        1 for e in events if e.decoded("DTSTART") == dt.date(2017, 12, 31)
    )


async def test_same_data_gives_the_same_bytes(session_factory: Sessions) -> None:
    """DTSTAMP and LAST-MODIFIED come from the database: a later request changes nothing."""
    await setup(session_factory)
    async with session_factory() as session:
        first = await export_calendar(session, bot_url=BOT, now=NOW)
        second = await export_calendar(session, bot_url=BOT, now=NOW + dt.timedelta(hours=3))
    assert first == second


async def test_the_cache_serves_unchanged_data_and_notices_every_change(
    session_factory: Sessions,
) -> None:
    """Same data: the kept feed; a moved date, a report or another day: built again."""
    await setup(session_factory)
    cache = FeedCache()
    plan = FeedSource(FeedScope.PLAN, plan_id=1, reader=Reader(coordinator=True))

    async def build(now: dt.datetime) -> bytes:
        async with session_factory() as session:
            version = await feed_version(session)
            kept = await current_feed(
                session, plan, version=version, options=_options(), now=now, cache=cache
            )
            uncached = await build_feed(session, plan, options=_options(), now=now)
        assert kept.feed.body == uncached.body
        return kept.feed.body

    first = await build(NOW)
    assert len(cache) == 1
    assert await build(NOW + dt.timedelta(minutes=5)) == first
    assert len(cache) == 1  # the same data: served from the cache
    async with session_factory() as session:
        task = await find_task(session, number=5)
        await move_due(session, task, dt.date(2018, 6, 30), actor=None, now=LATER, details={})  # type: ignore[arg-type]
        await session.commit()
    moved = await build(LATER)
    assert moved != first
    async with session_factory() as session:
        agency = await session.scalar(select(Agency).where(Agency.name == "发展改革委"))
        assert agency is not None
        session.add(
            StatusReport(
                task_id=await task_id(session, 5),
                agency_id=agency.id,
                status=ReportStatus.AT_RISK,
                percent=40,
                note="等待批复",
                reported_at=LATER,
            )
        )
        await session.commit()
    reported = await build(LATER)
    assert reported != moved
    assert "等待批复" in icalendar.Calendar.from_ical(reported).to_ical().decode()
    assert len(cache) == 3


async def test_uid_stays_and_sequence_rises_when_the_due_date_moves(
    session_factory: Sessions,
) -> None:
    """move_due: same UID, SEQUENCE + 1, new date, new DTSTAMP; other events untouched."""
    await setup(session_factory)
    async with session_factory() as session:
        before = await export_calendar(session, bot_url=BOT, now=NOW)
        uid = await _uid_of(session, 5, "due")
        task = await find_task(session, number=5)
        await move_due(session, task, dt.date(2018, 6, 30), actor=None, now=LATER, details={})  # type: ignore[arg-type]
        await session.commit()
    async with session_factory() as session:
        after = await export_calendar(session, bot_url=BOT, now=LATER)
    old, new = _events(before)[uid], _events(after)[uid]
    assert old.decoded("SEQUENCE") == 0
    assert new.decoded("SEQUENCE") == 1
    assert new.decoded("DTSTART") == dt.date(2018, 6, 30)
    assert new.decoded("DTSTAMP") == new.decoded("LAST-MODIFIED") == LATER
    assert _vobject_uids(after)[uid] == (dt.date(2018, 6, 30), 1, "CONFIRMED")
    assert set(_events(before)) == set(_events(after))


async def test_reimport_keeps_uids_moves_and_cancels(session_factory: Sessions) -> None:
    """A revised annex: moved milestones keep their UID, SEQUENCE rises; removed ones cancel."""
    await setup(session_factory)
    async with session_factory() as session:
        before = _events(await export_calendar(session, bot_url=BOT, now=NOW))
        due_12 = await _uid_of(session, 12, "due")
        due_23 = await _uid_of(session, 23, "due")
        start_2 = await _uid_of(session, 2, "start")
        await _reimport(
            session,
            _annex(
                ("2015年出台", "2016年出台"),
                (TASK_2 + "2015—2017 年实施", TASK_2 + "2016年出台"),
                (TASK_23, ""),
            ),
            LATER,
        )
    async with session_factory() as session:
        body = await export_calendar(session, bot_url=BOT, now=LATER)
    after = _events(body)
    assert set(before) <= set(after)  # nothing disappears silently
    assert after[due_12].decoded("DTSTART") == dt.date(2016, 12, 31)
    assert after[due_12].decoded("SEQUENCE") == before[due_12].decoded("SEQUENCE") + 1
    assert after[due_12]["STATUS"] == "CONFIRMED"
    for cancelled in (due_23, start_2):
        assert after[cancelled]["STATUS"] == "CANCELLED"
        assert after[cancelled].decoded("SEQUENCE") == before[cancelled].decoded("SEQUENCE") + 1
        assert after[cancelled].decoded("DTSTAMP") == LATER
    independent = _vobject_uids(body)
    assert independent[due_23][2] == "CANCELLED"
    assert independent[due_12][:2] == (dt.date(2016, 12, 31), 1)


async def test_agency_feed_and_latest_reports(session_factory: Sessions) -> None:
    """An agency's feed has only its tasks; the latest report and a red light show."""
    await setup(session_factory)
    async with session_factory() as session:
        agency = await session.scalar(select(Agency).where(Agency.name == "公安部"))
        assert agency is not None
        member = await session.scalar(select(Member).where(Member.telegram_id == 4))
        assert member is not None
        ten = await task_id(session, 10)
        session.add(
            StatusReport(
                task_id=ten,
                agency_id=agency.id,
                member_id=member.id,
                status=ReportStatus.BLOCKED,
                percent=40,
                note="等待经费",
                reported_at=LATER,
            )
        )
        await session.commit()
        body = await export_calendar(session, agency_id=agency.id, bot_url="", now=LATER)
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["X-WR-CALNAME"] == "公安部"
    numbers = {str(e["SUMMARY"]).split(".")[0] for e in calendar.walk("VEVENT")}
    assert numbers == {"6", "8", "10", "11", "17", "20"}
    ten_events = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]).startswith("10.")]
    assert ten_events
    for event in ten_events:
        assert "公安部" in str(event["DESCRIPTION"])
        assert "受阻 40% — 等待经费" in str(event["DESCRIPTION"])
        assert next(str(c) for c in event["CATEGORIES"].cats) == "红灯"
        assert event.decoded("LAST-MODIFIED") == LATER
        assert "URL" not in event


async def test_todo_variant_alarm_and_english(session_factory: Sessions) -> None:
    """?todo=1 gives VTODOs with DUE; alarm days add a VALARM; English words on request."""
    await setup(session_factory)
    async with session_factory() as session:
        ident = await task_id(session, 5)
        feed = await _build(
            session,
            FeedSource(FeedScope.TASK, task_id=ident),
            todo=True,
            alarm_days=3,
            language="en",
        )
    todos = icalendar.Calendar.from_ical(feed.body).walk("VTODO")
    assert len(todos) == feed.events == 4  # start, two checkpoints, due
    assert not icalendar.Calendar.from_ical(feed.body).walk("VEVENT")
    due = max(todos, key=lambda t: t.decoded("DUE"))
    assert due.decoded("DUE") == dt.date(2017, 12, 31)
    assert due["STATUS"] == "NEEDS-ACTION"
    assert str(due["SUMMARY"]).endswith("· due")
    alarm = due.walk("VALARM")[0]
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == dt.timedelta(days=-3, hours=9)
    parsed = vobject.readOne(feed.body.decode("utf-8"))
    assert len(parsed.vtodo_list) == 4


async def test_member_feed_and_missing_things(session_factory: Sessions) -> None:
    """A liaison's own feed covers their agency; gone members and unknown plans are not found."""
    await setup(session_factory)
    async with session_factory() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 1))
        assert member is not None
        feed = await _build(session, FeedSource(FeedScope.MEMBER, member_id=member.id))
        assert feed.name == "我的任务"
        assert feed.events > 0
        member.left_at = NOW
        await session.commit()
        with pytest.raises(NotFoundError):
            await _build(session, FeedSource(FeedScope.MEMBER, member_id=member.id))
        with pytest.raises(NotFoundError):
            await export_calendar(session, plan_code="nope", bot_url=BOT, now=NOW)

"""What calendar programs read in a feed: closed tasks, cancelled titles, alarms, words, lights."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import icalendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope
from db.models import Agency
from tests.kit.reports import BOSS, LEAD, NOW, Sessions, setup, task_id
from workflows.feeds.cache import FeedCache
from workflows.feeds.calendar import build_feed, current_feed, export_calendar, feed_version
from workflows.feeds.model import Feed, FeedOptions, FeedSource, Reader
from workflows.importing.service import bundled_annex, import_annex
from workflows.reports import save_report
from workflows.review import decide_review

CLOSED_AT = NOW + dt.timedelta(days=30)  # 2016-03-31, Asia/Shanghai
TASK_23 = (
    "23\t支持云计算企业积极开拓国际市场，促进基于云计算的服务贸易发展。\t"
    "商务部、发展改革委、工业和信息化部、财政部等\t2015—2017年实施\n"
)


def _options(**changes: Any) -> FeedOptions:
    """Feed options as the web route makes them."""
    return FeedOptions(**{"uid_domain": "test.example.org", **changes})


async def _plan_feed(session: AsyncSession, now: dt.datetime = NOW, **options: Any) -> Feed:
    """The coordinators' plan feed, built now."""
    source = FeedSource(FeedScope.PLAN, plan_id=1, reader=Reader(coordinator=True))
    return await build_feed(session, source, options=_options(**options), now=now)


def _of_task(body: bytes, number: int, kind: str = "VEVENT") -> list[icalendar.Component]:
    """A task's components, by date."""
    found = [
        c
        for c in icalendar.Calendar.from_ical(body).walk(kind)
        if re.match(rf"(任务|Task) {number}\D", str(c["DESCRIPTION"]))
    ]
    return sorted(found, key=lambda c: c.decoded("DTSTART" if kind == "VEVENT" else "DUE"))


async def _close_task_3(sessions: Sessions) -> None:
    """Task 3 reported done by its lead and closed by a coordinator (办结销号)."""
    async with sessions() as session:
        task = await task_id(session, 3)
        saved = await save_report(
            session,
            telegram_id=LEAD,
            task_id=task,
            status="done",
            percent=100,
            token=0,
            now=CLOSED_AT,
        )
        await decide_review(
            session,
            telegram_id=BOSS,
            task_id=task,
            report_id=saved.report_id,
            close=True,
            reason=None,
            now=CLOSED_AT,
        )


async def test_a_closed_task_s_remaining_milestones_are_cancelled(
    session_factory: Sessions,
) -> None:
    """Closed on 2016-03-31: later milestones cancel (marked, no alarm); earlier ones stay."""
    await setup(session_factory)
    await _close_task_3(session_factory)
    async with session_factory() as session:
        feed = await _plan_feed(session, CLOSED_AT, alarm_days=3)
        todo = await _plan_feed(session, CLOSED_AT, alarm_days=3, todo=True)
        open_feed = await _plan_feed(session, CLOSED_AT, alarm_days=3)
    events = _of_task(feed.body, 3)
    assert [e.decoded("DTSTART") for e in events] == [
        dt.date(2015, 1, 6),
        dt.date(2015, 12, 31),
        dt.date(2016, 12, 31),
        dt.date(2017, 12, 31),
    ]
    assert [str(e["STATUS"]) for e in events] == [
        "CONFIRMED",
        "CONFIRMED",
        "CANCELLED",
        "CANCELLED",
    ]
    for event in events[2:]:
        assert str(event["SUMMARY"]).startswith("已办结 · 3. 科技部")
    assert not any(e.walk("VALARM") for e in events)
    todos = _of_task(todo.body, 3, "VTODO")
    assert len(todos) == 4
    for item in todos:
        assert item["STATUS"] == "COMPLETED"
        assert item.decoded("COMPLETED") == CLOSED_AT
        assert not item.walk("VALARM")
    # Open tasks keep their alarms.
    assert any(e.walk("VALARM") for e in _of_task(open_feed.body, 5))


async def test_to_do_alarms_are_relative_to_the_due_date(session_factory: Sessions) -> None:
    """A VTODO has no DTSTART, so its alarm is TRIGGER;RELATED=END (RFC 5545 §3.8.6.3)."""
    await setup(session_factory)
    async with session_factory() as session:
        todo = await _plan_feed(session, alarm_days=3, todo=True)
        events = await _plan_feed(session, alarm_days=3)
    assert b"TRIGGER;RELATED=END:-P2DT15H\r\n" in todo.body
    assert b"TRIGGER:-P2DT15H\r\n" in events.body
    assert b"RELATED=END" not in events.body
    for item in icalendar.Calendar.from_ical(todo.body).walk("VTODO"):
        assert "DTSTART" not in item
        for alarm in item.walk("VALARM"):
            assert alarm["TRIGGER"].params["RELATED"] == "END"


async def test_a_calendar_has_no_uid_and_events_have_the_installation_s(
    session_factory: Sessions,
) -> None:
    """No UID on the VCALENDAR (vdirsyncer would give every item that id); events' UIDs vary."""
    await setup(session_factory)
    async with session_factory() as session:
        feed = await _plan_feed(session)
    calendar = icalendar.Calendar.from_ical(feed.body)
    assert "UID" not in calendar
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids) == feed.events
    assert all(uid.endswith("@test.example.org") for uid in uids)


async def test_a_removed_task_s_events_say_cancelled_in_their_title(
    session_factory: Sessions,
) -> None:
    """Clients that ignore STATUS still read 已取消 / Cancelled in the title."""
    await setup(session_factory)
    text = bundled_annex("gf-2015-5").decode("utf-8")
    assert TASK_23 in text
    async with session_factory() as session:
        result = await import_annex(
            session=session,
            data=text.replace(TASK_23, "").encode("utf-8"),
            now=CLOSED_AT,
            timezone="Asia/Shanghai",
            plan_code="gf-2015-5",
            apply=True,
        )
        assert result.applied
        chinese = await _plan_feed(session, CLOSED_AT)
        english = await _plan_feed(session, CLOSED_AT, language="en")
    for body, mark in ((chinese.body, "已取消 · 23."), (english.body, "Cancelled · 23.")):
        removed = [
            e
            for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
            if str(e["STATUS"]) == "CANCELLED"
        ]
        assert removed
        assert all(str(e["SUMMARY"]).startswith(mark) for e in removed)


async def test_english_feeds_are_written_in_english(session_factory: Sessions) -> None:
    """English unit names, "Lead:", half-width brackets, " and others", PRODID //EN."""
    await setup(session_factory)
    async with session_factory() as session:
        agency = await session.scalar(select(Agency).where(Agency.name == "财政部"))
        assert agency is not None
        body = await export_calendar(
            session, agency_id=agency.id, bot_url="", now=NOW, language="en"
        )
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["PRODID"]).endswith("//EN")
    assert str(calendar["X-WR-CALNAME"]).endswith("Ministry of Finance")
    text = "\n".join(str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT"))
    summaries = "\n".join(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert "Lead: " in text
    assert "Co-responsible: " in text
    assert "Ministry of Finance and others" in text
    assert "（" not in text
    assert "）" not in text
    assert "Task 23 (gf-2015-5): " in text
    assert "财政部" not in text + summaries
    assert "National Development and Reform Commission" in text


async def test_the_clock_alone_changes_a_light_and_its_times(session_factory: Sessions) -> None:
    """Silent for two check-in cycles the light turns yellow: new body, new LAST-MODIFIED."""
    await setup(session_factory)
    turn = NOW + dt.timedelta(days=28)  # assigned at NOW, checked in every 14 days
    cache = FeedCache()
    source = FeedSource(FeedScope.PLAN, plan_id=1, reader=Reader(coordinator=True))

    async def at(now: dt.datetime) -> Feed:
        async with session_factory() as session:
            version = await feed_version(session)
            kept = await current_feed(
                session, source, version=version, options=_options(), now=now, cache=cache
            )
        return kept.feed

    before = await at(turn - dt.timedelta(hours=1))
    assert before.valid_until == turn + dt.timedelta(microseconds=1)
    after = await at(turn + dt.timedelta(hours=1))
    assert after.body != before.body
    assert before.last_modified == NOW
    assert after.last_modified == turn
    due = _of_task(after.body, 5)[-1]
    assert next(str(c) for c in due["CATEGORIES"].cats) == "黄灯"
    assert due.decoded("LAST-MODIFIED") == due.decoded("DTSTAMP") == turn
    again = await at(turn + dt.timedelta(hours=2))
    assert again is after  # kept: nothing changed since

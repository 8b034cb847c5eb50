"""Calendar feeds: one all-day event (or to-do) per milestone, for a plan, agency, task or member.

Everything that goes into a feed comes from the database and the clock's date, so the same
data on the same day gives the same bytes: UIDs come from milestone ids and the installation's
domain, DTSTAMP and LAST-MODIFIED from the rows' update times (or the moment the clock turned a
light), SEQUENCE from the milestone's edit count. Each feed shows its reader's view: the reports
its holder could read on the task card, and every task's public facts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope
from db.models import Agency
from workflows.feeds.cache import CachedFeed, FeedCache
from workflows.feeds.events import milestone_component, task_part, writer_for
from workflows.feeds.installation import uid_domain
from workflows.feeds.model import Feed, FeedOptions, FeedSource, FeedTask, Reader
from workflows.feeds.selection import (
    Description,
    data_version,
    describe,
    load_tasks,
    only_plan,
    plan_by_code,
    scope_of,
)
from workflows.feeds.timing import light_span
from workflows.feeds.words import english, words_for
from workflows.lights import DEFAULT_CHECKIN_DAYS
from workflows.plans import plan_label
from workflows.status import ReportView, visible_reports

PRODID = "-//annexbot//calendar feeds 1.0//{language}"
REFRESH_INTERVAL = dt.timedelta(hours=1)
DEFAULT_TIMEZONE = "Asia/Shanghai"


async def current_feed(
    session: AsyncSession,
    source: FeedSource,
    *,
    version: int | None,
    options: FeedOptions,
    now: dt.datetime,
    cache: FeedCache,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> CachedFeed:
    """A source's feed at a data version: the kept one while version and lights hold, or built."""
    key = _key(source, version, options, checkin_days)
    if version is None:
        return CachedFeed(
            await build_feed(session, source, options=options, now=now, checkin_days=checkin_days)
        )
    kept = cache.get(key, now)
    if kept is not None:
        return kept
    async with cache.building(key):
        kept = cache.get(key, now)  # built meanwhile by another request
        if kept is not None:
            return kept
        feed = await build_feed(
            session, source, options=options, now=now, checkin_days=checkin_days
        )
        return cache.put(key, feed)


def kept_feed(
    source: FeedSource,
    *,
    version: int | None,
    options: FeedOptions,
    now: dt.datetime,
    cache: FeedCache,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> CachedFeed | None:
    """The feed kept for a source at a data version while its lights hold, without a session."""
    if version is None:
        return None
    return cache.get(_key(source, version, options, checkin_days), now)


def _key(
    source: FeedSource, version: int | None, options: FeedOptions, checkin_days: int
) -> tuple[FeedSource, int | None, FeedOptions, int]:
    """What a kept feed is kept by."""
    return (source, version, options, checkin_days)


async def feed_version(session: AsyncSession) -> int | None:
    """The feed data's version now (None when the database keeps none)."""
    version: int | None = await session.scalar(select(data_version()))
    return version


async def build_feed(
    session: AsyncSession,
    source: FeedSource,
    *,
    options: FeedOptions,
    now: dt.datetime,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> Feed:
    """The calendar of a feed source, built now; raises NotFoundError when it covers nothing."""
    words = words_for(options.language)
    about = await describe(session, source)
    tasks = await load_tasks(session, scope_of(source))
    reader = source.reader
    agency = await session.get(Agency, reader.agency_id) if reader and reader.agency_id else None
    reader_agency = agency.name if agency is not None else None
    name = _name(source, about, words)
    plan = about.plan
    timezone = plan.timezone if plan else tasks[0].timezone if tasks else DEFAULT_TIMEZONE
    writer = writer_for(words, options)
    spans = {task.id: light_span(task, now=now, checkin_days=checkin_days) for task in tasks}
    parts = {
        task.id: task_part(task, spans[task.id], _visible(task, reader, reader_agency), writer)
        for task in tasks
    }
    pairs = sorted(
        ((task, m) for task in tasks for m in task.milestones),
        key=lambda pair: (pair[1].on_date, pair[0].plan_code, pair[0].number, pair[1].id),
    )
    chunks = [_header(name, timezone, words)]
    last = about.changed
    for task, milestone in pairs:
        chunk, changed = milestone_component(parts[task.id], milestone, writer)
        chunks.append(chunk)
        last = max(last, changed)
    last = last.astimezone(dt.UTC).replace(microsecond=0)
    chunks.append(b"END:VCALENDAR\r\n")
    until = min((s.until for s in spans.values() if s.until is not None), default=None)
    return Feed(b"".join(chunks), last, name, len(pairs), until)


def _visible(task: FeedTask, reader: Reader | None, agency: str | None) -> tuple[ReportView, ...]:
    """The latest reports of a task its reader could read on the task card."""
    if reader is None:
        return ()
    role = next((u.role for u in task.units if u.agency_id == reader.agency_id), None)
    return visible_reports(task.reports, coordinator=reader.coordinator, role=role, agency=agency)


def _name(source: FeedSource, about: Description, words: dict[str, str]) -> str:
    """What the calendar is called: the plan, then the agency, the task or the member's tasks."""
    prefix = f"{plan_label(about.plan)} · " if about.plan is not None else ""
    if source.scope is FeedScope.PLAN:
        return f"{prefix}{words['plan']}"
    if source.scope is FeedScope.TASK:
        return f"{prefix}{words['task']} {about.task_number}"
    if source.scope is FeedScope.AGENCY and about.agency is not None:
        agency = about.agency
        return prefix + (agency.name_en if english(words) and agency.name_en else agency.name)
    return f"{prefix}{words['member']}"


def _header(name: str, timezone: str, words: dict[str, str]) -> bytes:
    """The calendar's own properties (no UID: a VCALENDAR has none), as content lines."""
    from icalendar import Calendar, vDuration  # imported on use: most runs serve no feed

    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID.format(language=words["language"]))
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    calendar.add("X-WR-TIMEZONE", timezone)
    written: bytes = calendar.to_ical()
    return written.removesuffix(b"END:VCALENDAR\r\n")


async def export_calendar(
    session: AsyncSession,
    *,
    plan_code: str | None = None,
    agency_id: int | None = None,
    bot_url: str,
    now: dt.datetime,
    alarm_days: int | None = None,
    language: str = "zh",
    public_base_url: str | None = None,
) -> bytes:
    """The .ics bytes of a plan (the only one when none is named) or of one agency."""
    # A plan's file is the coordinators' (every report); an agency's is written for that
    # agency, as its feed is: other agencies' reports only on the tasks it leads.
    domain = await uid_domain(session, public_base_url=public_base_url, now=now)
    plan = (
        await plan_by_code(session, plan_code)
        if plan_code is not None
        else None
        if agency_id is not None
        else await only_plan(session)
    )
    plan_id = plan.id if plan is not None else None
    source = (
        FeedSource(
            FeedScope.AGENCY,
            plan_id=plan_id,
            agency_id=agency_id,
            reader=Reader(agency_id=agency_id),
        )
        if agency_id is not None
        else FeedSource(FeedScope.PLAN, plan_id=plan_id, reader=Reader(coordinator=True))
    )
    options = FeedOptions(
        uid_domain=domain, bot_url=bot_url, alarm_days=alarm_days, language=language
    )
    feed = await build_feed(session, source, options=options, now=now)
    return feed.body

"""Calendar feeds: one all-day event (or to-do) per milestone, for a plan, agency, task or member.

Everything that goes into a feed comes from the database, so the same data gives the same
bytes: UIDs come from milestone ids, DTSTAMP and LAST-MODIFIED from the rows' update times,
SEQUENCE from the milestone's edit count. Only the light depends on today's date.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, vDuration
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope
from workflows.feeds.cache import FeedCache, fingerprint
from workflows.feeds.events import milestone_component
from workflows.feeds.model import Feed, FeedSource, Selection
from workflows.feeds.selection import only_plan, plan_by_code, select_tasks
from workflows.feeds.words import words_for
from workflows.status import TaskStatus, task_statuses

PRODID = "-//annexbot//calendar feeds 1.0//ZH"


REFRESH_INTERVAL = dt.timedelta(hours=1)


async def build_feed(
    session: AsyncSession,
    source: FeedSource,
    *,
    bot_url: str,
    now: dt.datetime,
    todo: bool = False,
    alarm_days: int | None = None,
    language: str = "zh",
    cache: FeedCache | None = None,
) -> Feed:
    """The calendar of a feed source; raises NotFoundError when what it covers is gone."""
    words = words_for(language)
    selection = await select_tasks(session, source, words)
    statuses = await task_statuses(session, selection.tasks, now=now)
    key = (source, bot_url, todo, alarm_days, language, fingerprint(selection, statuses))
    if cache is not None and (kept := cache.get(key)) is not None:
        return kept
    feed = _calendar(selection, statuses, words, bot_url=bot_url, todo=todo, alarm_days=alarm_days)
    if cache is not None:
        cache.put(key, feed)
    return feed


def _calendar(
    selection: Selection,
    statuses: dict[int, TaskStatus],
    words: dict[str, str],
    *,
    bot_url: str,
    todo: bool,
    alarm_days: int | None,
) -> Feed:
    """The iCalendar document of the selected tasks' milestones."""
    milestones = sorted(
        ((task, m) for task in selection.tasks for m in task.milestones),
        key=lambda pair: (pair[1].on_date, pair[0].plan.code, pair[0].number, pair[1].id),
    )
    calendar = Calendar.new(
        name=selection.name,
        uid=selection.uid,
        prodid=PRODID,
        calscale="GREGORIAN",
    )
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    calendar.add("X-WR-TIMEZONE", selection.timezone)
    last = selection.changed.astimezone(dt.UTC).replace(microsecond=0)
    for task, milestone in milestones:
        component, changed = milestone_component(
            task,
            milestone,
            statuses[task.id],
            words=words,
            bot_url=bot_url,
            todo=todo,
            alarm_days=alarm_days,
        )
        calendar.add_component(component)
        last = max(last, changed)
    return Feed(calendar.to_ical(), last, selection.name, len(milestones))


async def export_calendar(
    session: AsyncSession,
    *,
    plan_code: str | None = None,
    agency_id: int | None = None,
    bot_url: str,
    now: dt.datetime,
    alarm_days: int | None = None,
    language: str = "zh",
) -> bytes:
    """The .ics bytes of a plan (the only one when none is named) or of one agency."""
    plan = (
        await plan_by_code(session, plan_code)
        if plan_code is not None
        else None
        if agency_id is not None
        else await only_plan(session)
    )
    plan_id = plan.id if plan is not None else None
    source = (
        FeedSource(FeedScope.AGENCY, plan_id=plan_id, agency_id=agency_id)
        if agency_id is not None
        else FeedSource(FeedScope.PLAN, plan_id=plan_id)
    )
    feed = await build_feed(
        session, source, bot_url=bot_url, now=now, alarm_days=alarm_days, language=language
    )
    return feed.body

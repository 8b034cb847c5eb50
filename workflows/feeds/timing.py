"""When a task's light changes by the clock alone: since when it shows, until when it holds.

A light reads the date (due soon, overdue) and the time since the task was last heard from
(silent two cycles), so the same rows give another light tomorrow. A feed names the moment
its light last changed that way (its events' LAST-MODIFIED, the feed's Last-Modified) and
is kept only until the next such moment.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from db.enums import TaskState
from workflows.feeds.model import FeedTask
from workflows.lights import DUE_SOON_DAYS, Light, compute_light

INSTANT = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class LightSpan:
    """A task's light now, since when the clock made it so, and until when it holds."""

    light: Light
    since: dt.datetime | None
    until: dt.datetime | None


def _midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The start of a local day, in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def light_span(task: FeedTask, *, now: dt.datetime, checkin_days: int) -> LightSpan:
    """The task's light as the task card computes it, and the clock's moments around now."""
    zone = zoneinfo.ZoneInfo(task.timezone)
    statuses = [report.status for report in task.reports]
    last_report = max((report.reported_at for report in task.reports), default=None)

    def light_at(moment: dt.datetime) -> Light:
        return compute_light(
            state=task.state,
            due_on=task.due_on,
            latest_statuses=statuses,
            last_report_at=last_report,
            assigned_at=task.created_at,
            now=moment,
            today=moment.astimezone(zone).date(),
            checkin_days=checkin_days,
        )

    light = light_at(now)
    if task.state is not TaskState.OPEN:
        return LightSpan(light, None, None)
    heard_from = max(last_report or task.created_at, task.created_at)
    moments = [heard_from + dt.timedelta(days=2 * checkin_days) + INSTANT]
    if task.due_on is not None:
        moments.append(_midnight(task.due_on - dt.timedelta(days=DUE_SOON_DAYS), zone))
        moments.append(_midnight(task.due_on + dt.timedelta(days=1), zone))
    since = max(
        (m for m in moments if m <= now and light_at(m) != light_at(m - INSTANT)), default=None
    )
    until = min((m for m in moments if m > now), default=None)
    return LightSpan(light, since, until)

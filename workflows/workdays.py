"""Working days (the Chinese statutory calendar) and quiet hours: when a message may go out."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

import chinese_calendar

log = logging.getLogger(__name__)

QUIET_START = dt.time(20, 0)
QUIET_END = dt.time(8, 30)
# Holidays never run this long, so a search for the next working day always ends well before.
MAX_SEARCH_DAYS = 60

_warned_years: set[int] = set()


def is_working_day(day: dt.date) -> bool:
    """A working day by the statutory calendar; outside its years, Monday to Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("no holiday calendar for %s: counting Monday to Friday", day.year)
        return day.weekday() < 5


def next_working_day(day: dt.date) -> dt.date:
    """The day itself if it is a working day, else the first working day after it."""
    for step in range(MAX_SEARCH_DAYS):
        candidate = day + dt.timedelta(days=step)
        if is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days of {day}")


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after (n > 0) or before (n < 0) a day; n == 0: the next working day."""
    if n == 0:
        return next_working_day(day)
    step = dt.timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def next_send_time(
    moment: dt.datetime,
    *,
    timezone: str,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
) -> dt.datetime:
    """The moment itself in working hours of a working day, else the next working morning (UTC)."""
    if quiet_end >= quiet_start:
        raise ValueError("quiet hours must end in the morning and start in the evening")
    zone = zoneinfo.ZoneInfo(timezone)
    local = moment.astimezone(zone)
    day, clock = local.date(), local.time().replace(tzinfo=None)
    if is_working_day(day) and quiet_end <= clock < quiet_start:
        return moment.astimezone(dt.UTC)
    if is_working_day(day) and clock < quiet_end:
        start = day
    else:
        start = next_working_day(day + dt.timedelta(days=1))
    return dt.datetime.combine(start, quiet_end, tzinfo=zone).astimezone(dt.UTC)

"""Working days (the Chinese statutory calendar) and quiet hours: when a message may go out.

The calendar is a value: its holidays and adjusted working days are read from the database
once per sweep (workflows/holiday_calendar.py) and passed to whatever counts working days.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

QUIET_START = dt.time(20, 0)
QUIET_END = dt.time(8, 30)
# Holidays never run this long, so a search for the next working day always ends well before.
MAX_SEARCH_DAYS = 60
_DAY = dt.timedelta(days=1)

# Years already logged as counted Monday to Friday, so each is logged once per process.
_weekends_only_years: set[int] = set()


def _note_weekends_only(year: int) -> None:
    """Log, once per year, that a decision counted Monday to Friday for want of a calendar."""
    if year not in _weekends_only_years:
        _weekends_only_years.add(year)
        log.warning(
            "no working-day calendar for %s: counting Monday to Friday as working days "
            "(import the State Council's notice with: annexbot holidays import FILE)",
            year,
        )


@dataclass(frozen=True, eq=False)
class WorkingCalendar:
    """Holidays and adjusted working days of the years it covers; elsewhere Monday to Friday."""

    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def covers(self, year: int) -> bool:
        """Whether the year's holidays are known (seeded or imported)."""
        return year in self.years

    @property
    def last_year(self) -> int | None:
        """The newest year covered, if any."""
        return max(self.years, default=None)

    def is_working_day(self, day: dt.date) -> bool:
        """A working day by the calendar; in a year it does not cover, Monday to Friday."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year not in self.years:
            _note_weekends_only(day.year)
        return day.weekday() < 5

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday a day belongs to (or is worked for), if any."""
        return self.workdays.get(day) or self.holidays.get(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The day itself if it is a working day, else the first working day after it."""
        for step in range(MAX_SEARCH_DAYS):
            candidate = day + dt.timedelta(days=step)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days of {day}")

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after (n > 0) or before (n < 0) a day; 0: the next working day."""
        if n == 0:
            return self.next_working_day(day)
        step = dt.timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        searched = 0
        while remaining:
            day += step
            searched += 1
            if self.is_working_day(day):
                remaining, searched = remaining - 1, 0
            elif searched >= MAX_SEARCH_DAYS:
                raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days of {day}")
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days come after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def next_send_time(
        self,
        moment: dt.datetime,
        *,
        timezone: str,
        quiet_start: dt.time = QUIET_START,
        quiet_end: dt.time = QUIET_END,
    ) -> dt.datetime:
        """The moment itself in working hours of a working day, else the next working morning."""
        if quiet_end >= quiet_start:
            raise ValueError("quiet hours must end in the morning and start in the evening")
        zone = zoneinfo.ZoneInfo(timezone)
        local = moment.astimezone(zone)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        working = self.is_working_day(day)
        if working and quiet_end <= clock < quiet_start:
            return moment.astimezone(dt.UTC)
        start = day if working and clock < quiet_end else self.next_working_day(day + _DAY)
        return dt.datetime.combine(start, quiet_end, tzinfo=zone).astimezone(dt.UTC)

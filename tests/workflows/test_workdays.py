"""Working days by the Chinese statutory calendar, and quiet hours."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.workflows.calendars import package_calendar
from workflows import workdays
from workflows.workdays import WorkingCalendar

CALENDAR = package_calendar()
add_working_days = CALENDAR.add_working_days
is_working_day = CALENDAR.is_working_day
next_send_time = CALENDAR.next_send_time

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
TZ = "Asia/Shanghai"


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A Beijing wall-clock moment, as aware UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING).astimezone(dt.UTC)


def test_national_day_and_adjusted_working_saturday() -> None:
    """1-7 October 2026 are holidays; Saturday 10 October is an adjusted working day."""
    assert not any(is_working_day(dt.date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(dt.date(2026, 10, 8))
    assert dt.date(2026, 10, 10).weekday() == 5
    assert is_working_day(dt.date(2026, 10, 10))
    assert not is_working_day(dt.date(2026, 10, 11))


def test_a_year_the_calendar_does_not_cover_counts_weekdays_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """2031 falls back to Monday-Friday with one warning for the year, however often asked."""
    workdays._weekends_only_years.discard(2031)
    with caplog.at_level(logging.WARNING, logger="workflows.workdays"):
        assert is_working_day(dt.date(2031, 1, 1))  # a Wednesday, a holiday in reality
        assert not is_working_day(dt.date(2031, 1, 4))
        assert is_working_day(dt.date(2031, 1, 6))
        assert WorkingCalendar().add_working_days(dt.date(2031, 1, 2), 5) == dt.date(2031, 1, 9)
    warnings = [r.getMessage() for r in caplog.records if "2031" in r.getMessage()]
    assert warnings == [
        "no working-day calendar for 2031: counting Monday to Friday as working days "
        "(import the State Council's notice with: annexbot holidays import FILE)"
    ]


def test_a_covered_year_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Asking about a covered year's ordinary days logs nothing."""
    with caplog.at_level(logging.WARNING, logger="workflows.workdays"):
        assert is_working_day(dt.date(2026, 3, 3))
        assert not is_working_day(dt.date(2026, 3, 7))
    assert caplog.records == []


def test_an_adjusted_working_sunday_in_an_uncovered_year_still_counts() -> None:
    """A single working Sunday set by hand counts even when the year is not covered."""
    calendar = workdays.WorkingCalendar(workdays={dt.date(2031, 1, 5): "元旦"})
    assert calendar.is_working_day(dt.date(2031, 1, 5))
    assert calendar.add_working_days(dt.date(2031, 1, 3), 1) == dt.date(2031, 1, 5)


def test_next_send_time_waits_for_the_next_working_morning() -> None:
    """Inside hours a moment stays; at night or on a holiday it waits for 08:30 of a working day."""
    assert next_send_time(beijing(2026, 9, 30, 10, 0), timezone=TZ) == beijing(2026, 9, 30, 10, 0)
    assert next_send_time(beijing(2026, 9, 29, 7, 0), timezone=TZ) == beijing(2026, 9, 29, 8, 30)
    assert next_send_time(beijing(2026, 9, 29, 20, 0), timezone=TZ) == beijing(2026, 9, 30, 8, 30)
    assert next_send_time(beijing(2026, 9, 30, 21, 0), timezone=TZ) == beijing(2026, 10, 8, 8, 30)
    assert next_send_time(beijing(2026, 10, 1, 8, 30), timezone=TZ) == beijing(2026, 10, 8, 8, 30)
    quiet = {"quiet_start": dt.time(18, 0), "quiet_end": dt.time(9, 0)}
    assert next_send_time(beijing(2026, 9, 29, 18, 0), timezone=TZ, **quiet) == beijing(
        2026, 9, 30, 9, 0
    )


def test_add_working_days_skips_holidays() -> None:
    """Counting working days jumps over National Day and counts the adjusted Saturday."""
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 10, 8), 2) == dt.date(2026, 10, 10)
    assert add_working_days(dt.date(2026, 10, 8), -1) == dt.date(2026, 9, 30)
    assert add_working_days(dt.date(2026, 10, 3), 0) == dt.date(2026, 10, 8)


moments = st.datetimes(
    min_value=dt.datetime(2003, 6, 1),  # noqa: DTZ001  (hypothesis bounds are naive)
    max_value=dt.datetime(2028, 6, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
timezones = st.sampled_from(["Asia/Shanghai", "UTC", "Asia/Tokyo"])


@given(moments, timezones)
def test_next_send_time_is_a_working_moment_not_before_the_input(
    moment: dt.datetime, timezone: str
) -> None:
    """Never earlier, always a working day inside the hours, and a fixed point."""
    result = next_send_time(moment, timezone=timezone)
    assert result >= moment
    assert result.utcoffset() == dt.timedelta(0)
    local = result.astimezone(zoneinfo.ZoneInfo(timezone))
    assert is_working_day(local.date())
    assert dt.time(8, 30) <= local.time() < dt.time(20, 0)
    assert next_send_time(result, timezone=timezone) == result
    assert result - moment < dt.timedelta(days=40)


@given(st.dates(min_value=dt.date(2003, 1, 1), max_value=dt.date(2028, 1, 1)), st.integers(-30, 30))
def test_add_working_days_lands_on_working_days_in_the_right_direction(
    day: dt.date, n: int
) -> None:
    """The result is a working day on the right side of the start."""
    result = add_working_days(day, n)
    assert is_working_day(result)
    if n > 0:
        assert result > day
        assert add_working_days(result, -n) <= day
    elif n < 0:
        assert result < day
    else:
        assert result >= day

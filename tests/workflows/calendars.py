"""The calendar chinese-calendar has, as a WorkingCalendar, and the notices kept as fixtures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
from chinese_calendar.constants import holidays, workdays

from workflows.workdays import WorkingCalendar

NOTICES = Path(__file__).resolve().parent / "notices"
REAL_NOTICE_YEARS = (2023, 2024, 2025, 2026)


def package_calendar() -> WorkingCalendar:
    """Every year chinese-calendar covers, as the migration seeds it (names aside)."""
    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    return WorkingCalendar(
        holidays={day: names[name] for day, name in holidays.items()},
        workdays={day: names[name] for day, name in workdays.items()},
        years=frozenset(day.year for day in holidays),
    )


def notice_text(name: str | int) -> str:
    """A notice kept under tests/workflows/notices (2023 … 2026 real, 2027-written ours)."""
    return (NOTICES / f"{name}.txt").read_text(encoding="utf-8")


def year_days(year: int) -> list[dt.date]:
    """Every day of a year."""
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]

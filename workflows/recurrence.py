"""Recurring checkpoints (每年年底前, 每季度): their rule, their dates and their milestone keys.

A recurring task keeps one checkpoint milestone per occurrence, each under a key naming its
date (every-2027-12-31), so re-imports and sweeps find the same rows again. Occurrences run
from the task's start to its due date; an open-ended task gets them up to a horizon a little
over a year ahead, and the reminder sweep extends that horizon as time passes
(workflows/checkpoints.py), until the task is closed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Every = Literal["year", "half", "quarter", "month"]
KEY_PREFIX = "every-"
# How far ahead an open-ended task's checkpoints are laid: the next yearly one is always there,
# so reminders (at most 30 days ahead) and calendar subscribers see it in time.
HORIZON = dt.timedelta(days=400)
# The year a stored rule's day is read in: a leap year, so 02-29 is February's end (no day
# given) and 02-28 is the 28th, which stays the 28th in leap years.
LEAP_YEAR = 2000
_RULE = re.compile(r"^(?P<every>year|half|quarter|month)(?:@(?P<month>\d{2})-(?P<day>\d{2}))?$")
_MONTHS: dict[Every, tuple[int, ...]] = {
    "year": (12,),
    "half": (6, 12),
    "quarter": (3, 6, 9, 12),
    "month": tuple(range(1, 13)),
}


@dataclass(frozen=True)
class Rule:
    """How often a task checks in: every year (at a month's end or a day), half, quarter, month."""

    every: Every
    month: int = 12  # for a yearly rule: the month of its checkpoint
    day: int | None = None  # for a yearly rule: the day; None for the month's last day

    def __str__(self) -> str:
        if self.every != "year" or (self.month, self.day) == (12, None):
            return self.every
        return f"year@{self.month:02d}-{self.day or _last_day(LEAP_YEAR, self.month):02d}"


def parse_rule(text: str | None) -> Rule | None:
    """A rule from its stored text (year, year@03-31, half, quarter, month); None if none."""
    match = _RULE.match(text or "")
    if match is None:
        return None
    every: Every = match["every"]  # type: ignore[assignment]
    if match["month"] is None:
        return Rule(every)
    if every != "year":
        return None
    month, day = int(match["month"]), int(match["day"])
    if not 1 <= month <= 12 or not 1 <= day <= _last_day(LEAP_YEAR, month):
        return None
    return Rule("year", month, None if day == _last_day(LEAP_YEAR, month) else day)


def occurrences(rule: Rule, *, start: dt.date, through: dt.date) -> list[dt.date]:
    """The rule's dates from start to through, both included, oldest first."""
    found: list[dt.date] = []
    for year in range(start.year, through.year + 1):
        for day in _dates_in(rule, year):
            if start <= day <= through:
                found.append(day)
    return found


def fits(rule: Rule, day: dt.date) -> bool:
    """Whether a date is one of the rule's."""
    return day in _dates_in(rule, day.year)


def milestone_key(day: dt.date) -> str:
    """The key of the recurring checkpoint on a date."""
    return f"{KEY_PREFIX}{day.isoformat()}"


def is_recurring_key(key: str) -> bool:
    """Whether a milestone key names a recurring checkpoint."""
    return key.startswith(KEY_PREFIX)


def _dates_in(rule: Rule, year: int) -> list[dt.date]:
    if rule.every == "year":
        last = _last_day(year, rule.month)
        return [dt.date(year, rule.month, min(rule.day or last, last))]
    return [dt.date(year, month, _last_day(year, month)) for month in _MONTHS[rule.every]]


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]

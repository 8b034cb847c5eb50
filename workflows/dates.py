"""Reading dates people type in chat: 2016-06-30, 2016/6/30, 2016年6月30日, 6月30日."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from workflows.errors import InvalidInputError

_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_NO_YEAR = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_user_date(text: str, *, today: dt.date) -> dt.date:
    """A date typed by a user; without a year, the year of `today`."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if match := _FULL.match(cleaned):
        year, month, day = (int(part) for part in match.groups())
    elif match := _NO_YEAR.match(cleaned):
        year = today.year
        month, day = (int(part) for part in match.groups())
    else:
        raise _unreadable(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _unreadable(text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _unreadable(text) from None


def _unreadable(text: str) -> InvalidInputError:
    """The error for a date that cannot be read."""
    return InvalidInputError(
        "Cannot read the date “{text}”. Write it like 2016-06-30.", text=text[:40]
    )

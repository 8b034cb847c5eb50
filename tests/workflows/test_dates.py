"""Dates typed in chat."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.dates import parse_user_date
from workflows.errors import InvalidInputError

TODAY = dt.date(2016, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-06-30", dt.date(2016, 6, 30)),
        ("2016/6/30", dt.date(2016, 6, 30)),
        ("2016.06.30", dt.date(2016, 6, 30)),
        ("2016年6月30日", dt.date(2016, 6, 30)),
        ("２０１６年６月３０日", dt.date(2016, 6, 30)),
        (" 2017年1月2日 ", dt.date(2017, 1, 2)),
        ("6月30日", dt.date(2016, 6, 30)),
        ("12-31", dt.date(2016, 12, 31)),
    ],
)
def test_readable_dates(text: str, expected: dt.date) -> None:
    """Common ways of writing a date are read."""
    assert parse_user_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "2016-02-30", "2016-13-01", "1899-01-01", "30/6"])
def test_unreadable_dates_say_how_to_write_one(text: str) -> None:
    """Anything else is refused with an example."""
    with pytest.raises(InvalidInputError, match="2016-06-30"):
        parse_user_date(text, today=TODAY)


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_clear_error(text: str) -> None:
    """Arbitrary input never raises anything but InvalidInputError."""
    with contextlib.suppress(InvalidInputError):
        parse_user_date(text, today=TODAY)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)))
def test_iso_dates_round_trip(day: dt.date) -> None:
    """Every ISO date in range reads back as itself."""
    assert parse_user_date(day.isoformat(), today=TODAY) == day

"""Recurring checkpoint rules: stored text, their dates, their milestone keys."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.recurrence import (
    Rule,
    fits,
    is_recurring_key,
    milestone_key,
    occurrences,
    parse_rule,
)

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("year", Rule("year")),
        ("year@12-31", Rule("year")),
        ("year@03-31", Rule("year", 3)),
        ("year@06-15", Rule("year", 6, 15)),
        ("year@02-29", Rule("year", 2)),  # February's end: the 29th in a leap year
        ("year@02-28", Rule("year", 2, 28)),  # the 28th, also in a leap year
        ("half", Rule("half")),
        ("quarter", Rule("quarter")),
        ("month", Rule("month")),
    ],
)
def test_parse_rule(text: str, rule: Rule) -> None:
    assert parse_rule(text) == rule
    assert parse_rule(str(rule)) == rule


@pytest.mark.parametrize(
    "text", [None, "", "weekly", "year@13-01", "year@02-30", "year@00-10", "quarter@03-31", "Year"]
)
def test_a_rule_that_is_not_one(text: str | None) -> None:
    assert parse_rule(text) is None


@pytest.mark.parametrize(
    ("rule", "start", "through", "dates"),
    [
        (Rule("year"), "2025-03-01", "2027-06-30", ["2025-12-31", "2026-12-31"]),
        (Rule("year", 3), "2025-03-01", "2027-06-30", ["2025-03-31", "2026-03-31", "2027-03-31"]),
        (Rule("half"), "2025-01-01", "2025-12-31", ["2025-06-30", "2025-12-31"]),
        (
            Rule("quarter"),
            "2025-02-10",
            "2025-12-31",
            ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"],
        ),
        (Rule("month"), "2024-01-15", "2024-03-31", ["2024-01-31", "2024-02-29", "2024-03-31"]),
        (Rule("year", 2), "2023-01-01", "2024-12-31", ["2023-02-28", "2024-02-29"]),
        (Rule("quarter"), "2025-04-01", "2025-03-31", []),
    ],
)
def test_occurrences(rule: Rule, start: str, through: str, dates: list[str]) -> None:
    assert occurrences(rule, start=D(start), through=D(through)) == [D(d) for d in dates]


def test_keys_name_the_date() -> None:
    key = milestone_key(D("2027-12-31"))
    assert key == "every-2027-12-31"
    assert is_recurring_key(key)
    assert len(key) <= 32  # milestone.key is String(32)
    assert not is_recurring_key("checkpoint-2027-12-31")
    assert not is_recurring_key("due")


RULES = st.one_of(
    st.sampled_from([Rule("year"), Rule("half"), Rule("quarter"), Rule("month")]),
    st.builds(Rule, st.just("year"), st.integers(1, 12), st.one_of(st.none(), st.integers(1, 28))),
)


@given(RULES, st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)), st.integers(0, 2000))
def test_occurrences_fit_the_rule_and_lie_in_range(rule: Rule, start: dt.date, days: int) -> None:
    through = start + dt.timedelta(days=days)
    found = occurrences(rule, start=start, through=through)
    assert found == sorted(set(found))
    assert all(start <= day <= through and fits(rule, day) for day in found)
    per_year = {"year": 1, "half": 2, "quarter": 4, "month": 12}[rule.every]
    assert len(found) <= per_year * (through.year - start.year + 1)
    assert parse_rule(str(rule)) == rule

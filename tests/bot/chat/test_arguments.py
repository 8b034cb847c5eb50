"""Reading coordinators' command arguments."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.arguments import (
    USAGE_ASSIGN,
    USAGE_DUE,
    USAGE_NUDGE,
    USAGE_TASK,
    USAGE_UNASSIGN,
    TaskRef,
    agency_args,
    assign_args,
    command_arguments,
    dated_args,
    filter_args,
    parse_role,
    parse_task_ref,
    task_only,
)
from db.enums import Role
from workflows.errors import InvalidInputError
from workflows.overview import TaskFilter

TODAY = dt.date(2016, 3, 1)
numbers = st.integers(min_value=1, max_value=100_000)
plans = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)
words = st.text(alphabet=st.characters(categories=["Lo", "Ll", "Lu"]), min_size=1, max_size=12)


@given(numbers)
def test_a_plain_number_is_a_task(number: int) -> None:
    """5 and its full-width form ５ name task 5 of whichever plan has it."""
    assert parse_task_ref(str(number)) == TaskRef(number)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in str(number))
    assert parse_task_ref(full_width) == TaskRef(number)


@given(plans, numbers)
def test_plan_slash_number_names_the_plan(plan: str, number: int) -> None:
    """gf-2015-5/5 names task 5 of plan gf-2015-5."""
    assert parse_task_ref(f"{plan}/{number}") == TaskRef(number, plan)


@given(st.text(max_size=20))
def test_task_refs_never_crash(text: str) -> None:
    """Any text is a task reference or None, never an exception."""
    ref = parse_task_ref(text)
    assert ref is None or 1 <= ref.number <= 100_000


@pytest.mark.parametrize("text", ["0", "-3", "abc", "5/", "/5", "1000001", "5.5", ""])
def test_not_task_refs(text: str) -> None:
    """Zero, negatives, words and huge numbers are not tasks."""
    assert parse_task_ref(text) is None


def test_chinese_ordinals() -> None:
    """第5项 is task 5."""
    assert parse_task_ref("第5项") == TaskRef(5)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("lead", Role.LEAD),
        ("LEAD", Role.LEAD),
        ("牵头", Role.LEAD),
        ("co", Role.CO),
        ("配合", Role.CO),
    ],
)
def test_roles(text: str, role: Role) -> None:
    """Roles in either language."""
    assert parse_role(text) is role


def test_command_arguments() -> None:
    """The text after the command, with the bot's name dropped."""
    assert command_arguments("/assign@annexbot 5 科技部 lead") == "5 科技部 lead"
    assert command_arguments("/tasks") == ""
    assert command_arguments(None) == ""


@given(numbers, words, st.sampled_from(["lead", "co", "牵头", "配合", ""]))
def test_assign_args(number: int, agency: str, role: str) -> None:
    """N AGENCY [ROLE]; the role defaults to co-responsible."""
    parsed = assign_args(f"{number} {agency} {role}")
    assert parsed.task == TaskRef(number)
    if parse_role(agency) is None:
        assert parsed.agency == agency
    assert parsed.role is (parse_role(role) or Role.CO)


def test_assign_keeps_multi_word_agencies() -> None:
    """English names have spaces."""
    parsed = assign_args("5 Ministry of Science and Technology lead")
    assert parsed.agency == "Ministry of Science and Technology"
    assert parsed.role is Role.LEAD


@pytest.mark.parametrize("text", ["", "5", "x 科技部", "科技部 5"])
def test_assign_usage(text: str) -> None:
    """Missing or misplaced arguments give the usage line."""
    with pytest.raises(InvalidInputError) as raised:
        assign_args(text)
    assert raised.value.template == USAGE_ASSIGN


def test_agency_args() -> None:
    """/unassign needs the agency, /nudge does not."""
    assert agency_args("5 工信部", USAGE_UNASSIGN, required=True).agency == "工信部"
    assert agency_args("5", USAGE_NUDGE, required=False).agency is None
    with pytest.raises(InvalidInputError):
        agency_args("5", USAGE_UNASSIGN, required=True)


@given(numbers, st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)), words)
def test_dated_args(number: int, day: dt.date, note: str) -> None:
    """N DATE TEXT in any of the accepted date forms."""
    for typed in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日"):
        parsed = dated_args(f"{number} {typed} {note} more", USAGE_DUE, today=TODAY)
        assert parsed == type(parsed)(TaskRef(number), day, f"{note} more")


def test_dated_args_refuse_bad_dates_with_the_date_named() -> None:
    """A malformed date is named; a missing reason gives the usage."""
    with pytest.raises(InvalidInputError) as raised:
        dated_args("5 2016-02-30 why", USAGE_DUE, today=TODAY)
    assert raised.value.params == {"text": "2016-02-30"}
    with pytest.raises(InvalidInputError) as raised:
        dated_args("5 2016-06-30", USAGE_DUE, today=TODAY)
    assert raised.value.template == USAGE_DUE


def test_task_only() -> None:
    """Exactly one task reference."""
    assert task_only("gf-2015-5/5", USAGE_TASK) == TaskRef(5, "gf-2015-5")
    for bad in ("", "5 6", "five"):
        with pytest.raises(InvalidInputError):
            task_only(bad, USAGE_TASK)


@pytest.mark.parametrize(
    ("text", "kind", "agency"),
    [
        ("", TaskFilter.ALL, None),
        ("red", TaskFilter.RED, None),
        ("红灯", TaskFilter.RED, None),
        ("Overdue", TaskFilter.OVERDUE, None),
        ("silent", TaskFilter.SILENT, None),
        ("done", TaskFilter.DONE, None),
        ("科技部", TaskFilter.AGENCY, "科技部"),
        ("  Ministry  of Finance ", TaskFilter.AGENCY, "Ministry of Finance"),
    ],
)
def test_filters(text: str, kind: TaskFilter, agency: str | None) -> None:
    """Filter words in either language; anything else is an agency."""
    parsed = filter_args(text)
    assert (parsed.kind, parsed.agency) == (kind, agency)


@given(st.text(max_size=100))
def test_filters_never_crash(text: str) -> None:
    """Any text is a filter or the usage line."""
    with contextlib.suppress(InvalidInputError):
        filter_args(text)

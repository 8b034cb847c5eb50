"""The schedule-phrase parser: deadlines, ranges, starts, ongoing work and what gets flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.importing.model import Schedule
from workflows.importing.schedule import parse_schedule
from workflows.recurrence import fits, parse_rule

ISSUED = dt.date(2015, 1, 6)  # 国发〔2015〕5号 was signed on 2015-01-06
D = dt.date.fromisoformat
DASHES = ("—", "——", "–", "-", "－", "~", "～", "‐", "―", "至", "到")


def _due(text: str, issued_on: dt.date | None = ISSUED) -> dt.date | None:
    """The due date the parser reads from a phrase."""
    return parse_schedule(text, issued_on=issued_on).due_on


@pytest.mark.parametrize(
    "text",
    [
        "2015年出台",
        "2015年完成",
        "2015年底前",
        "2015年年底前",
        "2015年底前完成",
        "2015年末",
        "2015年内",
        "2015年",
        "2015 年底前",
        "２０１５年底前",
        "二〇一五年",
        "二○一五年底前",
        "2015年底前。",
        "2015年底前落实；",
        "2015年前",
    ],
)
def test_year_deadline_is_the_year_end(text: str) -> None:
    """A year with or without 底/末/内 and a trailing verb is due on 31 December."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(text=text, due_on=D("2015-12-31"))


@pytest.mark.parametrize(
    ("text", "issued_on", "start"),
    [
        ("2015—2017年实施", ISSUED, ISSUED),
        ("2015—2017 年实施", ISSUED, ISSUED),
        ("2015 — 2017 年实施", ISSUED, ISSUED),
        ("2015年—2017年", ISSUED, ISSUED),
        ("2015——2017年完成", ISSUED, ISSUED),
        ("2015－2017年推进", ISSUED, ISSUED),
        ("2015～2017年", ISSUED, ISSUED),
        ("2015至2017年", ISSUED, ISSUED),
        ("2015年到2017年", ISSUED, ISSUED),
        ("二〇一五—二〇一七年", ISSUED, ISSUED),
        ("2015—2017年实施", None, D("2015-01-01")),
        ("2015—2017年实施", D("2014-12-29"), D("2015-01-01")),
        ("2015—2017年实施", D("2016-03-01"), D("2015-01-01")),
    ],
)
def test_year_range(text: str, issued_on: dt.date | None, start: dt.date) -> None:
    """A year range starts at Jan 1 or the signing date and checks in at each year end."""
    assert parse_schedule(text, issued_on=issued_on) == Schedule(
        text=text,
        start_on=start,
        due_on=D("2017-12-31"),
        checkpoints=(D("2015-12-31"), D("2016-12-31")),
    )


@pytest.mark.parametrize(
    ("text", "issued_on", "start"),
    [
        ("2015 年开始实施", ISSUED, ISSUED),
        ("2015年开始实施", ISSUED, ISSUED),
        ("2015年起", ISSUED, ISSUED),
        ("自2015年起实施", ISSUED, ISSUED),
        ("从2015年开始", ISSUED, ISSUED),
        ("2015年启动", ISSUED, ISSUED),
        ("2015年起持续推进", ISSUED, ISSUED),
        ("2015年开始实施", None, D("2015-01-01")),
        ("2016年起", ISSUED, D("2016-01-01")),
        ("2016年6月1日起施行", ISSUED, D("2016-06-01")),
        ("2015年以来", ISSUED, ISSUED),
    ],
)
def test_start_without_due_is_ongoing(text: str, issued_on: dt.date | None, start: dt.date) -> None:
    """A start marker with no deadline starts the task and keeps it ongoing."""
    assert parse_schedule(text, issued_on=issued_on) == Schedule(
        text=text, start_on=start, ongoing=True
    )


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2016年6月底前", "2016-06-30"),
        ("2016年6月底", "2016-06-30"),
        ("2016年6月末", "2016-06-30"),
        ("2016年6月", "2016-06-30"),
        ("2016年6月份", "2016-06-30"),
        ("2016年6月前", "2016-05-31"),
        ("2016年1月前", "2015-12-31"),
        ("2016年3月前", "2016-02-29"),
        ("2015年3月前", "2015-02-28"),
        ("2016年2月底前", "2016-02-29"),
        ("2015年2月底前", "2015-02-28"),
        ("2016年6月30日前", "2016-06-30"),
        ("2016年6月30日", "2016-06-30"),
        ("2016年6月30号", "2016-06-30"),
        ("2016年6月上旬", "2016-06-10"),
        ("2016年6月中旬", "2016-06-20"),
        ("2016年2月下旬", "2016-02-29"),
        ("二〇一六年六月底前", "2016-06-30"),
        ("2016年十二月三十一日前", "2016-12-31"),
        ("2016 年 6 月底前完成", "2016-06-30"),
        ("２０１６年６月底前", "2016-06-30"),
    ],
)
def test_month_and_day_deadlines(text: str, due: str) -> None:
    """A month is due on its last day (the month before it with 前); a day on itself."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(text=text, due_on=D(due))


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2016年上半年", "2016-06-30"),
        ("2016年年中", "2016-06-30"),
        ("2016年中", "2016-06-30"),
        ("2016年下半年", "2016-12-31"),
        ("2016年第三季度", "2016-09-30"),
        ("2016年三季度", "2016-09-30"),
        ("2016年第3季度", "2016-09-30"),
        ("2016年Q3", "2016-09-30"),
        ("2016年Ｑ3", "2016-09-30"),
        ("2016年第一季度", "2016-03-31"),
        ("2016年二季度末", "2016-06-30"),
        ("2016年第四季度前完成", "2016-12-31"),
    ],
)
def test_halves_and_quarters(text: str, due: str) -> None:
    """Halves and quarters are due on their last day."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(text=text, due_on=D(due))


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("6月底前", "2015-06-30"),
        ("9月30日前", "2015-09-30"),
        ("年底前", "2015-12-31"),
        ("年底前完成", "2015-12-31"),
        ("今年底前", "2015-12-31"),
        ("上半年", "2015-06-30"),
        ("三季度", "2015-09-30"),
        ("年中", "2015-06-30"),
    ],
)
def test_yearless_dates_take_the_signing_year(text: str, due: str) -> None:
    """A month, day or part of a year without a year falls in the signing year."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(text=text, due_on=D(due))


@pytest.mark.parametrize("text", ["6月底前", "9月30日前", "年底前", "上半年", "三季度"])
def test_yearless_dates_without_signing_date_are_flagged(text: str) -> None:
    """Without a signing date or a document year a year-less date cannot be placed."""
    assert parse_schedule(text, issued_on=None) == Schedule(
        text=text, flagged=True, reason="no_year"
    )


@pytest.mark.parametrize(
    ("text", "due"),
    [("年内持续推进", "2020-12-31"), ("全年", "2020-12-31"), ("6月底前", "2020-06-30")],
)
def test_yearless_dates_take_the_document_year_without_a_signing_date(text: str, due: str) -> None:
    """国发〔2020〕6号 printed without its date: 年内 is 2020, the number's year."""
    assert parse_schedule(text, issued_on=None, year=2020).due_on == D(due)


@pytest.mark.parametrize(
    ("text", "start", "due", "checkpoints"),
    [
        ("2015年启动，2016年底前完成", ISSUED, "2016-12-31", ("2015-12-31",)),
        ("2015年开始，2017年完成", ISSUED, "2017-12-31", ("2015-12-31", "2016-12-31")),
        ("2015年启动，年底前完成", ISSUED, "2015-12-31", ()),
        ("2016年3月至6月", D("2016-03-01"), "2016-06-30", ()),
        ("2016年6月—2017年3月", D("2016-06-01"), "2017-03-31", ("2016-12-31",)),
        ("自2015年至2017年", ISSUED, "2017-12-31", ("2015-12-31", "2016-12-31")),
    ],
)
def test_start_and_due(text: str, start: dt.date, due: str, checkpoints: tuple[str, ...]) -> None:
    """A start and a later due give a span with a checkpoint at each year end inside it."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(
        text=text,
        start_on=start,
        due_on=D(due),
        checkpoints=tuple(D(c) for c in checkpoints),
    )


def test_several_deadlines_take_the_last_as_due() -> None:
    """With two deadlines the last one is due and the earlier one becomes a checkpoint."""
    text = "2015年底前出台，2017年完成"
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(
        text=text, due_on=D("2017-12-31"), checkpoints=(D("2015-12-31"),)
    )


@pytest.mark.parametrize(
    "text",
    [
        "持续推进",
        "长期坚持",
        "持续实施",
        "长期推进",
        "逐步推进",
        "常态化推进",
        "长期",
        "持续开展",
        "定期开展",
        " 持续推进。",
    ],
)
@pytest.mark.parametrize("issued_on", [ISSUED, None])
def test_ongoing_phrases(text: str, issued_on: dt.date | None) -> None:
    """A phrase of continuing work is ongoing from the signing date, with no due."""
    assert parse_schedule(text, issued_on=issued_on) == Schedule(
        text=text.strip(), start_on=issued_on, ongoing=True
    )


@pytest.mark.parametrize("text", ["逐步推进，2020年底前全面完成", "2020年底前持续推进"])
def test_an_ongoing_marker_with_a_deadline_is_due(text: str) -> None:
    """逐步推进 before a deadline, or 持续推进 up to it, does not stop the deadline counting."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(text=text, due_on=D("2020-12-31"))


@pytest.mark.parametrize(
    "text",
    [
        "按要求推进",
        "根据国家统一部署",
        "2016年13月",
        "2016年0月",
        "2016年2月30日",
        "2015年2月29日",
        "1899年",
        "2201年底前",
        "0000年",
        "2017—2015年",
        "2016年6月—2016年3月",
        "三年内完成",
        "6个月内",
        "15年底前",
        "2016年初",
        "2016年以后",
        "2016年6月中",
        "2016-06-30",
        "2016年起实施，2015年底前出台",
        "每季度3月",
    ],
)
def test_unreadable_phrases_are_flagged(text: str) -> None:
    """Date-less, impossible, reversed or ambiguous phrases are flagged, not read."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(
        text=text.strip(), flagged=True, reason="unread"
    )


@pytest.mark.parametrize("text", ["", "   ", "\u3000"])
def test_an_empty_schedule_is_flagged_as_empty(text: str) -> None:
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(text="", flagged=True, reason="empty")


# Recurring checkpoints (issue 13, item 6).
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("每年年底前", "year"),
        ("每年", "year"),
        ("每年底", "year"),
        ("按年度", "year"),
        ("每年3月底前", "year@03-31"),
        ("每年一季度", "year@03-31"),
        ("每年6月30日前", "year@06-30"),
        ("每年上半年", "year@06-30"),
        ("每年2月底前", "year@02-29"),  # February's end, the 29th in leap years
        ("每年2月28日前", "year@02-28"),  # the 28th, every year
        ("每半年", "half"),
        ("每季度", "quarter"),
        ("每季度末", "quarter"),
        ("每季度开展一次", "quarter"),
        ("按季度报送", "quarter"),
        ("每月", "month"),
        ("每月底", "month"),
        ("每年年底前报送进展情况，持续推进", "year"),
    ],
)
@pytest.mark.parametrize("issued_on", [ISSUED, None])
def test_recurring_checkpoints_until_the_task_is_closed(
    text: str, rule: str, issued_on: dt.date | None
) -> None:
    """每年年底前 or 每季度 alone: ongoing from the signing date, checking in on a rule."""
    assert parse_schedule(text, issued_on=issued_on) == Schedule(
        text=text, start_on=issued_on, ongoing=True, recurrence=rule
    )


@pytest.mark.parametrize(
    ("text", "start", "due", "rule"),
    [
        ("2025年底前完成，每季度报送进展", None, "2025-12-31", "quarter"),
        ("2016年6月底前完成，每月报告", None, "2016-06-30", "month"),
        ("2015—2017年，每年年底前报送", ISSUED, "2017-12-31", "year"),
        ("每半年报送一次，2017年底前全部完成", None, "2017-12-31", "half"),
    ],
)
def test_recurring_checkpoints_up_to_a_deadline(
    text: str, start: dt.date | None, due: str, rule: str
) -> None:
    """A deadline with a recurring report: due, and checkpoints on the rule (none doubled)."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(
        text=text, start_on=start, due_on=D(due), recurrence=rule
    )


def test_a_range_keeps_the_checkpoints_a_quarterly_rule_does_not_give() -> None:
    """2015—2016年 with 每季度: its year ends fall on quarter ends, so the rule has them."""
    schedule = parse_schedule("2015—2016年实施，每季度调度", issued_on=ISSUED)
    assert schedule.recurrence == "quarter"
    assert schedule.checkpoints == ()
    assert schedule.due_on == D("2016-12-31")


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2016年底前出台，持续推进", "2016-12-31"),
        ("2016年底前出台相关政策，并长期坚持", "2016-12-31"),
        ("2017年6月底前建成，逐步完善", "2017-06-30"),
        ("2015年底前出台，2016年起实施", "2015-12-31"),
    ],
)
def test_a_deadline_then_ongoing_work(text: str, due: str) -> None:
    """出台，持续推进: a due date for the first step, and a task that goes on after it."""
    assert parse_schedule(text, issued_on=ISSUED) == Schedule(
        text=text, due_on=D(due), ongoing=True
    )


SEPTEMBER = dt.date(2015, 9, 10)


@pytest.mark.parametrize("text", ["6月底前", "上半年", "二季度", "3月前", "8月31日前", "6月起实施"])
def test_a_yearless_date_before_the_signing_date_is_flagged(text: str) -> None:
    """6月底前 in a document signed in September: not this year's, and next year is a guess."""
    assert parse_schedule(text, issued_on=SEPTEMBER) == Schedule(
        text=text, flagged=True, reason="before_issue"
    )


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("次年6月底前", "2016-06-30"),
        ("明年上半年", "2016-06-30"),
        ("明年底前", "2016-12-31"),
        ("翌年3月", "2016-03-31"),
        ("9月底前", "2015-09-30"),
        ("年底前", "2015-12-31"),
        ("2016年6月底前", "2016-06-30"),
    ],
)
def test_a_month_belongs_to_the_next_year_only_where_the_text_says_so(text: str, due: str) -> None:
    assert parse_schedule(text, issued_on=SEPTEMBER) == Schedule(text=text, due_on=D(due))


def test_next_year_counts_from_the_year_printed_before_it() -> None:
    schedule = parse_schedule("2016年启动，次年底前完成", issued_on=ISSUED)
    assert (schedule.start_on, schedule.due_on) == (D("2016-01-01"), D("2017-12-31"))


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("春节前", "春节"),
        ("2016年春节前完成", "春节"),
        ("汛期前", "汛期"),
        ("主汛期前完成整治", "主汛期"),
        ("入汛前", "入汛"),
        ("国庆前", "国庆"),
        ("国庆节前", "国庆节"),
        ("两会前", "两会"),
        ("全国两会前", "全国两会"),
        ("元旦前", "元旦"),
        ("秋季开学前", "开学"),
        ("供暖季前", "供暖季"),
        ("党的二十大前", "党的二十大"),
        ("十九届五中全会前完成", "十九届五中全会"),
    ],
)
@pytest.mark.parametrize("issued_on", [ISSUED, None])
def test_deadlines_tied_to_events_are_flagged_never_guessed(
    text: str, event: str, issued_on: dt.date | None
) -> None:
    """春节前, 汛期前: the date moves every year; a coordinator sets it, never a year end."""
    assert parse_schedule(text, issued_on=issued_on) == Schedule(
        text=text, flagged=True, reason="event", event=event
    )


@pytest.mark.parametrize(
    ("text", "start", "due"),
    [
        ("“十四五”期间", "2021-01-01", "2025-12-31"),
        ("十三五时期", "2016-01-01", "2020-12-31"),
        ("‘十二五’期间", "2011-01-01", "2015-12-31"),
        ("“十四五”末", None, "2025-12-31"),
        ("十五五期末", None, "2030-12-31"),
    ],
)
def test_a_five_year_plan_period_is_its_years(text: str, start: str | None, due: str) -> None:
    """“十四五”期间 is 2021—2025; 十四五末 is the plan's last year end."""
    schedule = parse_schedule(text, issued_on=None)
    assert (schedule.start_on, schedule.due_on, schedule.flagged) == (
        D(start) if start else None,
        D(due),
        False,
    )


@pytest.mark.parametrize("text", ["十五日内", "二十五日前"])
def test_fifteen_days_is_no_plan_period(text: str) -> None:
    assert parse_schedule(text, issued_on=ISSUED).reason == "unread"


def test_text_is_kept_verbatim() -> None:
    """The stored text is the input stripped, not its normalised form."""
    text = "  ２０１５ — ２０１７ 年实施\n"
    schedule = parse_schedule(text, issued_on=ISSUED)
    assert schedule.text == "２０１５ — ２０１７ 年实施"
    assert schedule.due_on == D("2017-12-31")


def test_february_in_leap_and_common_years() -> None:
    """The end of February follows the leap-year rule, 1900 and 2000 included."""
    assert _due("2000年2月底") == D("2000-02-29")
    assert _due("1900年2月底") == D("1900-02-28")
    assert _due("2100年2月") == D("2100-02-28")


SCHEDULE_ALPHABET = (
    "0123456789年月日号底末内前后起至到—-~上下半季度第Q一二三〇十持续每启动自从，。 次明全春节汛"
)


def _check_invariants(text: str, schedule: Schedule, issued_on: dt.date | None = None) -> None:
    """The properties every parse must have."""
    assert isinstance(schedule, Schedule)
    assert schedule.text == text.strip()
    if schedule.flagged:
        assert schedule.reason is not None
        assert (schedule.event is not None) == (schedule.reason == "event")
        assert schedule == Schedule(
            text=text.strip(), flagged=True, reason=schedule.reason, event=schedule.event
        )
        return
    assert schedule.reason is None
    if not schedule.ongoing:
        assert schedule.due_on is not None
    if schedule.start_on is not None and schedule.due_on is not None:
        assert schedule.start_on <= schedule.due_on
    if schedule.due_on is not None:
        assert all(c < schedule.due_on for c in schedule.checkpoints)
    assert list(schedule.checkpoints) == sorted(set(schedule.checkpoints))
    rule = parse_rule(schedule.recurrence)
    assert (rule is None) == (schedule.recurrence is None)
    if rule is not None:
        assert str(rule) == schedule.recurrence
        assert not any(fits(rule, c) for c in schedule.checkpoints)


@given(text=st.text(), issued_on=st.one_of(st.none(), st.dates()))
def test_any_text_gives_a_schedule(text: str, issued_on: dt.date | None) -> None:
    """No input raises; the result keeps the stripped text and is self-consistent."""
    _check_invariants(text, parse_schedule(text, issued_on=issued_on))


@given(text=st.text(alphabet=SCHEDULE_ALPHABET), issued_on=st.one_of(st.none(), st.dates()))
def test_schedule_like_text_gives_a_consistent_schedule(
    text: str, issued_on: dt.date | None
) -> None:
    """Text built from date words never raises and never yields an inconsistent schedule."""
    _check_invariants(text, parse_schedule(text, issued_on=issued_on))


@given(
    years=st.tuples(st.integers(1900, 2200), st.integers(1900, 2200)).map(sorted),
    dash=st.sampled_from(DASHES),
    first_nian=st.booleans(),
    verb=st.sampled_from(["", "实施", "完成", "推进", "落实"]),
    issued_on=st.one_of(st.none(), st.dates()),
)
def test_year_range_property(
    years: list[int], dash: str, first_nian: bool, verb: str, issued_on: dt.date | None
) -> None:
    """Any year range is due at the end of its last year with one checkpoint per earlier year."""
    y1, y2 = years
    text = f"{y1}{'年' if first_nian else ''}{dash}{y2}年{verb}"
    schedule = parse_schedule(text, issued_on=issued_on)
    assert not schedule.flagged
    assert not schedule.ongoing
    assert schedule.due_on == dt.date(y2, 12, 31)
    assert schedule.start_on is not None
    assert schedule.start_on.year == y1
    assert len(schedule.checkpoints) == y2 - y1
    assert all(c < schedule.due_on for c in schedule.checkpoints)


@given(month=st.integers(1, 12), issued_on=st.dates(dt.date(1950, 1, 1), dt.date(2150, 12, 31)))
def test_a_yearless_month_is_this_year_s_or_flagged(month: int, issued_on: dt.date) -> None:
    """N月底前 is the signing year's month end when still ahead, else flagged, never guessed."""
    schedule = parse_schedule(f"{month}月底前", issued_on=issued_on)
    end = parse_schedule(f"{issued_on.year}年{month}月底前", issued_on=issued_on).due_on
    assert end is not None
    if end < issued_on:
        assert schedule == Schedule(text=f"{month}月底前", flagged=True, reason="before_issue")
    else:
        assert schedule == Schedule(text=f"{month}月底前", due_on=end)


@given(
    word=st.sampled_from(["每年", "每半年", "每季度", "每月", "按季度", "每年年底前"]),
    due_year=st.one_of(st.none(), st.integers(1950, 2150)),
    issued_on=st.one_of(st.none(), st.dates(dt.date(1950, 1, 1), dt.date(2150, 12, 31))),
)
def test_a_recurring_word_always_gives_a_rule(
    word: str, due_year: int | None, issued_on: dt.date | None
) -> None:
    text = word if due_year is None else f"{due_year}年底前完成，{word}报送"
    schedule = parse_schedule(text, issued_on=issued_on)
    _check_invariants(text, schedule)
    assert schedule.recurrence is not None
    assert schedule.ongoing == (due_year is None)

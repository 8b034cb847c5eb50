"""Reading the State Council's holiday notices: the real ones, written ones, and any text."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.workflows.calendars import REAL_NOTICE_YEARS, notice_text, package_calendar, year_days
from workflows.errors import NoticeFormatError
from workflows.holiday_notice import WEEKDAYS, numeral, parse_notice
from workflows.workdays import WorkingCalendar

PACKAGE = package_calendar()


def notice_calendar(text: str) -> WorkingCalendar:
    """The calendar a notice alone makes of its year."""
    notice = parse_notice(text)
    days = notice.days()
    return WorkingCalendar(
        holidays={d: name for d, (working, name) in days.items() if not working},
        workdays={d: name for d, (working, name) in days.items() if working},
        years=frozenset({notice.year}),
    )


@pytest.mark.parametrize("year", REAL_NOTICE_YEARS)
def test_a_real_notice_gives_exactly_the_package_calendar_for_its_year(year: int) -> None:
    """Every day of the year: working or not, adjusted working day or not, weekday holiday or not.

    chinese-calendar is not consistent about the weekend next to a 与周末连休 holiday (2024:
    元旦 has it, 端午节 has not), and weekends are off either way, so a weekend holiday is
    compared by whether it is worked, not by whether it is named.
    """
    calendar = notice_calendar(notice_text(year))
    for day in year_days(year):
        assert calendar.is_working_day(day) == PACKAGE.is_working_day(day), day
        assert (day in calendar.workdays) == (day in PACKAGE.workdays), day
        if day.weekday() < 5:
            assert (day in calendar.holidays) == (day in PACKAGE.holidays), day


@pytest.mark.parametrize("year", REAL_NOTICE_YEARS)
def test_each_day_belongs_to_the_holiday_the_package_names(year: int) -> None:
    """A day the package names is in the paragraph of that holiday (中秋节、国庆节 hold both)."""
    short = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}
    days = parse_notice(notice_text(year)).days()
    for day, name in {**PACKAGE.holidays, **PACKAGE.workdays}.items():
        if day.year == year and day in days:
            assert short.get(name, name) in days[day][1].split("、"), day


def test_the_2024_notice_reads_its_paragraphs_and_lists_the_eve_it_only_encourages() -> None:
    """除夕（2月9日）休息 is encouraged, not decreed: it stays a working day and is shown."""
    notice = parse_notice(notice_text(2024))
    assert notice.year == 2024
    assert [h.name for h in notice.holidays] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]
    spring = notice.holidays[1]
    assert (spring.days[0], spring.days[-1], spring.stated_days) == (
        dt.date(2024, 2, 10),
        dt.date(2024, 2, 17),
        8,
    )
    assert spring.working == (dt.date(2024, 2, 4), dt.date(2024, 2, 18))
    assert dt.date(2024, 2, 9) not in notice.days()
    assert notice.unread == (
        "二、春节：鼓励各单位结合带薪年休假等制度落实,安排职工在除夕(2月9日)休息",
    )
    # 元旦 on a Monday joins the weekend before it, in December 2023.
    assert notice.holidays[0].days == (
        dt.date(2023, 12, 30),
        dt.date(2023, 12, 31),
        dt.date(2024, 1, 1),
    )


def test_the_2023_notice_starts_in_the_year_before() -> None:
    """2022年12月31日至2023年1月2日: explicit years on both ends."""
    notice = parse_notice(notice_text(2023))
    assert notice.holidays[0].days == (
        dt.date(2022, 12, 31),
        dt.date(2023, 1, 1),
        dt.date(2023, 1, 2),
    )
    assert notice.holidays[-1].name == "中秋节、国庆节"


def test_the_written_2027_notice() -> None:
    """Our 2027 notice in the published form: 元旦 joins the weekend; a Sunday is worked."""
    notice = parse_notice(notice_text("2027-written"))
    calendar = notice_calendar(notice_text("2027-written"))
    assert notice.year == 2027
    assert [d for d in year_days(2027)[:5] if not calendar.is_working_day(d)] == [
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 2),
        dt.date(2027, 1, 3),
    ]
    assert dt.date(2027, 2, 14).weekday() == 6
    assert calendar.is_working_day(dt.date(2027, 2, 14))
    assert calendar.holiday_name(dt.date(2027, 2, 14)) == "春节"
    assert not calendar.is_working_day(dt.date(2027, 6, 9))  # a Wednesday, 端午节 alone


def test_text_as_reposted_on_one_line_with_half_width_punctuation() -> None:
    """Web copies fold the paragraphs into one run and use ASCII punctuation; same result."""
    for year in REAL_NOTICE_YEARS:
        text = notice_text(year)
        folded = text.translate(str.maketrans("：（），；", ":(),;")).replace("\n", "")
        assert parse_notice(folded).days() == parse_notice(text).days(), year


def test_older_forms_in_lieu_days_and_spaced_digits() -> None:
    """2017: 1月1日放假，1月2日（星期一）补休; a repost with spaces inside the dates."""
    text = (
        "国务院办公厅关于2017年部分节假日安排的通知\n"
        "一、元旦：1 月 1 日放假，1 月 2 日（星期一）补休。\n"
        "二、春节：1月27日至2月2日放假调休，共7天。1月22日（星期日）、2月4日（星期六）上班。\n"
        "四、劳动节：5月1日放假，与周末连休。\n"
    )
    calendar = notice_calendar(text)
    for day in (dt.date(2017, 1, 2), dt.date(2017, 2, 2), dt.date(2017, 5, 1)):
        assert not calendar.is_working_day(day)
        assert calendar.is_working_day(day) == PACKAGE.is_working_day(day)
    assert calendar.is_working_day(dt.date(2017, 1, 22))
    assert dt.date(2017, 4, 29) in calendar.holidays  # the Saturday before Monday 1 May


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("一、元旦：1月1日放假。", "does not say its year"),
        (
            "关于2027年部分节假日安排的通知\n一、元旦：1月1日（周四）放假。",
            "paragraph 一 (元旦): 1月1日 is a 周五 in 2027, the notice says 周四",
        ),
        (
            "关于2027年部分节假日安排的通知\n二、春节：2月5日至12日放假调休，共7天。",
            "paragraph 二 (春节): 8 day(s) off read, the notice says 7",
        ),
        ("关于2027年部分节假日安排的通知\n各部门要妥善安排。", "no numbered paragraphs"),
        (
            "关于2027年部分节假日安排的通知\n一、元旦：1月1日放假。二、春节：1月1日至2日放假。",
            "paragraph 二 (春节): 2027-01-01 is also in 元旦",
        ),
        (
            "关于2027年部分节假日安排的通知\n一、国庆节：0月1日至8日放假调休。",
            "paragraph 一 (国庆节): 0月1日 is not a date",
        ),
    ],
)
def test_what_cannot_be_read_is_named(text: str, message: str) -> None:
    """A wrong weekday (wrong year), a wrong count, no paragraphs, a clash: one clear line."""
    with pytest.raises(NoticeFormatError, match=re.escape(message)):
        parse_notice(text)


def test_a_year_given_must_agree_with_the_notice() -> None:
    """The year on the command line cannot contradict the notice's own."""
    with pytest.raises(NoticeFormatError, match="the notice is for 2026, not 2027"):
        parse_notice(notice_text(2026), year=2027)
    assert parse_notice("一、元旦：1月1日（周五）放假。", year=2027).year == 2027


# Notices written from random schedules: holidays of 1-9 days, with weekend days worked.


def _weekday(day: dt.date, style: str) -> str:
    """A date's weekday as notices print it: （周五）, （星期五）, or not at all."""
    if style == "none":
        return ""
    return f"（{style}{WEEKDAYS[day.weekday()]}）"


def _date(day: dt.date, year: int, *, month_known: int | None, style: str) -> str:
    """A date as printed: the year only when it is not the notice's, the month only if new."""
    text = (
        f"{day.day}日"
        if month_known == day.month and day.year == year
        else f"{day.month}月{day.day}日"
    )
    if day.year != year:
        text = f"{day.year}年{text}"
    return text + _weekday(day, style)


@st.composite
def schedules(draw: st.DrawFn) -> tuple[int, list[tuple[str, dt.date, int, list[dt.date]]], str]:
    """A year, its holidays (name, first day, length, working days) and a weekday style."""
    year = draw(st.integers(2000, 2090))
    style = draw(st.sampled_from(["周", "星期", "none"]))
    names = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节、国庆节", "国庆节"]
    count = draw(st.integers(1, len(names)))
    cursor = dt.date(year, 1, 1) - dt.timedelta(days=draw(st.integers(0, 2)))
    holidays: list[tuple[str, dt.date, int, list[dt.date]]] = []
    for name in names[:count]:
        first = cursor + dt.timedelta(days=draw(st.integers(3, 40)))
        length = draw(st.integers(1, 9))
        last = first + dt.timedelta(days=length - 1)
        weekends = [
            d
            for d in (first - dt.timedelta(days=n) for n in range(2, 4))
            if d.weekday() >= 5 and d > cursor
        ] + [d for d in (last + dt.timedelta(days=n) for n in range(1, 4)) if d.weekday() >= 5]
        worked = draw(st.lists(st.sampled_from(weekends), unique=True) if weekends else st.just([]))
        holidays.append((name, first, length, sorted(worked)))
        cursor = max([last, *worked]) + dt.timedelta(days=1)
        if cursor.year > year:
            break
    return year, holidays, style


def _render(year: int, holidays: list[tuple[str, dt.date, int, list[dt.date]]], style: str) -> str:
    """The notice of a schedule, in the published form."""
    lines = [
        f"国务院办公厅关于{year}年部分节假日安排的通知",
        f"经国务院批准，现将{year}年元旦、春节等放假调休日期的具体安排通知如下。",
    ]
    for number, (name, first, length, worked) in enumerate(holidays, start=1):
        last = first + dt.timedelta(days=length - 1)
        off = _date(first, year, month_known=None, style=style)
        if length > 1:
            off += "至" + _date(last, year, month_known=first.month, style=style)
        text = f"{numeral(number)}、{name}：{off}放假调休，共{length}天。"
        if worked:
            days = "、".join(_date(d, year, month_known=None, style=style) for d in worked)
            text += f"{days}上班。"
        lines.append(text)
    lines.append("节假日期间，各地区、各部门要妥善安排好值班工作。")
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(schedules(), st.booleans())
def test_a_written_notice_reads_back_as_its_schedule(
    schedule: tuple[int, list[tuple[str, dt.date, int, list[dt.date]]], str], one_line: bool
) -> None:
    """Whatever the schedule, the notice written from it reads back to the same days."""
    year, holidays, style = schedule
    text = _render(year, holidays, style)
    if one_line:
        text = text.replace("\n", "")
    notice = parse_notice(text)
    assert notice.year == year
    expected = {
        first + dt.timedelta(days=n): (False, name)
        for name, first, length, _ in holidays
        for n in range(length)
    } | {d: (True, name) for name, _, _, worked in holidays for d in worked}
    assert notice.days() == expected
    assert [h.stated_days for h in notice.holidays] == [length for _, _, length, _ in holidays]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(
                "一二三四五六七八九十、：:，,。；()（）至上班放假补休调休共天年月日周星期与周末连休"
            )
            + list("0123456789\n ")
        ),
        max_size=120,
    )
)
def test_any_text_reads_or_fails_with_a_notice_error(text: str) -> None:
    """Nothing but NoticeFormatError escapes, whatever is pasted."""
    try:
        notice = parse_notice(text, year=2027)
    except NoticeFormatError:
        return
    assert notice.holidays
    for holiday in notice.holidays:
        assert not set(holiday.days) & set(holiday.working)

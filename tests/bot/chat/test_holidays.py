"""/holidays for coordinators, and the weekly request for next year's notice, end to end."""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.handlers.holidays import holidays_year
from db.enums import MemberRole
from tests.bot.harness import BotHarness
from tests.workflows.calendars import notice_text
from workflows.errors import InvalidInputError
from workflows.holiday_calendar import import_notice

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
BOSS, ENGLISH_BOSS, LIAISON = 1001, 1002, 2001


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A Beijing wall-clock moment, as aware UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING).astimezone(dt.UTC)


@pytest.fixture
async def people(harness: BotHarness) -> BotHarness:
    """A Chinese and an English coordinator, in December 2026 (no plan: nothing else to send)."""
    harness.clock.current = beijing(2026, 12, 7, 10, 0)
    await harness.add_member(BOSS, "王主任", role=MemberRole.COORDINATOR)
    await harness.add_member(ENGLISH_BOSS, "Boss", role=MemberRole.COORDINATOR, language="en")
    return harness


async def reply(harness: BotHarness, user_id: int, text: str) -> str:
    """The bot's one answer to a message."""
    [answer] = await harness.send(user_id, text)
    assert answer.text is not None
    return answer.text


async def test_a_covered_year_in_both_languages(people: BotHarness) -> None:
    """2026 as chinese-calendar has it: periods, worked weekend days, the source."""
    zh = await reply(people, BOSS, "/holidays")
    lines = zh.splitlines()
    assert lines[0] == "📅 2026年节假日安排"
    assert "春节：2月15日（周日）至2月23日（周一） · 9天" in lines
    assert "调休上班：1月4日（周日）、2月14日（周六）、2月28日（周六）、5月9日（周六）、" in zh
    assert lines[-1] == "来源：chinese-calendar 程序包（chinesecalendar 1.11.0）。"
    en = await reply(people, ENGLISH_BOSS, "/holidays 2025")
    assert en.splitlines()[0] == "📅 Holidays 2025"
    assert "National Day / Mid-Autumn Festival: Wed 1 Oct – Wed 8 Oct · 8 days" in en
    assert "Worked weekend days: Sun 26 Jan, Sat 8 Feb, Sun 27 Apr, Sun 28 Sep, Sat 11 Oct" in en


async def test_2027_before_and_after_its_notice(people: BotHarness) -> None:
    """Not covered: says what that means; imported: the notice's days, worked Sunday included."""
    missing = await reply(people, BOSS, "/holidays 2027年")
    assert missing.splitlines()[0] == "📅 2027年：尚无节假日安排"
    assert "工作日历目前覆盖至2026年" in missing
    async with people.runtime.session() as session:
        await import_notice(
            session, text=notice_text("2027-written"), now=people.clock(), apply=True
        )
    shown = await reply(people, BOSS, "/holidays 2027")
    assert "元旦：1月1日（周五）至1月3日（周日） · 3天" in shown
    assert "调休上班：2月14日（周日）、2月20日（周六）" in shown
    assert "来源：国务院办公厅通知，2026年12月7日导入。" in shown


async def test_liaisons_are_refused_and_bad_years_explained(people: BotHarness) -> None:
    """Only coordinators; a year that is not one gets the usage."""
    await people.import_bundled()
    await people.add_member(LIAISON, "李明", agency="科技部")
    assert await reply(people, LIAISON, "/holidays") == "只有协调人可以执行此操作。"
    assert (
        await reply(people, BOSS, "/holidays next") == "用法：/holidays [年份]，例如 /holidays 2027"
    )


@given(st.integers(1900, 2200), st.sampled_from(["{}", "{}年", " {} ", "{}　年"]))
def test_years_in_friendly_forms(year: int, form: str) -> None:
    """2027, 2027年, full-width spaces: all the same year."""
    assert holidays_year(form.format(year), 2026) == year


@given(st.text(max_size=12).filter(lambda t: not t.strip() or not t.strip()[:4].isdigit()))
def test_anything_else_is_usage_or_this_year(text: str) -> None:
    """Empty means this year; anything not a year raises the usage."""
    with contextlib.suppress(InvalidInputError):
        assert holidays_year(text, 2026) == 2026


def requests(harness: BotHarness, user_id: int) -> list[str]:
    """The requests for a notice a user got (the bundled plan's own messages aside)."""
    return [
        m.text
        for m in harness.sandbox.messages(user_id)
        if m.text and m.text.startswith(("📅 请提供", "📅 The holidays of"))
    ]


async def test_the_weekly_request_reaches_coordinators_until_the_notice_is_in(
    people: BotHarness,
) -> None:
    """From November, Monday mornings, in each coordinator's language; stops once imported."""
    people.clock.current = beijing(2026, 12, 14, 9, 0)  # a Monday
    await people.run_jobs()
    [zh] = requests(people, BOSS)
    assert zh.splitlines()[0] == "📅 请提供2027年节假日安排"
    assert "《国务院办公厅关于2027年部分节假日安排的通知》发布后" in zh
    [en] = requests(people, ENGLISH_BOSS)
    assert en.startswith("📅 The holidays of 2027, please")
    people.clock.current = beijing(2026, 12, 16, 9, 0)
    await people.run_jobs()
    assert len(requests(people, BOSS)) == 1
    async with people.runtime.session() as session:
        await import_notice(
            session, text=notice_text("2027-written"), now=people.clock(), apply=True
        )
    people.clock.current = beijing(2026, 12, 21, 9, 0)
    await people.run_jobs()
    assert len(requests(people, BOSS)) == 1

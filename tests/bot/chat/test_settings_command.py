"""/settings end to end: coordinators change settings, the sweeps follow, others are refused."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.handlers.reminders import sweep
from bot.chat.handlers.settings import SettingsArgs, parse_settings_args
from bot.live_settings import effective_settings
from db.enums import MemberRole
from tests.bot.harness import BotHarness
from tests.kit.beijing import beijing
from tests.kit.reminders import ALICE, BOB, BOSS, plan_with_milestone, run_reminders
from workflows.errors import InvalidInputError

ENGLISH_BOSS = 2010


async def text_of(harness: BotHarness, user_id: int, command: str) -> str:
    """The bot's one reply to a command, as the user sees it."""
    [reply] = await harness.send(user_id, command)
    assert reply.text is not None
    return reply.text


@pytest.fixture
async def people(harness: BotHarness) -> BotHarness:
    """The bundled plan, two liaisons, a Chinese and an English coordinator."""
    await plan_with_milestone(harness, dt.date(2016, 3, 20))
    await harness.add_member(ENGLISH_BOSS, "Boss", role=MemberRole.COORDINATOR, language="en")
    return harness


async def test_coordinators_see_defaults_and_change_quiet_hours(people: BotHarness) -> None:
    """The list shows every value; a change is confirmed, marked, and reaches the sweeps' view."""
    shown = await text_of(people, BOSS, "/settings")
    assert shown.splitlines()[0] == "⚙️ 设置"
    assert "到期提醒（提前天数）：30、7、1、0 · reminder_offsets" in shown
    assert "免打扰开始：20:00 · quiet_start" in shown
    assert "周报发送日：星期一 · digest_weekday" in shown
    assert "✏️（默认" not in shown
    done = await text_of(people, BOSS, "/settings quiet_start 21:00")
    assert done.splitlines()[0] == "✅ 免打扰开始：21:00（原为 20:00）。"
    assert (await effective_settings(people.runtime)).quiet_start == dt.time(21, 0)
    assert people.runtime.settings.quiet_start == dt.time(20, 0)
    assert "免打扰开始：21:00 ✏️（默认 20:00） · quiet_start" in await text_of(
        people, BOSS, "/settings"
    )
    english = await text_of(people, ENGLISH_BOSS, "/settings quiet_end 7点半")
    assert english.splitlines() == [
        "✅ Quiet hours until: 07:30 (was 08:30).",
        "It applies from the next scheduled run, within minutes.",
    ]
    shown = await text_of(people, ENGLISH_BOSS, "/settings")
    assert "Quiet hours from: 21:00 ✏️ (default 20:00) · quiet_start" in shown
    assert "Weekly digest day: Monday · digest_weekday" in shown
    assert await text_of(people, BOSS, "/settings quiet_end 07:30") == "免打扰结束已经是 07:30。"
    back = await text_of(people, BOSS, "/settings quiet_start 默认")
    assert back.startswith("✅ 免打扰开始已恢复默认值：20:00。")
    settings = await effective_settings(people.runtime)
    assert (settings.quiet_start, settings.quiet_end) == (dt.time(20, 0), dt.time(7, 30))


async def test_offsets_cadence_and_digest_in_friendly_forms(people: BotHarness) -> None:
    """Days as "14 7 1 0" or "30,7,1,0"; weekdays by name or number; counts with 天."""
    done = await text_of(people, BOSS, "/settings reminder_offsets 1，14、7 0")
    assert done.startswith("✅ 到期提醒（提前天数）：14、7、1、0（原为 30、7、1、0）。")
    done = await text_of(people, ENGLISH_BOSS, "/settings reminder_offsets 30,7,1,0")
    assert done.startswith("✅ Deadline reminders, days before: 30, 7, 1, 0 (was 14, 7, 1, 0).")
    assert (await text_of(people, BOSS, "/settings digest_weekday 周五")).startswith(
        "✅ 周报发送日：星期五（原为 星期一）。"
    )
    assert (await text_of(people, ENGLISH_BOSS, "/settings digest_weekday 1")).startswith(
        "✅ Weekly digest day: Tuesday (was Friday)."
    )
    assert (
        await text_of(people, BOSS, "/settings checkin_days 14") == "进度询问周期（天）已经是 14。"
    )
    await text_of(people, BOSS, "/settings checkin_days 7天")
    await text_of(people, BOSS, "/settings digest_time 8:00")
    settings = await effective_settings(people.runtime)
    assert settings.reminder_offsets == [30, 7, 1, 0]
    assert (settings.digest_weekday, settings.digest_time) == (1, dt.time(8, 0))
    assert settings.checkin_days == 7


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/settings quiet_start 25:00", "quiet_start 应为时间，例如 21:00。"),
        ("/settings checkin_days 0", "checkin_days 应为 1 到 366 之间的整数。"),
        ("/settings checkin_days often", "checkin_days 应为 1 到 366 之间的整数。"),
        ("/settings digest_weekday 7", "digest_weekday 应为 0 到 6 之间的整数。"),
        (
            "/settings digest_weekday someday",
            "digest_weekday 应为星期几：周一……周日，或 0（周一）……6（周日）。",
        ),
        (
            "/settings reminder_offsets 7 7",
            "reminder_offsets 应为 0 到 366 之间互不相同的整数天数，"
            "例如 /settings reminder_offsets 30 7 1 0。",
        ),
        (
            "/settings reminder_offsets 400",
            "reminder_offsets 应为 0 到 366 之间互不相同的整数天数，"
            "例如 /settings reminder_offsets 30 7 1 0。",
        ),
        (
            "/settings quiet_end 21:00",
            "免打扰时段跨夜：quiet_end（21:00）必须早于 quiet_start（20:00）。",
        ),
        ("/settings timezone UTC", "没有名为 timezone 的设置。发送 /settings 查看全部设置。"),
        (
            "/settings quiet_start",
            "用法：/settings quiet_start 值，例如 /settings quiet_start 21:00；"
            "/settings quiet_start default 恢复默认值。",
        ),
    ],
)
async def test_bad_values_get_one_clear_line(people: BotHarness, command: str, answer: str) -> None:
    """Whatever is wrong is named in the coordinator's language; nothing changes."""
    assert await text_of(people, BOSS, command) == answer
    assert await effective_settings(people.runtime) == people.runtime.settings


async def test_a_reset_that_would_break_quiet_hours_is_refused(people: BotHarness) -> None:
    """Quiet hours 23:00–21:00: putting the start back to 20:00 would end them after they start."""
    await text_of(people, BOSS, "/settings quiet_start 23:00")
    await text_of(people, BOSS, "/settings quiet_end 21:00")
    refused = await text_of(people, BOSS, "/settings quiet_start default")
    assert refused == "免打扰时段跨夜：quiet_end（21:00）必须早于 quiet_start（20:00）。"
    assert (await effective_settings(people.runtime)).quiet_start == dt.time(23, 0)


async def test_liaisons_are_refused_politely(people: BotHarness) -> None:
    """A liaison gets one polite line, whatever they type, and nothing changes."""
    for command in ("/settings", "/settings quiet_start 21:00", "/settings quiet_start 99"):
        assert await text_of(people, ALICE, command) == "只有协调人可以执行此操作。"
    assert await text_of(people, BOB, "/settings") == "Only coordinators can do this."
    assert await effective_settings(people.runtime) == people.runtime.settings


async def test_new_offsets_reach_the_next_reminder_sweep(harness: BotHarness) -> None:
    """Offsets set to [3]: nothing 7 days before a milestone, a reminder 3 days before."""
    await plan_with_milestone(harness, dt.date(2016, 3, 18))
    await text_of(harness, BOSS, "/settings reminder_offsets 3")
    assert await run_reminders(harness, beijing(2016, 3, 11, 8, 30)) == 0
    assert harness.sandbox.messages(ALICE) == []
    assert await run_reminders(harness, beijing(2016, 3, 15, 8, 30)) == 2
    [zh] = harness.sandbox.messages(ALICE)
    assert zh.text is not None
    assert "2016年3月18日。还剩 3 天。" in zh.text
    assert await sweep(harness.runtime) == 0


async def test_the_sweeps_follow_quiet_hours_changed_in_the_chat(harness: BotHarness) -> None:
    """Quiet hours from 08:00 to 07:00 hold a reminder due at 08:30 until the next morning."""
    await plan_with_milestone(harness, dt.date(2016, 3, 8))
    await text_of(harness, BOSS, "/settings quiet_end 07:00")
    await text_of(harness, BOSS, "/settings quiet_start 08:00")
    assert await run_reminders(harness, beijing(2016, 3, 7, 7, 30)) == 2
    [zh] = harness.sandbox.messages(ALICE)
    assert "还剩 1 天" in (zh.text or "")


# Property-based: the argument parser reads every well-formed value and refuses the rest politely.

KEYS_OF_DAYS = st.sampled_from(
    ["checkin_days", "escalate_after_working_days", "ack_reminder_working_days"]
)


@given(
    days=st.lists(st.integers(0, 366), min_size=1, max_size=8, unique=True),
    separator=st.sampled_from([" ", ",", ", ", "，", "、", " , "]),
    brackets=st.booleans(),
)
def test_offsets_parse_in_any_spelling(days: list[int], separator: str, brackets: bool) -> None:
    """Days separated by spaces, commas or 、, with or without JSON brackets, come back as typed."""
    text = separator.join(str(d) for d in days)
    if brackets:
        text = f"[{text}]"
    assert parse_settings_args(f"reminder_offsets {text}") == SettingsArgs("reminder_offsets", days)


@given(
    key=st.sampled_from(["quiet_start", "quiet_end", "digest_time"]),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    style=st.sampled_from(["{h}:{m:02d}", "{h:02d}:{m:02d}", "{h}点{m}分", "{h}：{m:02d}"]),
)
def test_times_parse_in_any_spelling(key: str, hour: int, minute: int, style: str) -> None:
    """21:05, 9:30, 21点5分, full-width colons: all become "HH:MM"."""
    typed = style.format(h=hour, m=minute)
    assert parse_settings_args(f"{key} {typed}").value == f"{hour:02d}:{minute:02d}"


@given(day=st.integers(0, 6), spelling=st.sampled_from(["number", "zh", "week", "en", "short"]))
def test_weekdays_parse_by_name_or_number(day: int, spelling: str) -> None:
    """0 … 6, 周一, 星期一, Monday, mon all name the same day."""
    typed = {
        "number": str(day),
        "zh": "周" + "一二三四五六日"[day],
        "week": "星期" + "一二三四五六日"[day],
        "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][day],
        "short": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day],
    }[spelling]
    assert parse_settings_args(f"digest_weekday {typed}").value == day


@given(key=KEYS_OF_DAYS, days=st.integers(0, 999_999), unit=st.sampled_from(["", "天", " days"]))
def test_counts_parse_with_or_without_a_unit(key: str, days: int, unit: str) -> None:
    """A whole number, optionally with 天 or days; the range is for Settings to judge."""
    assert parse_settings_args(f"{key} {days}{unit}") == SettingsArgs(key, days)


@given(
    key=st.sampled_from(["reminder_offsets", "quiet_start", "digest_weekday", "checkin_days"]),
    word=st.sampled_from(["default", "DEFAULT", "默认", "reset", "重置"]),
)
def test_default_resets(key: str, word: str) -> None:
    """ "default" (or 默认, reset) after a key asks for a reset."""
    assert parse_settings_args(f"{key} {word}") == SettingsArgs(key, reset=True)


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_politely(text: str) -> None:
    """No input raises anything but the polite InvalidInputError."""
    with contextlib.suppress(InvalidInputError):
        parse_settings_args(text)


@given(
    key=st.sampled_from(["reminder_offsets", "quiet_start", "digest_weekday", "checkin_days"]),
    value=st.text(max_size=30),
)
def test_any_value_parses_or_is_refused_politely(key: str, value: str) -> None:
    """Whatever follows a known key is a value or a polite refusal."""
    with contextlib.suppress(InvalidInputError):
        parse_settings_args(f"{key} {value}")

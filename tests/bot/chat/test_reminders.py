"""Deadline reminders end to end: the sweep, the message in zh and en, and its Report now button."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat.handlers.reminders import JOB_NAME, sweep
from bot.runtime import Runtime
from tests.bot.harness import BotHarness
from tests.kit.beijing import beijing
from tests.kit.reminders import ALICE, BOB, plan_with_milestone, run_reminders


async def test_a_reminder_in_both_languages_opens_the_task_card(harness: BotHarness) -> None:
    """One day before: each liaison gets one reminder; Report now opens the task card."""
    assert JOB_NAME in harness.job_names
    await plan_with_milestone(harness, dt.date(2016, 3, 8))
    assert await run_reminders(harness, beijing(2016, 3, 7, 8, 30)) == 2
    assert await run_reminders(harness, beijing(2016, 3, 7, 8, 35)) == 0
    [zh] = harness.sandbox.messages(ALICE)
    [en] = harness.sandbox.messages(BOB)
    assert zh.text is not None
    assert en.text is not None
    assert zh.text.splitlines()[:2] == ["⏳ 到期提醒", "第 12 项任务 · gf-2015-5"]
    assert "中期评估：2016年3月8日。还剩 1 天。" in zh.text
    assert en.text.splitlines()[:2] == ["⏳ Deadline reminder", "Task No. 12 · gf-2015-5"]
    assert "中期评估: 2016-03-08. 1 day left." in en.text
    assert [text for row in zh.buttons for text, _ in row] == ["立即报告"]
    assert [text for row in en.buttons for text, _ in row] == ["Report now"]
    [card] = await harness.press(ALICE, zh.message_id, zh.callback_data[0])
    assert card.text is not None
    assert "第 12 项任务" in card.text
    assert any(data.startswith("mys:") for data in card.callback_data)


async def test_a_deadline_in_the_national_day_holiday_is_noted_and_reminded_once_after(
    harness: BotHarness,
) -> None:
    """Due 3 October 2016: the 1- and 0-day reminders both wait for 8 October; only one goes."""
    await plan_with_milestone(harness, dt.date(2016, 10, 3))
    assert await run_reminders(harness, beijing(2016, 10, 2, 8, 30)) == 2
    assert await run_reminders(harness, beijing(2016, 10, 3, 8, 30)) == 2
    assert harness.sandbox.messages(ALICE) == []
    await run_reminders(harness, beijing(2016, 10, 8, 8, 30))
    [zh] = harness.sandbox.messages(ALICE)
    [en] = harness.sandbox.messages(BOB)
    assert zh.text is not None
    assert en.text is not None
    assert zh.text.startswith("⏳ 到期提醒\n")
    assert "中期评估：2016年10月3日（节假日）。已逾期 5 天。" in zh.text
    assert "2016-10-03 (holiday). Overdue by 5 days." in en.text


async def test_after_downtime_the_reminder_goes_once_marked_late(harness: BotHarness) -> None:
    """Down over the 1-day reminder's morning: on restart it goes once, marked late."""
    await plan_with_milestone(harness, dt.date(2016, 10, 12))
    assert await run_reminders(harness, beijing(2016, 10, 11, 12, 0)) == 2
    assert await run_reminders(harness, beijing(2016, 10, 11, 12, 5)) == 0
    [zh] = harness.sandbox.messages(ALICE)
    [en] = harness.sandbox.messages(BOB)
    assert zh.text is not None
    assert en.text is not None
    assert zh.text.startswith("⏳ 到期提醒 （延迟送达：机器人曾离线）\n")
    assert "2016年10月12日。还剩 1 天。" in zh.text
    assert en.text.startswith("⏳ Deadline reminder (late: the bot was offline)\n")


async def test_a_failing_sweep_is_logged_not_raised(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """The job survives a broken database: it logs and tries again next time."""

    def broken() -> AsyncSession:
        raise RuntimeError("database down")

    runtime = Runtime(
        settings=harness.runtime.settings,
        sessions=cast(async_sessionmaker[AsyncSession], broken),
        clock=harness.clock,
    )
    assert await sweep(runtime) == 0
    assert "deadline reminder sweep failed" in caplog.text

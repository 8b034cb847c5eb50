"""Grouped messages end to end: what the sweeps decide for a member at one moment is one message."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.chat.handlers.reminders import sweep as reminder_sweep
from db.models import Agency, Assignment, Milestone, Task
from tests.bot.harness import BotHarness
from tests.kit.beijing import beijing
from tests.kit.cast import liaison
from tests.kit.sweeps import run_sweep

MIIT = 3001  # the 工业和信息化部 liaison


async def _due_tasks(harness: BotHarness, agency: str, on_date: dt.date) -> list[int]:
    """The numbers of an agency's tasks with a live milestone on a date, in order."""
    async with harness.runtime.session() as session:
        numbers = await session.scalars(
            select(Task.number)
            .join(Milestone, Milestone.task_id == Task.id)
            .join(Assignment, Assignment.task_id == Task.id)
            .join(Agency, Agency.id == Assignment.agency_id)
            .where(
                Agency.name == agency,
                Milestone.on_date == on_date,
                Milestone.cancelled_at.is_(None),
            )
            .distinct()
        )
        return sorted(numbers)


async def test_the_bundled_plan_reminds_the_miit_liaison_once_in_one_message(
    harness: BotHarness,
) -> None:
    """2015-12-30: one 到期提醒 naming every task due 2015-12-31, a button for each."""
    harness.clock.current = beijing(2015, 12, 1, 10, 0)
    await harness.cast(liaison(MIIT, "工业和信息化部", "王工"))
    await run_sweep(harness, reminder_sweep, beijing(2015, 12, 29, 8, 30))
    before = len(harness.sandbox.messages(MIIT))
    queued = await run_sweep(harness, reminder_sweep, beijing(2015, 12, 30, 8, 30))
    assert await run_sweep(harness, reminder_sweep, beijing(2015, 12, 30, 8, 35)) == 0
    due = await _due_tasks(harness, "工业和信息化部", dt.date(2015, 12, 31))
    assert len(due) > 10
    assert queued >= len(due)
    [message] = harness.sandbox.messages(MIIT)[before:]
    assert message.text is not None
    lines = message.text.splitlines()
    assert lines[0] == f"⏳ 到期提醒 （{queued} 项）"
    for number in due:
        assert any(
            line.startswith(f"• 第 {number} 项任务 ") and "2015年12月31日。还剩 1 天。" in line
            for line in lines
        ), number
    assert lines[-1] == "请现在报告这些任务。"
    labels = [text for row in message.buttons for text, _ in row]
    assert {f"第 {number} 项" for number in due} <= set(labels)
    assert len(labels) == len(set(labels))
    assert all(len(row) <= 4 for row in message.buttons)
    # Each task's button opens its card.
    index = labels.index(f"第 {due[0]} 项")
    [card] = await harness.press(MIIT, message.message_id, message.callback_data[index])
    assert card.text is not None
    assert f"第 {due[0]} 项任务" in card.text

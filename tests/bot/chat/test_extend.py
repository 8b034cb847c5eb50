"""/extend end to end: asking, malformed dates, approval moving the date, denial with a reason."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models import Milestone
from tests.bot.harness import BotHarness
from tests.kit.report_cards import (
    BOSS,
    BOSS2,
    LEAD,
    OTHER,
    button,
    current,
    last_answer,
    press_twice,
    task_id,
    task_row,
)


async def _due_milestone(harness: BotHarness, number: int) -> Milestone:
    """The "due" milestone of a task, fresh."""
    task = await task_id(harness, number)
    async with harness.runtime.session() as session:
        found = await session.scalar(
            select(Milestone).where(Milestone.task_id == task, Milestone.key == "due")
        )
    assert found is not None
    return found


async def test_extension_approved_moves_the_due_date(bot: BotHarness) -> None:
    """One command; both coordinators asked; approve moves date and sequence; the liaison hears."""
    before = await _due_milestone(bot, 3)
    [sent] = await bot.send(LEAD, "/extend 3 2018-06-30 调研<推迟>")
    assert sent.text == "⏳ 第 3 项任务延期至 2018年6月30日 的申请已提交协调人。"
    [notice] = bot.sandbox.messages(BOSS)
    assert notice.text is not None
    assert "科技部（小李）申请第 3 项任务延期：2017年12月31日 → 2018年6月30日" in notice.text
    assert "理由：调研<推迟>" in notice.text
    [other_notice] = bot.sandbox.messages(BOSS2)
    await press_twice(bot, BOSS, notice.message_id, button(notice, "exa:"))
    assert last_answer(bot)["text"] == "该申请已由主任批准。"
    assert current(bot, BOSS, notice.message_id).text.endswith("✅ 已批准。")  # type: ignore[union-attr]
    [answer] = bot.sandbox.messages(LEAD)[-1:]
    assert answer.text == "✅ 第 3 项任务的延期申请已由主任批准。新的完成时限：2018年6月30日。"
    after = await _due_milestone(bot, 3)
    assert after.on_date == dt.date(2018, 6, 30)
    assert after.sequence == before.sequence + 1
    assert (await task_row(bot, 3)).due_on == dt.date(2018, 6, 30)
    await bot.press(BOSS2, other_notice.message_id, button(other_notice, "exd:"))
    assert last_answer(bot)["text"] == "该申请已由主任批准。"


async def test_extension_asked_step_by_step_then_denied(bot: BotHarness) -> None:
    """/extend N asks; a malformed date gets a hint; a denial reason reaches the liaison."""
    [prompt] = await bot.send(LEAD, "/extend 3")
    assert prompt.text is not None
    assert prompt.text.startswith("第 3 项任务的完成时限为 2017年12月31日。")
    [bad] = await bot.reply(LEAD, prompt.message_id, "明年六月 再议")
    assert bad.text == "无法识别日期“明年六月”。请写作 2016-06-30 这样的格式。"
    [early] = await bot.reply(LEAD, prompt.message_id, "2017-01-01 太早")
    assert early.text == "新日期必须晚于 2017-12-31。"
    [sent] = await bot.reply(LEAD, prompt.message_id, "2018/3/31 等待配套资金")
    assert sent.text == "⏳ 第 3 项任务延期至 2018年3月31日 的申请已提交协调人。"
    assert current(bot, LEAD, prompt.message_id).callback_data == []
    [notice] = bot.sandbox.messages(BOSS)
    [ask] = await bot.press(BOSS, notice.message_id, button(notice, "exd:"))
    [done] = await bot.reply(BOSS, ask.message_id, "请按原计划<b>完成</b>")
    assert done.text == "❌ 已驳回，已通知联络员。"
    answer = bot.sandbox.messages(LEAD)[-1]
    assert answer.text == ("❌ 第 3 项任务的延期申请被主任驳回。\n理由：请按原计划<b>完成</b>")
    assert (await task_row(bot, 3)).due_on == dt.date(2017, 12, 31)


async def test_extend_odd_input(bot: BotHarness) -> None:
    """No number, another agency's task, a second pending request, a prompt left unanswered."""
    [usage] = await bot.send(LEAD, "/extend")
    assert usage.text == "请写作 /extend 任务号 日期 理由，例如：/extend 3 2016-09-30 调研推迟。"
    [refused] = await bot.send(OTHER, "/extend 3 2018-01-01 理由")
    assert refused.text == "第 3 项任务未分配给您的单位。"
    [no_reason] = await bot.send(LEAD, "/extend 4 2018-01-01")
    assert no_reason.text == "请说明延期理由。"
    await bot.send(LEAD, "/extend 4 2018-01-01 理由")
    [twice] = await bot.send(LEAD, "/extend 4 2018-02-01 理由")
    assert twice.text == "贵单位已有第 4 项任务的延期申请在等待审批。"
    [prompt] = await bot.send(LEAD, "/extend 3")
    assert prompt.reply_markup == {
        "force_reply": True,
        "input_field_placeholder": "2016-09-30 调研推迟",
    }
    await bot.send(LEAD, "/mytasks")  # moving on: what is typed next is no extension
    [hint] = await bot.send(LEAD, "2018-01-01 理由")
    assert hint.text == "如需为任务添加备注，请回复我关于该任务的消息。发送 /help 查看可用功能。"

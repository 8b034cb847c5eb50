"""Answers typed without replying: percent, note, 退办 reason, extension date; across a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.sandbox.driver import running_bot
from db.enums import TaskState
from tests.bot.harness import BotHarness
from tests.kit.report_cards import (
    BOSS,
    LEAD,
    button,
    current,
    open_card,
    press_edit,
    report_count,
    task_row,
)

HINT = "如需为任务添加备注，请回复我关于该任务的消息。发送 /help 查看可用功能。"


@asynccontextmanager
async def restarted(bot: BotHarness) -> AsyncIterator[BotHarness]:
    """A new application on the same database and sandbox; the old one stops polling meanwhile."""
    updater = bot.application.updater
    assert updater is not None
    await updater.stop()
    try:
        async with running_bot(
            bot.runtime.settings,
            bot.runtime.sessions,
            bot.clock,
            sandbox=bot.sandbox,
            kind=BotHarness,
        ) as fresh:
            yield fresh
    finally:
        await updater.start_polling(timeout=1, poll_interval=0)


async def test_percent_and_note_typed_across_a_restart(bot: BotHarness) -> None:
    """A status button, then "60" and a note typed (no reply), the bot restarted in between."""
    card = await open_card(bot, LEAD, 3)
    prompt = await press_edit(bot, LEAD, card.message_id, button(card, "mys:"))
    assert prompt.text == "第 3 项任务：🟢 正常推进。完成了多少？请选择，或直接输入一个数字。"
    async with restarted(bot) as fresh:
        [hint] = await fresh.send(LEAD, "六成")
        assert hint.text == "请把进度写成 0 到 100 之间的整数。"
        [saved] = await fresh.send(LEAD, "60")
        assert saved.text == (
            "✅ 第 3 项任务：已报告“🟢 正常推进”，60%。\n可直接输入备注，或点击“跳过”。"
        )
        assert current(fresh, LEAD, card.message_id).callback_data == []
    [noted] = await bot.send(LEAD, "资金已到位 <b>")
    assert noted.text == "📝 已为第 3 项任务添加备注。"
    assert current(bot, LEAD, saved.message_id).callback_data == []
    assert [m.text for m in await bot.send(LEAD, "再来一条")] == [HINT]
    again = await open_card(bot, LEAD, 3)
    assert again.text is not None
    assert "• 科技部: 🟢 正常推进 60% — 资金已到位 <b> (" in again.text
    assert await report_count(bot) == 2


async def test_return_reason_typed_after_a_restart(bot: BotHarness) -> None:
    """退办 opens a reply (ForceReply); the reason typed after a restart returns the task."""
    card = await open_card(bot, LEAD, 3)
    await bot.press(LEAD, card.message_id, button(card, "mys:").replace("on_track", "done"))
    [notice] = bot.sandbox.messages(BOSS)
    [ask] = await bot.press(BOSS, notice.message_id, button(notice, "rvr:"))
    assert ask.text == "请输入第 3 项任务的退办理由。"
    assert ask.reply_markup == {"force_reply": True, "input_field_placeholder": "退办理由"}
    async with restarted(bot) as fresh:
        [done] = await fresh.send(BOSS, "缺少附件")
        assert done.text == "↩️ 第 3 项任务已退办，已通知牵头单位。"
        told = fresh.sandbox.messages(LEAD)[-1]
        assert told.text == "↩️ 第 3 项任务被主任退办：缺少附件\n请继续办理并重新报告进展。"
    assert (await task_row(bot, 3)).state is TaskState.OPEN
    assert [m.text for m in await bot.send(BOSS, "还有一点")] == [HINT]


async def test_extension_date_typed_after_a_restart(bot: BotHarness) -> None:
    """/extend 3 asks; a bad date is refused and the question stays; a good one is sent."""
    [prompt] = await bot.send(LEAD, "/extend 3")
    assert prompt.text == (
        "第 3 项任务的完成时限为 2017年12月31日。请输入新日期和理由，例如：2016-09-30 调研推迟。"
    )
    async with restarted(bot) as fresh:
        [bad] = await fresh.send(LEAD, "明年六月 再议")
        assert bad.text == "无法识别日期“明年六月”。请写作 2016-06-30 这样的格式。"
        [sent] = await fresh.send(LEAD, "2018-03-31 等待配套资金")
        assert sent.text == "⏳ 第 3 项任务延期至 2018年3月31日 的申请已提交协调人。"
        [notice] = fresh.sandbox.messages(BOSS)
        [ask] = await fresh.press(BOSS, notice.message_id, button(notice, "exd:"))
        assert ask.text == "请输入驳回第 3 项任务延期申请的理由。"
        [denied] = await fresh.send(BOSS, "按原计划完成")
        assert denied.text == "❌ 已驳回，已通知联络员。"
        assert current(fresh, BOSS, ask.message_id).callback_data == []
    assert bot.sandbox.messages(LEAD)[-1].text == (
        "❌ 第 3 项任务的延期申请被主任驳回。\n理由：按原计划完成"
    )


async def test_a_reply_to_an_older_prompt_wins(bot: BotHarness) -> None:
    """Two prompts open: typing answers the newer, replying answers the one replied to."""
    card = await open_card(bot, LEAD, 4)
    percent = await press_edit(bot, LEAD, card.message_id, button(card, "mys:"))
    [prompt] = await bot.send(LEAD, "/extend 3")
    [saved] = await bot.reply(LEAD, percent.message_id, "40")
    assert saved.text is not None
    assert saved.text.startswith("✅ 第 4 项任务：已报告“🟢 正常推进”，40%。")
    [sent] = await bot.reply(LEAD, prompt.message_id, "2018-03-31 等待配套资金")
    assert sent.text == "⏳ 第 3 项任务延期至 2018年3月31日 的申请已提交协调人。"
    [noted] = await bot.send(LEAD, "按计划推进")  # the note question came after /extend's
    assert noted.text == "📝 已为第 4 项任务添加备注。"


async def test_an_open_question_expires_and_a_command_closes_it(bot: BotHarness) -> None:
    """After an hour typed text is no answer; nor is it after the member sent a command."""
    card = await open_card(bot, LEAD, 3)
    await press_edit(bot, LEAD, card.message_id, button(card, "mys:"))
    bot.clock.advance(minutes=61)
    assert [m.text for m in await bot.send(LEAD, "60")] == [HINT]
    card = await open_card(bot, LEAD, 3)
    prompt = await press_edit(bot, LEAD, card.message_id, button(card, "mys:"))
    await bot.send(LEAD, "/help")
    assert [m.text for m in await bot.send(LEAD, "60")] == [HINT]
    [saved] = await bot.reply(LEAD, prompt.message_id, "60")  # a reply still answers it
    assert saved.text is not None
    assert "60%" in saved.text
    assert await report_count(bot) == 1

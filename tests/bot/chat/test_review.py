"""Done → review end to end: 办结销号 and 退办, the task card for coordinators, second presses."""

from __future__ import annotations

from db.enums import TaskState
from tests.bot.harness import BotHarness
from tests.kit.report_cards import (
    BOSS,
    BOSS2,
    CO,
    DEPUTY,
    LEAD,
    button,
    current,
    forge_press,
    last_answer,
    open_card,
    press_edit,
    press_twice,
    task_id,
    task_row,
)


async def _report(bot: BotHarness, user_id: int, status: str, percent: int = 50) -> None:
    """Report a status on task 3 through the card's buttons."""
    card = await open_card(bot, user_id, 3)
    chosen = button(card, "mys:").replace("on_track", status)
    if status == "done":
        await bot.press(user_id, card.message_id, chosen)
        return
    prompt = await press_edit(bot, user_id, card.message_id, chosen)
    await bot.press(user_id, card.message_id, button(prompt, "myp:").replace(":0:", f":{percent}:"))


async def test_done_then_closed(bot: BotHarness) -> None:
    """The coordinator sees every agency's report, closes once; the lead is told."""
    await _report(bot, CO, "at_risk", 25)
    await _report(bot, LEAD, "done")
    assert (await task_row(bot, 3)).state is TaskState.DONE
    [notice] = bot.sandbox.messages(BOSS)
    assert notice.text is not None
    assert notice.text.startswith("📋 第 3 项任务已由科技部（小李）报告完成。")
    [card] = await bot.press(BOSS, notice.message_id, button(notice, "myt:"))
    assert card.text is not None
    assert "• 发展改革委: 🟡 存在风险 25%" in card.text
    assert "• 科技部: ✅ 已完成 100%" in card.text
    assert "状态：待审核（办结）" in card.text
    assert card.callback_data == []
    await press_twice(bot, BOSS, notice.message_id, button(notice, "rvc:"))
    assert last_answer(bot)["text"] == "第 3 项任务已由主任办结销号。"
    assert current(bot, BOSS, notice.message_id).text.endswith("✅ 已办结销号。")  # type: ignore[union-attr]
    assert (await task_row(bot, 3)).state is TaskState.CLOSED
    for liaison in (LEAD, DEPUTY):
        assert bot.sandbox.messages(liaison)[-1].text == "✅ 第 3 项任务已由主任办结销号。"
    [other] = bot.sandbox.messages(BOSS2)
    await bot.press(BOSS2, other.message_id, button(other, "rvr:"))
    assert last_answer(bot)["text"] == "第 3 项任务已由主任办结销号。"


async def test_done_then_returned_with_a_reason(bot: BotHarness) -> None:
    """退办 asks for a reason; the lead hears it (escaped) and can report again."""
    await _report(bot, LEAD, "done")
    [notice] = bot.sandbox.messages(BOSS)
    [ask] = await bot.press(BOSS, notice.message_id, button(notice, "rvr:"))
    assert ask.text == "请输入第 3 项任务的退办理由。"
    [done] = await bot.reply(BOSS, ask.message_id, "缺少<附件>")
    assert done.text == "↩️ 第 3 项任务已退办，已通知牵头单位。"
    assert (await task_row(bot, 3)).state is TaskState.OPEN
    told = bot.sandbox.messages(LEAD)[-1]
    assert told.text == "↩️ 第 3 项任务被主任退办：缺少<附件>\n请继续办理并重新报告进展。"
    assert await bot.reply(BOSS, ask.message_id, "再说一遍") == []  # answered prompt: quiet
    [noted] = await bot.reply(LEAD, told.message_id, "已补充附件")
    assert noted.text == "📝 已为第 3 项任务添加备注。"
    [other] = bot.sandbox.messages(BOSS2)
    await bot.press(BOSS2, other.message_id, button(other, "rvc:"))
    assert last_answer(bot)["text"] == "第 3 项任务已由主任退办。"
    await _report(bot, LEAD, "on_track", 75)
    assert (await task_row(bot, 3)).state is TaskState.OPEN


async def test_liaisons_cannot_decide(bot: BotHarness) -> None:
    """A review button forged by a liaison is refused; the task stays awaiting review."""
    await _report(bot, LEAD, "done")
    [listing] = await bot.send(LEAD, "/mytasks")
    payload = f"rvc:{await task_id(bot, 3)}:1"
    assert await forge_press(bot, LEAD, listing.message_id, payload) == "只有协调人可以执行此操作。"
    assert (await task_row(bot, 3)).state is TaskState.DONE

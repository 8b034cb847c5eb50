"""Liaisons end to end: /mytasks, the card, status → percent → note, and odd input."""

from __future__ import annotations

from tests.bot.harness import BotHarness
from tests.kit.report_cards import (
    CO,
    DEPUTY,
    LEAD,
    OTHER,
    button,
    current,
    forge_press,
    last_answer,
    open_card,
    press_edit,
    press_twice,
    report_count,
    task_id,
)


async def test_a_full_report_with_status_percent_and_note(bot: BotHarness) -> None:
    """Status, percent, then a note by reply; HTML in the note is shown as typed."""
    [listing] = await bot.send(LEAD, "/mytasks")
    assert listing.text is not None
    assert listing.text.startswith("科技部的任务")
    assert "3 · 牵头" in listing.text
    assert "1 · 配合" in listing.text
    card = await open_card(bot, LEAD, 3)
    assert card.text is not None
    assert "第 3 项任务 · 牵头" in card.text
    assert "最新报告" in card.text
    at_risk = button(card, "mys:").replace("on_track", "at_risk")
    percent = await press_edit(bot, LEAD, card.message_id, at_risk)
    assert percent.text is not None
    assert "存在风险" in percent.text
    assert [d.split(":")[3] for d in percent.callback_data] == ["0", "25", "50", "75", "100"]
    fifty = button(percent, "myp:").replace(":0:", ":50:")
    saved = await press_edit(bot, LEAD, card.message_id, fifty)
    assert saved.text == (
        "✅ 第 3 项任务：已报告“🟡 存在风险”，50%。\n可直接输入备注，或点击“跳过”。"
    )
    [noted] = await bot.reply(LEAD, card.message_id, "<b>缺少</b> 资金 & 人手")
    assert noted.text == "📝 已为第 3 项任务添加备注。"
    again = await open_card(bot, LEAD, 3)
    assert again.text is not None
    assert "• 科技部: 🟡 存在风险 50% — <b>缺少</b> 资金 & 人手" in again.text
    assert await report_count(bot) == 2


async def test_done_skips_the_percent_and_skip_drops_the_button(bot: BotHarness) -> None:
    """ "Done" is saved at once as 100%; Skip removes the note prompt's button."""
    card = await open_card(bot, CO, 3)
    done = button(card, "mys:").replace("on_track", "done")
    saved = await press_edit(bot, CO, card.message_id, done)
    assert saved.text is not None
    assert "已完成" in saved.text
    assert "100%" in saved.text
    assert "审核" not in saved.text  # a co-responsible agency's "done" is only its part
    skipped = await press_edit(bot, CO, card.message_id, button(saved, "myk:"))
    assert skipped.callback_data == []


async def test_a_typed_percent_and_a_bad_one(bot: BotHarness) -> None:
    """A number replied to the percent prompt is saved; anything else gets a hint."""
    card = await open_card(bot, LEAD, 4)
    prompt = await press_edit(bot, LEAD, card.message_id, button(card, "mys:"))
    [hint] = await bot.reply(LEAD, prompt.message_id, "七成")
    assert hint.text == "请把进度写成 0 到 100 之间的整数。"
    replies = await bot.reply(LEAD, prompt.message_id, "70%")
    saved = replies[-1]
    assert saved.text is not None
    assert "70%" in saved.text
    assert current(bot, LEAD, prompt.message_id).callback_data == []
    [noted] = await bot.reply(LEAD, saved.message_id, "按计划推进")
    assert noted.text == "📝 已为第 4 项任务添加备注。"
    assert await report_count(bot) == 2


async def test_a_button_pressed_twice_saves_once(bot: BotHarness) -> None:
    """Two presses of one percent button: one report, the second told it is already saved."""
    card = await open_card(bot, LEAD, 3)
    prompt = await press_edit(bot, LEAD, card.message_id, button(card, "mys:"))
    await press_twice(bot, LEAD, prompt.message_id, button(prompt, "myp:"))
    assert await report_count(bot) == 1
    assert last_answer(bot)["text"] == "已保存。"


async def test_an_old_card_after_the_task_changed(bot: BotHarness) -> None:
    """The deputy reported meanwhile: the liaison's old status buttons are refused."""
    old = await open_card(bot, LEAD, 3)
    fresh = await open_card(bot, DEPUTY, 3)
    prompt = await press_edit(bot, DEPUTY, fresh.message_id, button(fresh, "mys:"))
    await bot.press(DEPUTY, prompt.message_id, button(prompt, "myp:"))
    await bot.press(LEAD, old.message_id, button(old, "mys:"))
    answer = last_answer(bot)
    assert answer["text"] == "第 3 项任务在此消息之后已有变化，请用 /mytasks 重新打开。"
    assert await report_count(bot) == 1


async def test_co_report_shows_to_the_lead_not_the_other_way(bot: BotHarness) -> None:
    """The lead's card lists the co-responsible agency's report; the co sees only its own."""
    card = await open_card(bot, CO, 3)
    prompt = await press_edit(bot, CO, card.message_id, button(card, "mys:"))
    await bot.press(CO, prompt.message_id, button(prompt, "myp:").replace(":0:", ":25:"))
    lead_card = await open_card(bot, LEAD, 3)
    assert lead_card.text is not None
    assert "• 发展改革委: 🟢 正常推进 25%" in lead_card.text


async def test_another_agency_s_task_is_refused(bot: BotHarness) -> None:
    """By forged button payloads (card and status) and by command; nothing is stored."""
    [listing] = await bot.send(OTHER, "/mytasks")
    task2 = await task_id(bot, 2)
    task3 = await task_id(bot, 3)
    refused = "第 3 项任务未分配给您的单位。"
    assert await forge_press(bot, OTHER, listing.message_id, f"myt:{task3}") == refused
    assert await forge_press(bot, OTHER, listing.message_id, f"mys:{task3}:done:0") == refused
    assert (
        await forge_press(bot, OTHER, listing.message_id, f"myp:{task3}:on_track:50:0") == refused
    )
    assert await forge_press(bot, OTHER, listing.message_id, "myp:x:y") == "该按钮已过期。"
    [by_command] = await bot.send(LEAD, "/extend 2 2018-01-01 需要时间")
    assert by_command.text == "第 2 项任务未分配给您的单位。"
    assert task2 != task3
    assert await report_count(bot) == 0


async def test_notes_odd_input(bot: BotHarness) -> None:
    """A note over the limit is refused; a reply to a message about no task is left alone."""
    card = await open_card(bot, LEAD, 3)
    [first] = await bot.reply(LEAD, card.message_id, "先写备注")
    assert first.text == "请先报告第 3 项任务的进展（/mytasks），再回复添加备注。"
    prompt = await press_edit(bot, LEAD, card.message_id, button(card, "mys:"))
    await bot.press(LEAD, prompt.message_id, button(prompt, "myp:"))
    [too_long] = await bot.reply(LEAD, card.message_id, "长" * 2500)
    assert too_long.text == "备注过长（2500 个字符，最多 2000 个），请缩短后再发。"
    [listing] = await bot.send(LEAD, "/mytasks")
    assert all(
        "备注" not in (m.text or "") for m in await bot.reply(LEAD, listing.message_id, "hi")
    )
    assert await report_count(bot) == 1

"""/audit and the task card's history read like the exports: who reported what, local times."""

from __future__ import annotations

from db.enums import MemberRole
from tests.bot.harness import BotHarness
from tests.kit.report_cards import BOSS, LEAD, button, open_card, press_edit

DIRECTOR = 5011


async def _history(bot: BotHarness) -> None:
    """科技部 reports at risk 50% with a note, then done; the coordinator returns it (退办)."""
    card = await open_card(bot, LEAD, 3)
    prompt = await press_edit(
        bot, LEAD, card.message_id, button(card, "mys:").replace("on_track", "at_risk")
    )
    await bot.press(LEAD, card.message_id, button(prompt, "myp:").replace(":0:", ":50:"))
    bot.clock.advance(minutes=5)
    await bot.send(LEAD, "资金未到位")
    bot.clock.advance(hours=3)
    card = await open_card(bot, LEAD, 3)
    await bot.press(LEAD, card.message_id, button(card, "mys:").replace("on_track", "done"))
    [notice] = bot.sandbox.messages(BOSS)
    await bot.press(BOSS, notice.message_id, button(notice, "rvr:"))
    await bot.send(BOSS, "缺少附件")


async def test_audit_in_words(bot: BotHarness) -> None:
    """Chinese: 小李（科技部）报告：存在风险 50%; English with the unit's English name."""
    await bot.add_member(DIRECTOR, "Director", role=MemberRole.COORDINATOR, language="en")
    await _history(bot)
    [audit] = await bot.send(BOSS, "/audit 3")
    assert audit.text is not None
    assert audit.text.splitlines()[3:] == [
        "• 2016年3月1日 13:05 · 主任：退办（理由：缺少附件）",
        "• 2016年3月1日 13:05 · 小李（科技部）：报告完成，待审核",
        "• 2016年3月1日 13:05 · 小李（科技部）报告：已完成 100%",
        "• 2016年3月1日 10:05 · 小李（科技部）报告：存在风险 50% — 资金未到位",
        "• 2016年3月1日 10:00 · 小李（科技部）报告：存在风险 50%",
        "• 2016年3月1日 10:00 · 命令行：导入任务",
    ]
    [english] = await bot.send(DIRECTOR, "/audit 3")
    assert english.text is not None
    lead = "小李 (Ministry of Science and Technology)"
    assert english.text.splitlines()[3:] == [
        "• 2016-03-01 13:05 · 主任: returned for more work (退办) (reason given: 缺少附件)",
        f"• 2016-03-01 13:05 · {lead}: reported done, awaiting review",
        f"• 2016-03-01 13:05 · {lead} reported: done 100%",
        f"• 2016-03-01 10:05 · {lead} reported: at risk 50% — 资金未到位",
        f"• 2016-03-01 10:00 · {lead} reported: at risk 50%",
        "• 2016-03-01 10:00 · the command line: task imported",
    ]


async def test_task_card_history_in_words(bot: BotHarness) -> None:
    """/task shows the same words under Recent changes, in local time."""
    await _history(bot)
    [card] = await bot.send(BOSS, "/task 3")
    assert card.text is not None
    assert "• 2016年3月1日 10:05 · 小李（科技部）报告：存在风险 50% — 资金未到位" in card.text
    assert "report.add" not in card.text
    assert "agency_id" not in card.text

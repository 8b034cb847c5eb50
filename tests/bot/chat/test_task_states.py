"""Lists and cards say where a task stands: closed, awaiting review, returned, overdue since."""

from __future__ import annotations

import datetime as dt

from tests.bot.harness import BotHarness
from tests.kit.report_cards import BOSS, LEAD, button, open_card

ENGLISH_LIAISON = 5012


def _line(text: str | None, number: int) -> str:
    """The line of a list that names a task by number."""
    assert text is not None
    return next(line for line in text.splitlines() if f"<b>{number}</b>" in line)


async def _done(bot: BotHarness, number: int) -> None:
    """The lead reports a task done; the review request goes to the coordinators."""
    card = await open_card(bot, LEAD, number)
    await bot.press(LEAD, card.message_id, button(card, "mys:").replace("on_track", "done"))


async def test_closed_awaiting_review_and_returned_in_the_lists(bot: BotHarness) -> None:
    """Task 3 closed (✅ 已销号), task 4 done then returned (已退办) in /mytasks and /tasks."""
    await _done(bot, 3)
    [listing] = await bot.send(LEAD, "/mytasks")
    assert _line(listing.source, 3).startswith("⏳ <b>3</b> · 牵头 · 待审核（办结） · ")
    [notice] = bot.sandbox.messages(BOSS)
    await bot.press(BOSS, notice.message_id, button(notice, "rvc:"))
    await _done(bot, 4)
    returned = bot.sandbox.messages(BOSS)[-1]
    await bot.press(BOSS, returned.message_id, button(returned, "rvr:"))
    await bot.send(BOSS, "缺少附件")
    [listing] = await bot.send(LEAD, "/mytasks")
    assert _line(listing.source, 3).startswith("✅ <b>3</b> · 牵头 · 已销号 · ")
    assert _line(listing.source, 4).startswith("🟢 <b>4</b> · 牵头 · 已退办 · 2016年12月31日 · ")
    assert "✅ 3" in [label for row in listing.buttons for label, _ in row]
    card = await open_card(bot, LEAD, 4)
    assert card.text is not None
    assert "状态：已退办" in card.text.splitlines()
    [tasks] = await bot.send(BOSS, "/tasks all")
    assert " — 科技部 · 已销号" in _line(tasks.source, 3)
    assert _line(tasks.source, 3).startswith("✅ ")
    [coordinator_card] = await bot.send(BOSS, "/task 3")
    assert coordinator_card.text is not None
    assert coordinator_card.text.startswith("✅ 第 3 项任务 · gf-2015-5")
    assert "状态：已销号" in coordinator_card.text.splitlines()


async def test_an_overdue_task_shows_the_date_it_missed(bot: BotHarness) -> None:
    """Past its due date a task says since when and how long, in both languages."""
    await bot.add_member(ENGLISH_LIAISON, "Li", agency="科技部", language="en")
    bot.clock.current = dt.datetime(2018, 1, 10, 2, 0, tzinfo=dt.UTC)
    [listing] = await bot.send(LEAD, "/mytasks")
    assert "🔴 <b>3</b> · 牵头 · 逾期 10 天（截止 2017年12月31日） · " in listing.source
    card = await open_card(bot, LEAD, 3)
    assert card.text is not None
    assert "逾期 10 天（截止 2017年12月31日）" in card.text.splitlines()
    assert "下一时间节点：—" not in card.text
    [english] = await bot.send(ENGLISH_LIAISON, "/mytasks")
    assert "🔴 <b>3</b> · lead · 10 days overdue (due 2017-12-31) · " in english.source
    [coordinator_card] = await bot.send(BOSS, "/task 3")
    assert coordinator_card.text is not None
    assert "逾期 10 天（截止 2017年12月31日）" in coordinator_card.text.splitlines()


async def test_one_day_overdue_in_english(bot: BotHarness) -> None:
    """One day, singular."""
    await bot.add_member(ENGLISH_LIAISON, "Li", agency="科技部", language="en")
    bot.clock.current = dt.datetime(2018, 1, 1, 2, 0, tzinfo=dt.UTC)
    [english] = await bot.send(ENGLISH_LIAISON, "/mytasks")
    assert "1 day overdue (due 2017-12-31)" in english.source

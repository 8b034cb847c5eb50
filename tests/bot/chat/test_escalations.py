"""Overdue nudges, escalations and unacknowledged reminders end to end, in zh and en."""

from __future__ import annotations

import datetime as dt

from bot.chat.handlers.escalations import JOB_NAME, sweep
from tests.bot.harness import BotHarness
from tests.kit.beijing import beijing
from tests.kit.cast import UnitOf, add_report, coordinator, deputy, liaison, units
from tests.kit.sweeps import run_sweep
from workflows.planning import set_due

ALICE, BOB, DEPUTY, ERIN, BOSS, CHIEF = 3001, 3002, 3003, 3004, 3009, 3010


async def setup(harness: BotHarness) -> tuple[str, str]:
    """Only task 12 open, due 8 March 2016; people of its lead and a co-unit; two coordinators."""
    lead, co = UnitOf(12, 0), UnitOf(12, 1)
    await harness.cast(
        liaison(ALICE, lead, "Alice"),
        liaison(BOB, co, "Bob", language="en"),
        liaison(ERIN, lead, "Erin", language="en"),
        deputy(DEPUTY, lead, "Dee", language="en"),
        coordinator(BOSS, "Boss"),
        coordinator(CHIEF, "Chief", language="en"),
        only_task=12,
    )
    async with harness.runtime.session() as session:
        await set_due(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            on_date=dt.date(2016, 3, 8),
            reason="test",
            now=harness.clock(),
        )
        names = [name for name, _role in await units(session, 12)]
    return names[0], names[1]


def texts(harness: BotHarness, chat: int, start: str) -> list[str]:
    """The texts of a chat's messages that start with a heading."""
    found = [m.text for m in harness.sandbox.messages(chat)]
    return [t for t in found if t is not None and t.startswith(start)]


async def test_a_nudge_in_both_languages_with_report_now(harness: BotHarness) -> None:
    """The day after the due date the lead's liaison is nudged; Report now opens the card."""
    assert JOB_NAME in harness.job_names
    await setup(harness)
    await run_sweep(harness, sweep, beijing(2016, 3, 9, 8, 35))
    [nudge] = [m for m in harness.sandbox.messages(ALICE) if (m.text or "").startswith("⏰ 任务")]
    assert nudge.text is not None
    assert nudge.text.splitlines()[:2] == ["⏰ 任务已逾期", "第 12 项任务 · gf-2015-5"]
    assert "2016年3月8日。已逾期 1 天。" in nudge.text
    assert nudge.text.endswith("截止：2016年3月8日。已逾期 1 天。\n\n请尽快报告该任务进展。")
    assert [text for row in nudge.buttons for text, _ in row] == ["立即报告"]
    [card] = await harness.press(ALICE, nudge.message_id, nudge.callback_data[0])
    assert card.text is not None
    assert "第 12 项任务" in card.text
    [en] = texts(harness, ERIN, "⏰ Overdue")
    assert en.splitlines()[:2] == ["⏰ Overdue task", "Task No. 12 · gf-2015-5"]
    assert "2016-03-08. Overdue by 1 day.\n\nPlease report on this task now." in en
    [erin] = [m for m in harness.sandbox.messages(ERIN) if m.text == en]
    assert [t for row in erin.buttons for t, _ in row] == ["Report now"]
    assert texts(harness, BOB, "⏰ Overdue") == []  # co-units are not nudged


async def test_deputy_then_coordinators_are_told_who_is_silent(harness: BotHarness) -> None:
    """Third working day: the deputy (en); fourth: both coordinators, naming the silent units."""
    lead, co = await setup(harness)
    await run_sweep(harness, sweep, beijing(2016, 3, 11, 8, 35))
    [deputy] = texts(harness, DEPUTY, "🔺")
    assert deputy.splitlines()[:2] == ["🔺 Overdue task of your agency", "Task No. 12 · gf-2015-5"]
    assert "Overdue by 3 days." in deputy
    assert texts(harness, BOSS, "🚨 逾期") == []
    await run_sweep(harness, sweep, beijing(2016, 3, 14, 8, 35))
    await run_sweep(harness, sweep, beijing(2016, 3, 15, 8, 35))
    [zh] = texts(harness, BOSS, "🚨 逾期")
    [en] = texts(harness, CHIEF, "🚨 Escalation")
    assert zh.splitlines()[:2] == ["🚨 逾期任务上报", "第 12 项任务 · gf-2015-5"]
    assert f"责任单位：{lead}（牵头）、{co}（配合）" in zh
    assert "\n未报告单位：全部" in zh  # both units silent: not listed twice
    assert en.splitlines()[0] == "🚨 Escalation: overdue task"
    # English readers see the units' English names, silent ones included.
    assert "Units: Ministry of Industry and Information Technology (lead), " in en
    assert "Cyberspace Administration of China (co-responsible)" in en
    assert "\nSilent: all of them" in en
    assert lead not in en
    [last] = [m for m in harness.sandbox.messages(CHIEF) if m.text == en]
    assert [text for row in last.buttons for text, _ in row] == ["Open the task"]
    assert len(texts(harness, DEPUTY, "🔺")) == 1


async def test_unacknowledged_reminder_with_sign_buttons_then_escalation(
    harness: BotHarness,
) -> None:
    """Two working days: a reminder with 签收; five: the coordinators hear of the co-unit only."""
    _, co = await setup(harness)
    await run_sweep(harness, sweep, beijing(2016, 3, 3, 10, 5))
    [reminder] = [
        m for m in harness.sandbox.messages(ALICE) if (m.text or "").startswith("⏰ 尚未签收")
    ]
    assert reminder.callback_data[0].startswith("ack:")
    assert "第 12 项" in (reminder.text or "")
    [en] = texts(harness, BOB, "⏰ Not yet acknowledged")
    assert "Task 12" in en or "12" in en
    await harness.press(ALICE, reminder.message_id, reminder.callback_data[0])
    await run_sweep(harness, sweep, beijing(2016, 3, 8, 10, 5))
    await run_sweep(harness, sweep, beijing(2016, 3, 9, 10, 5))
    [zh] = texts(harness, BOSS, "🚨 未签收任务")
    [chief] = texts(harness, CHIEF, "🚨 Not acknowledged")
    assert f"{co}尚未签收：" in zh
    assert "第 12 项任务" in zh
    assert "Cyberspace Administration of China has not signed for:" in chief
    assert "Task No. 12 · gf-2015-5" in chief


async def test_many_unsigned_tasks_are_one_reminder_signed_at_once(harness: BotHarness) -> None:
    """工业和信息化部's 19 tasks: one reminder naming their numbers, one 全部签收 that signs all."""
    await harness.cast(liaison(ALICE, "工业和信息化部", "Alice"), coordinator(BOSS, "Boss"))
    before = len(harness.sandbox.messages(ALICE))
    await run_sweep(harness, sweep, beijing(2016, 3, 3, 10, 5))
    sent = harness.sandbox.messages(ALICE)[before:]
    [reminder] = [m for m in sent if (m.text or "").startswith("⏰ 尚未签收")]
    lines = (reminder.text or "").splitlines()
    assert lines[0] == "⏰ 尚未签收"
    assert lines[1] == "工业和信息化部尚有 19 项任务未签收："
    assert lines[2].startswith("• 第 1、")
    assert lines[-1] == "可用 /mytasks 逐项查看，或一次全部签收。"
    assert [label for row in reminder.buttons for label, _ in row] == ["✅ 全部签收（19 项）"]
    await harness.press(ALICE, reminder.message_id, reminder.callback_data[0])
    answer = harness.sandbox.calls("answerCallbackQuery")[-1].params.get("text")
    assert answer == "已签收 19 项任务，谢谢。"
    [signed] = [m for m in harness.sandbox.messages(ALICE) if m.message_id == reminder.message_id]
    assert (signed.text or "").startswith("✅ 工业和信息化部已签收 19 项任务（Alice）。")
    assert not signed.buttons
    await run_sweep(harness, sweep, beijing(2016, 3, 9, 10, 5))
    assert texts(harness, BOSS, "🚨 未签收任务") == []  # nothing left to escalate


async def test_an_escalation_names_only_the_units_still_silent(harness: BotHarness) -> None:
    """The co-unit reported on the 14th: the coordinators' escalation names the others alone."""
    lead, co = await setup(harness)
    async with harness.runtime.session() as session:
        await add_report(session, number=12, agency=co, at=beijing(2016, 3, 14, 9, 0), percent=60)
    for day in (11, 14, 15):
        await run_sweep(harness, sweep, beijing(2016, 3, day, 8, 35))
    [zh] = texts(harness, BOSS, "🚨 逾期")
    [en] = texts(harness, CHIEF, "🚨 Escalation")
    silent_zh = zh.split("未报告单位：")[1].splitlines()[0]
    assert lead in silent_zh
    assert co not in silent_zh
    silent_en = en.split("Silent: ")[1].splitlines()[0]
    assert "Ministry of Industry and Information Technology" in silent_en
    assert "Cyberspace Administration of China" not in silent_en

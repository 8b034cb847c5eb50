"""Grouped messages end to end: what the sweeps decide for a member at one moment is one message."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from bot.chat.handlers import checkins, escalations, reminders
from bot.chat.handlers.checkins import sweep as checkin_sweep
from bot.chat.handlers.escalations import sweep as escalation_sweep
from bot.chat.handlers.reminders import sweep as reminder_sweep
from db.models import Agency, Assignment, Milestone, Task
from tests.bot.harness import BotHarness
from tests.kit.beijing import beijing
from tests.kit.cast import Plan, coordinator, import_plan, liaison
from tests.kit.sweeps import run_sweep
from workflows.planning import add_milestone, set_due

MIIT, MIIT_EN, CAC, BOSS = (
    3001,
    3003,
    3002,
    3009,
)  # liaisons of 工业和信息化部 and 网信办, a coordinator


async def _due_tasks(harness: BotHarness, agency: str, on_date: dt.date | None) -> list[int]:
    """The numbers of an agency's tasks (with a live milestone on a date), in order."""
    query = (
        select(Task.number)
        .join(Assignment, Assignment.task_id == Task.id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Agency.name == agency)
        .distinct()
    )
    if on_date is not None:
        query = query.join(Milestone, Milestone.task_id == Task.id).where(
            Milestone.on_date == on_date, Milestone.cancelled_at.is_(None)
        )
    async with harness.runtime.session() as session:
        return sorted(await session.scalars(query))


async def test_the_bundled_plan_reminds_the_miit_liaison_once_in_one_message(
    harness: BotHarness,
) -> None:
    """2015-12-30: one 到期提醒 naming every task due 2015-12-31, a button for each."""
    harness.clock.current = beijing(2015, 12, 1, 10, 0)
    await harness.cast(
        liaison(MIIT, "工业和信息化部", "王工"),
        liaison(MIIT_EN, "工业和信息化部", "Wang", language="en"),
    )
    await run_sweep(harness, reminder_sweep, beijing(2015, 12, 29, 8, 30))
    before = len(harness.sandbox.messages(MIIT))
    en_before = len(harness.sandbox.messages(MIIT_EN))
    queued = await run_sweep(harness, reminder_sweep, beijing(2015, 12, 30, 8, 30))
    assert await run_sweep(harness, reminder_sweep, beijing(2015, 12, 30, 8, 35)) == 0
    due = await _due_tasks(harness, "工业和信息化部", dt.date(2015, 12, 31))
    assert len(due) == 17
    assert queued == 2 * 17
    [message] = harness.sandbox.messages(MIIT)[before:]
    assert message.text is not None
    lines = message.text.splitlines()
    assert lines[0] == "⏳ 到期提醒 （17 项）"
    [en] = harness.sandbox.messages(MIIT_EN)[en_before:]
    assert en.text is not None
    assert en.text.splitlines()[:2] == [
        "⏳ Deadline reminders (17)",
        "• Task No. 2 checkpoint: 2015-12-31. 1 day left.",
    ]
    assert en.text.endswith("\n\nPlease report on these tasks now.")
    assert [text for row in en.buttons for text, _ in row][:2] == ["No. 2", "No. 3"]
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
    # A reply to the grouped message is asked which task it is about; a reply to that task's
    # card is about that task (a note, once the agency has reported).
    [ask] = await harness.reply(MIIT, message.message_id, "已完成大半")
    assert ask.text == "该消息涉及多项任务。是哪一项？请先打开该任务，再回复其任务卡片。"
    assert ask.buttons == message.buttons
    [card] = await harness.press(MIIT, ask.message_id, ask.callback_data[1])
    [answer] = await harness.reply(MIIT, card.message_id, "已完成大半")
    assert answer.text == f"请先报告第 {due[1]} 项任务的进展（/mytasks），再回复添加备注。"


async def test_a_moved_date_is_reminded_anew_once_and_the_old_one_no_more(
    harness: BotHarness,
) -> None:
    """Task 12 moved from 2015-12-31 to 2016-01-08: its reminders name the new date, once each."""
    harness.clock.current = beijing(2015, 12, 1, 10, 0)
    await harness.cast(liaison(MIIT, "工业和信息化部", "王工"), coordinator(BOSS, "Boss"))
    await run_sweep(harness, reminder_sweep, beijing(2015, 12, 29, 8, 30))
    await run_sweep(harness, reminder_sweep, beijing(2015, 12, 30, 8, 30))
    moved = len(harness.sandbox.messages(MIIT))
    async with harness.runtime.session() as session:
        await set_due(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            on_date=dt.date(2016, 1, 8),
            reason="more time",
            now=beijing(2015, 12, 30, 10, 0),
        )
    mornings = [(2015, 12, 31), (2016, 1, 4), (2016, 1, 5), (2016, 1, 7), (2016, 1, 8)]
    about_12: list[str] = []
    for day in mornings:
        for minute in (30, 35):
            before = len(harness.sandbox.messages(MIIT))
            await run_sweep(harness, reminder_sweep, beijing(*day, 8, minute))
            new = harness.sandbox.messages(MIIT)[before:]
            assert len(new) <= 1, day  # one message a moment, whatever it holds
            about_12 += [m.text for m in new if m.text is not None and "第 12 项任务" in m.text]
    assert len(harness.sandbox.messages(MIIT)) > moved
    # 7 days before (1 January, a holiday: on the 4th), 1 day before, and on the day.
    assert len(about_12) == 3
    told = [text.split("第 12 项任务")[1].split("\n•")[0] for text in about_12]
    assert all("2016年1月8日" in part and "2015年12月31日" not in part for part in told)
    assert ["还剩 4 天" in told[0], "还剩 1 天" in told[1], "就是今天" in told[2]] == [True] * 3


async def test_check_ins_of_several_tasks_go_as_one_message(harness: BotHarness) -> None:
    """14 days after the import, the 网信办 liaison is asked about all its tasks at once."""
    await harness.cast(liaison(CAC, "网信办", "Alice"))
    await run_sweep(harness, checkin_sweep, beijing(2016, 3, 15, 8, 30))
    assert await run_sweep(harness, checkin_sweep, beijing(2016, 3, 15, 8, 40)) == 0
    [message] = harness.sandbox.messages(CAC)
    assert message.text is not None
    lines = message.text.splitlines()
    titles = [line for line in lines if line.startswith("• 第 ")]
    assert len(titles) > 1
    assert lines[0] == f"📋 进展询问 （{len(titles)} 项）"
    assert all("· 网信办（" in line for line in titles)
    assert lines.count("  本单位尚未报告进展。") == len(titles)
    assert lines[-1] == "本单位承担的以上各项进展如何？请报告。"
    labels = [text for row in message.buttons for text, _ in row]
    assert labels == [f"第 {line.split()[2]} 项" for line in titles]


async def test_past_the_daily_cap_the_rest_wait_for_the_next_working_morning(
    harness: BotHarness,
) -> None:
    """Cap 1 (set in the chat): after the morning's check-ins, a noon reminder waits a day."""
    await harness.cast(liaison(CAC, "网信办", "Alice"), coordinator(BOSS, "Boss"))
    [changed] = await harness.send(BOSS, "/settings daily_message_cap 1条")
    assert (changed.text or "").startswith("✅ 每人每天定时消息上限（0：不限）：1（原为 5）。")
    async with harness.runtime.session() as session:
        await add_milestone(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            on_date=dt.date(2016, 3, 18),
            label="中期评估",
            now=harness.clock(),
        )
    await run_sweep(harness, checkin_sweep, beijing(2016, 3, 15, 8, 30))
    assert len(harness.sandbox.messages(CAC)) == 1
    # Friday 18 March's 7-day reminder, decided late on Tuesday 15th at noon: held back.
    assert await run_sweep(harness, reminder_sweep, beijing(2016, 3, 15, 12, 0)) == 1
    assert len(harness.sandbox.messages(CAC)) == 1
    harness.clock.current = beijing(2016, 3, 16, 8, 29)
    await harness.sender.drain()
    assert len(harness.sandbox.messages(CAC)) == 1
    harness.clock.current = beijing(2016, 3, 16, 8, 30)
    await harness.sender.drain()
    [_, reminder] = harness.sandbox.messages(CAC)
    assert reminder.text is not None
    assert reminder.text.startswith("⏳ 到期提醒")
    assert "中期评估：2016年3月18日。还剩 2 天。" in reminder.text


async def test_a_coordinator_hears_of_every_unsigned_agency_at_once(harness: BotHarness) -> None:
    """Five working days after the import: one message, an agency's section each."""
    await harness.cast(
        liaison(MIIT, "工业和信息化部", "王工"),
        liaison(CAC, "网信办", "Alice"),
        coordinator(BOSS, "Boss"),
    )
    await run_sweep(harness, escalation_sweep, beijing(2016, 3, 9, 10, 5))
    assert await run_sweep(harness, escalation_sweep, beijing(2016, 3, 9, 10, 10)) == 0
    [message] = harness.sandbox.messages(BOSS)
    assert message.text is not None
    headings = [line for line in message.text.splitlines() if line.startswith("🚨")]
    miit = await _due_tasks(harness, "工业和信息化部", None)
    cac = await _due_tasks(harness, "网信办", None)
    # Task 12, due 2015-12-31, is long overdue too: its escalation leads the same message.
    assert headings == [
        "🚨 逾期任务上报 （1 项） （延迟送达：机器人曾离线）",
        f"🚨 工业和信息化部尚未签收 （{len(miit)} 项）",
        f"🚨 网信办尚未签收 （{len(cac)} 项）",
    ]
    assert "• 第 12 项任务 截止：2015年12月31日。已逾期 69 天。" in message.text
    assert "• 第 9 项任务 · 牵头 — 加强云计算服务网络安全防护管理" in message.text
    labels = [text for row in message.buttons for text, _ in row]
    assert sorted(labels) == sorted(f"第 {n} 项" for n in set(miit) | set(cac))


async def test_reminders_of_two_plans_go_as_one_message_grouped_by_plan(
    harness: BotHarness,
) -> None:
    """The same annex imported twice: one message, the plans apart inside, buttons naming them."""
    harness.clock.current = beijing(2015, 12, 1, 10, 0)
    await harness.cast(liaison(MIIT, "工业和信息化部", "王工"))
    async with harness.runtime.session() as session:
        await import_plan(session, now=harness.clock(), plan=Plan(code="gf-2015-5b"))
    await run_sweep(harness, reminder_sweep, beijing(2015, 12, 29, 8, 30))
    before = len(harness.sandbox.messages(MIIT))
    queued = await run_sweep(harness, reminder_sweep, beijing(2015, 12, 30, 8, 30))
    due = sorted(set(await _due_tasks(harness, "工业和信息化部", dt.date(2015, 12, 31))))
    [message] = harness.sandbox.messages(MIIT)[before:]
    assert message.text is not None
    lines = message.text.splitlines()
    assert lines[0] == f"⏳ 到期提醒 （{queued} 项）"
    assert queued == 2 * len(due)
    first, second = lines.index("gf-2015-5"), lines.index("gf-2015-5b")
    for block in (lines[first:second], lines[second:]):
        titles = [line.split()[2] for line in block if line.startswith("• 第 ")]
        assert titles == [str(number) for number in due]
    labels = [text for row in message.buttons for text, _ in row]
    assert labels == [f"{plan} · 第 {n} 项" for plan in ("gf-2015-5", "gf-2015-5b") for n in due]


async def test_the_sweeps_run_together_and_wake_the_sender_once_for_one_message(
    harness: BotHarness,
) -> None:
    """Reminder, check-in and overdue jobs fire together; the sender is woken after the last."""
    await harness.cast(liaison(MIIT, "工业和信息化部", "王工"))
    names = {reminders.JOB_NAME, checkins.JOB_NAME, escalations.JOB_NAME}
    jobs = [job for job in harness.jobs if job.name in names]
    assert len(jobs) == 3
    wakes: list[dt.datetime] = []
    harness.runtime.wake_sender = lambda: wakes.append(harness.clock())
    # 15 March 2016: the first check-in cycle, and the tasks overdue since 31 December.
    harness.clock.current = beijing(2016, 3, 15, 8, 31)
    await asyncio.gather(*(job.run(harness.application) for job in jobs))
    assert wakes == [harness.clock()]
    await harness.sender.drain()
    # Unsigned tasks are reminded apart: their message's 签收 buttons redraw it as a notice.
    [message] = [m for m in harness.sandbox.messages(MIIT) if "尚未签收" not in (m.text or "")]
    assert message.text is not None
    lines = message.text.splitlines()
    headings = [line.split(" （")[0] for line in lines if line.startswith(("⏰", "📋"))]
    assert headings == ["📋 进展询问", "⏰ 逾期任务"]

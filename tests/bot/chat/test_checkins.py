"""Check-ins end to end: the prompt in zh and en, its Report now button, and the follow-up."""

from __future__ import annotations

from sqlalchemy import update

from bot.chat.handlers.checkins import JOB_NAME, sweep
from bot.sandbox import ChatMessage
from db.enums import ReportStatus
from db.models import Task
from tests.bot.harness import BotHarness
from tests.kit.beijing import beijing
from tests.kit.cast import add_report
from tests.kit.sweeps import run_sweep

ALICE, BOB = 2101, 2102  # 网信办 (zh), 发展改革委 (en)


async def only_task_12(harness: BotHarness) -> None:
    """The bundled plan with every task but 12 removed, so few messages are paced out."""
    await harness.import_bundled()
    async with harness.runtime.session() as session:
        await session.execute(
            update(Task).where(Task.number != 12).values(removed_at=harness.clock())
        )
        await session.commit()


def about_task_12(messages: list[ChatMessage], marker: str) -> ChatMessage:
    """The one message about task 12 (第 12 项 / No. 12)."""
    [message] = [m for m in messages if m.text is not None and marker in m.text]
    return message


async def test_prompts_in_both_languages_and_a_follow_up_only_to_the_silent(
    harness: BotHarness,
) -> None:
    """Imported 1 March 2016: prompts on the 15th; on the 17th only the silent agency is asked."""
    assert JOB_NAME in harness.job_names
    await only_task_12(harness)
    await harness.add_member(ALICE, "Alice", agency="网信办")
    await harness.add_member(BOB, "Bob", agency="发展改革委", language="en")
    assert await run_sweep(harness, sweep, beijing(2016, 3, 15, 8, 0)) == 0
    assert await run_sweep(harness, sweep, beijing(2016, 3, 15, 8, 30)) > 0
    assert await run_sweep(harness, sweep, beijing(2016, 3, 15, 8, 40)) == 0
    zh = about_task_12(harness.sandbox.messages(ALICE), "第 12 项任务")
    en = about_task_12(harness.sandbox.messages(BOB), "Task No. 12")
    assert zh.text is not None
    assert en.text is not None
    assert zh.text.splitlines()[:2] == ["📋 进展询问", "第 12 项任务 · gf-2015-5"]
    assert zh.text.splitlines()[-3:] == [
        "本单位尚未报告进展。",
        "",
        "本单位承担部分进展如何？请报告。",
    ]
    assert "网信办（" in zh.text
    assert en.text.splitlines()[:2] == ["📋 Status check-in", "Task No. 12 · gf-2015-5"]
    assert "No report from your agency yet." in en.text
    assert "National Development and Reform Commission (co-responsible)" in en.text
    assert [text for row in zh.buttons for text, _ in row] == ["立即报告"]
    assert [text for row in en.buttons for text, _ in row] == ["Report now"]
    [card] = await harness.press(ALICE, zh.message_id, zh.callback_data[0])
    assert card.text is not None
    assert "第 12 项任务" in card.text
    async with harness.runtime.session() as session:
        await add_report(session, number=12, agency="发展改革委", at=beijing(2016, 3, 16, 11, 0))
    alice_before, bob_before = (len(harness.sandbox.messages(u)) for u in (ALICE, BOB))
    assert await run_sweep(harness, sweep, beijing(2016, 3, 17, 8, 30)) == 1  # Alice's alone
    follow = about_task_12(harness.sandbox.messages(ALICE)[alice_before:], "第 12 项任务")
    assert follow.text is not None
    assert follow.text.startswith("🔔 进展催报：仍在等待\n")
    assert follow.text.endswith("本单位尚未报告，请尽快报告进展。")
    assert harness.sandbox.messages(BOB)[bob_before:] == []


async def test_the_last_report_is_shown_and_a_catch_up_is_marked_late(harness: BotHarness) -> None:
    """Back on 30 March after downtime: cycle 2's prompt, late, with the agency's last report."""
    await only_task_12(harness)
    await harness.add_member(BOB, "Bob", agency="发展改革委", language="en")
    async with harness.runtime.session() as session:
        at = beijing(2016, 3, 10, 9, 15)
        await add_report(
            session, number=12, agency="发展改革委", at=at, status=ReportStatus.ON_TRACK, percent=20
        )
    assert await run_sweep(harness, sweep, beijing(2016, 3, 30, 14, 0)) > 0
    en = about_task_12(harness.sandbox.messages(BOB), "Task No. 12")
    assert en.text is not None
    assert en.text.startswith("📋 Status check-in (late: the bot was offline)\n")
    assert "Last report: 🟢 On track 20% (2016-03-10 09:15)" in en.text

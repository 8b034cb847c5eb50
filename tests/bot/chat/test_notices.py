"""Assignment notices as liaisons see them: grouped, split under 4096 characters, signed for."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.limits import MESSAGE_LIMIT
from db.enums import MemberRole
from db.models import Agency, Assignment, AuditEvent, ChatMessage, Task
from tests.bot.harness import BotHarness
from workflows.notices import enqueue_pending_notices

BOSS, NDRC, MOST, NDRC_DEPUTY = 100, 200, 201, 202


async def _queue(harness: BotHarness) -> int:
    async with harness.runtime.session() as session:
        queued = await enqueue_pending_notices(session, now=harness.clock())
        await session.commit()
    await harness.sender.drain()
    return queued


async def test_many_assignments_are_split_into_short_messages(harness: BotHarness) -> None:
    """发展改革委's 21 tasks come as three messages, each within Telegram's limit, once."""
    await harness.import_bundled()
    await harness.add_member(NDRC, "钱联络", agency="发展改革委")
    assert await _queue(harness) == 3
    assert await _queue(harness) == 0
    messages = harness.sandbox.messages(NDRC)
    assert len(messages) == 3
    assert all(len(m.text or "") <= MESSAGE_LIMIT for m in messages)
    signs = [d for m in messages for d in m.callback_data if d.startswith("ack:")]
    assert len(signs) == 21
    # Ten tasks, ten and one: the first two can be signed at once, the last has its own button.
    assert [m.buttons[0][0][0] for m in messages] == ["✅ 全部签收（10 项）"] * 2 + ["签收第 23 项"]
    assert all((m.text or "").startswith("发展改革委的分工任务") for m in messages)
    assert "第 1 项 · 牵头 ·" in (messages[0].text or "")


async def test_a_single_task_notice_takes_replies_as_notes(harness: BotHarness) -> None:
    """A notice about one task is remembered as that task's message; English reads English."""
    await harness.import_bundled()
    await harness.add_member(MOST, "Zhou", agency="商务部", language="en")
    await _queue(harness)
    [notice] = harness.sandbox.messages(MOST)
    assert (notice.text or "").startswith("Tasks assigned to Ministry of Commerce")
    assert "Task 23 · lead ·" in (notice.text or "")
    assert [text for row in notice.buttons for text, _ in row] == ["Acknowledge task 23"]
    async with harness.runtime.session() as session:
        remembered = await session.scalar(
            select(Task.number)
            .join(ChatMessage, ChatMessage.task_id == Task.id)
            .where(ChatMessage.message_id == notice.message_id, ChatMessage.chat_id == MOST)
        )
    assert remembered == 23
    await harness.press(MOST, notice.message_id, notice.callback_data[0])
    edited = harness.sandbox.messages(MOST)[-1]
    assert "✅ Signed by Zhou at 2016-03-01 10:00" in (edited.text or "")
    assert edited.callback_data == []


async def test_nothing_is_sent_for_tasks_signed_or_removed_before_sending(
    harness: BotHarness,
) -> None:
    """A notice whose tasks were all signed for meanwhile is not sent; a coordinator gets none."""
    await harness.import_bundled()
    await harness.add_member(BOSS, "督查室", role=MemberRole.COORDINATOR)
    await harness.add_member(MOST, "周联络", agency="商务部")
    async with harness.runtime.session() as session:
        await enqueue_pending_notices(session, now=harness.clock())
        await session.execute(update(Assignment).values(acknowledged_at=harness.clock()))
        await session.commit()
    await harness.sender.drain()
    assert harness.sandbox.messages(MOST) == []
    assert harness.sandbox.messages(BOSS) == []


async def test_acknowledge_all_signs_every_task_of_the_message(harness: BotHarness) -> None:
    """全部签收 under a notice of ten: all ten signed (audited), the message shows who signed."""
    await harness.import_bundled()
    await harness.add_member(NDRC, "钱联络", agency="发展改革委")
    await harness.add_member(NDRC_DEPUTY, "孙副", agency="发展改革委", role=MemberRole.DEPUTY)
    await _queue(harness)
    first = harness.sandbox.messages(NDRC)[0]
    assert first.buttons[0][0][0] == "✅ 全部签收（10 项）"
    assert await harness.press(NDRC, first.message_id, first.buttons[0][0][1]) == []
    answer = harness.sandbox.calls("answerCallbackQuery")[-1]
    assert answer.params.get("text") == "已签收 10 项任务，谢谢。"
    edited = harness.sandbox.messages(NDRC)[0]
    assert (edited.text or "").count("✅ 钱联络 已于 2016年3月1日 10:00 签收") == 10
    assert edited.callback_data == []
    async with harness.runtime.session() as session:
        audited = await session.scalar(
            select(func.count()).where(AuditEvent.action == "assignment.acknowledged")
        )
        unsigned = await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .join(Agency, Agency.id == Assignment.agency_id)
            .where(Agency.name == "发展改革委", Assignment.acknowledged_at.is_(None))
        )
    assert audited == 10
    assert unsigned == 11  # the other two messages' tasks wait for their own presses
    theirs = harness.sandbox.messages(NDRC_DEPUTY)[0]  # the deputy's copy, pressed later
    await harness.press(NDRC_DEPUTY, theirs.message_id, theirs.buttons[0][0][1])
    assert harness.sandbox.calls("answerCallbackQuery")[-1].params.get("text") == (
        "这些任务均已签收。"
    )

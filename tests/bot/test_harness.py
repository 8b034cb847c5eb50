"""The end-to-end harness itself, and the outbox sender it drains."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.delivery.sender import RENDERERS, Rendered
from db.enums import DeliveryState
from db.models import Delivery, Member
from tests.bot.harness import BotHarness
from workflows.chat import task_of_message
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import OutgoingMessage

ALICE = 1001


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo {update.effective_message.text}")


async def test_a_command_round_trip(harness: BotHarness) -> None:
    """An injected command reaches a handler through polling and its reply reaches the chat."""
    harness.application.add_handler(CommandHandler("ping", _echo))
    harness.sandbox.add_user(ALICE, "Alice")
    [reply] = await harness.send(ALICE, "/ping <b>")
    assert reply.text == "echo /ping <b>"


async def _greeting(message: OutgoingMessage, _session: AsyncSession) -> Rendered | None:
    return Rendered(f"<b>你好</b> {message.payload['n']}", task_id=message.payload.get("task"))


async def test_outbox_sends_each_key_once_and_marks_blocked_members(harness: BotHarness) -> None:
    """A delivery goes once however often it is enqueued; a blocked user is marked unreachable."""
    RENDERERS["test-greeting"] = _greeting
    await harness.import_bundled()
    member_id = await harness.add_member(ALICE, "Alice", agency="科技部")
    blocked_id = await harness.add_member(1002, "Bob", agency="发展改革委")
    harness.sandbox.faults.block(1002)
    async with harness.runtime.session() as session:
        for _ in range(2):
            added: Any = await enqueue(
                session,
                key="greet:1",
                kind="test-greeting",
                chat_id=ALICE,
                member_id=member_id,
                payload={"n": 1, "task": 1},
                now=harness.clock(),
            )
        assert added is False
        await enqueue(
            session,
            key="greet:2",
            kind="test-greeting",
            chat_id=1002,
            member_id=blocked_id,
            payload={"n": 2},
            now=harness.clock(),
        )
        await session.commit()
    assert await harness.sender.drain() == 1
    assert await harness.sender.drain() == 0
    [message] = harness.sandbox.messages(ALICE)
    assert message.text == "你好 1"
    async with harness.runtime.session() as session:
        states = {d.idempotency_key: d.state for d in await session.scalars(select(Delivery))}
        assert states == {"greet:1": DeliveryState.SENT, "greet:2": DeliveryState.FAILED}
        bob = await session.get(Member, blocked_id)
        assert bob is not None
        assert bob.reachable is False
        assert await task_of_message(session, chat_id=ALICE, message_id=message.message_id) == 1

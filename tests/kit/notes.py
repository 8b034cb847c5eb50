"""Test notes through the outbox: a small team, notes queued to chats, and what arrived."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.pacing import Pacer, PacingRateLimiter
from bot.delivery.sender import RENDERERS, Rendered
from db.models import Delivery
from tests.bot.harness import BotHarness
from tests.kit.cast import coordinator, deputy, liaison
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import OutgoingMessage

NOTE = "test-note"
COORDINATOR = 9001
LIAISON = 1001
DEPUTY = 1003
GROUP = -100777


async def render_note(message: OutgoingMessage, _session: AsyncSession) -> Rendered:
    """A test note reads "note <n>"."""
    return Rendered(f"note {message.payload['n']}")


def register_note_renderer() -> None:
    """Let the sender render test notes."""
    RENDERERS[NOTE] = render_note


def pace_on_the_harness_clock(harness: BotHarness) -> None:
    """Let the pacer wait (retry_after holds, 1 s per chat) by moving the test's clock."""

    async def sleep(seconds: float) -> None:
        harness.clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    pacer = Pacer(clock=lambda: harness.clock().timestamp(), sleep=sleep)
    limiter = harness.application.bot.rate_limiter
    assert isinstance(limiter, PacingRateLimiter)
    limiter.pacer = harness.sender.pacer = pacer


async def team(harness: BotHarness) -> dict[int, int]:
    """A coordinator, a liaison and a deputy of 科技部, paced on the harness clock: member ids."""
    pace_on_the_harness_clock(harness)
    return await harness.cast(
        coordinator(COORDINATOR, "Zhou"),
        liaison(LIAISON, "科技部", "Li"),
        deputy(DEPUTY, "科技部", "Deng"),
    )


async def queue_notes(harness: BotHarness, *chats: int, member_id: int | None = None) -> None:
    """Queue note n to the n-th chat."""
    async with harness.runtime.session() as session:
        for n, chat_id in enumerate(chats):
            await enqueue(
                session,
                key=f"note:{n}:{chat_id}",
                kind=NOTE,
                chat_id=chat_id,
                member_id=member_id,
                payload={"n": n},
                now=harness.clock(),
            )
        await session.commit()


async def deliveries(harness: BotHarness) -> list[Delivery]:
    """Every delivery, oldest first."""
    async with harness.runtime.session() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


def texts(harness: BotHarness, chat_id: int) -> list[str]:
    """The texts of a chat's messages."""
    return [m.text or "" for m in harness.sandbox.messages(chat_id)]

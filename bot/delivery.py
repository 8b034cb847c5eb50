"""The sender: drains the outbox, rendering each delivery in its recipient's language."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.runtime import Runtime
from db.models import ChatMessage
from workflows.outbox import (
    OutgoingMessage,
    due_messages,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_unreachable,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BASE_BACKOFF_SECONDS = 5


@dataclass(frozen=True)
class Rendered:
    """A delivery turned into a message: HTML text, buttons, and the task it is about."""

    text: str
    buttons: InlineKeyboardMarkup | None = None
    task_id: int | None = None


Renderer = Callable[[OutgoingMessage, AsyncSession], Awaitable[Rendered | None]]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register how deliveries of one kind are rendered (None: nothing to send any more)."""

    def register(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
        return function

    return register


class Sender:
    """Sends due deliveries one at a time; a wake-up while draining drains again after."""

    def __init__(self, application: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
        self._application = application
        self._runtime = runtime
        self._lock = asyncio.Lock()
        self._again = False

    def wake(self) -> None:
        """Start draining soon (from a handler that just enqueued something)."""
        self._application.create_task(self.drain(), name="outbox-drain")

    async def drain(self) -> int:
        """Send everything that is due now; returns how many were sent."""
        if self._lock.locked():
            self._again = True
            return 0
        sent = 0
        async with self._lock:
            while True:
                self._again = False
                async with self._runtime.session() as session:
                    batch = await due_messages(session, now=self._runtime.now())
                for message in batch:
                    sent += await self._send_one(message)
                if not batch and not self._again:
                    return sent

    async def _send_one(self, message: OutgoingMessage) -> int:
        """Render and send one delivery, recording the outcome in its own transaction."""
        async with self._runtime.session() as session:
            now = self._runtime.now()
            try:
                rendered = await RENDERERS[message.kind](message, session)
                if rendered is None:
                    await mark_failed(session, message.delivery_id, error="nothing to send")
                    await session.commit()
                    return 0
                sent = await self._application.bot.send_message(
                    message.chat_id,
                    rendered.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=rendered.buttons,
                    disable_web_page_preview=True,
                )
            except Forbidden as error:
                if message.member_id is not None:
                    await mark_unreachable(session, message.member_id)
                await mark_failed(session, message.delivery_id, error=f"forbidden: {error}")
            except RetryAfter as error:
                wait = error.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                retry_at = now + dt.timedelta(seconds=seconds)
                await mark_retry(
                    session, message.delivery_id, next_attempt_at=retry_at, error="429"
                )
            except (TimedOut, NetworkError) as error:
                if message.attempts + 1 >= MAX_ATTEMPTS:
                    await mark_failed(session, message.delivery_id, error=str(error))
                else:
                    delay = BASE_BACKOFF_SECONDS * 2**message.attempts
                    retry_at = now + dt.timedelta(seconds=delay)
                    await mark_retry(
                        session, message.delivery_id, next_attempt_at=retry_at, error=str(error)
                    )
            except (BadRequest, KeyError) as error:
                log.error("delivery %s cannot be sent: %s", message.delivery_id, error)
                await mark_failed(session, message.delivery_id, error=str(error))
            else:
                await mark_sent(session, message.delivery_id, now=now, message_id=sent.message_id)
                if rendered.task_id is not None:
                    session.add(
                        ChatMessage(
                            chat_id=message.chat_id,
                            message_id=sent.message_id,
                            task_id=rendered.task_id,
                            created_at=now,
                        )
                    )
                await session.commit()
                return 1
            await session.commit()
            return 0

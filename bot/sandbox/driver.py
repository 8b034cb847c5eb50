"""Driving the real bot against the sandbox with a hand-moved clock (the demo and the tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, Job

from bot.chat.application import SENDER_KEY, build_application
from bot.delivery.pacing import Pacer
from bot.delivery.sender import Sender
from bot.runtime import Runtime
from bot.sandbox.models import ChatMessage, InjectedUpdate
from bot.sandbox.server import SandboxServer
from bot.settings import Settings

D = TypeVar("D", bound="BotDriver")


@dataclass
class ClockTimer:
    """A callback waiting for a hand-moved clock to reach its moment."""

    at: dt.datetime
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        """Do not call the callback."""
        self.cancelled = True


class Clock:
    """A clock moved by hand; timers set on it (the sender's wake) fire as it passes them."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start
        self._timers: list[ClockTimer] = []

    def __call__(self) -> dt.datetime:
        return self._now

    @property
    def current(self) -> dt.datetime:
        """The time now."""
        return self._now

    @current.setter
    def current(self, moment: dt.datetime) -> None:
        self._now = moment
        due = [t for t in self._timers if t.at <= moment and not t.cancelled]
        self._timers = [t for t in self._timers if t.at > moment and not t.cancelled]
        for timer in sorted(due, key=lambda t: t.at):
            timer.callback()

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.current = self._now + dt.timedelta(**delta)

    def call_later(self, delay: float, callback: Callable[[], None]) -> ClockTimer:
        """Call back once the clock has moved `delay` seconds on (a timer for the sender)."""
        timer = ClockTimer(self._now + dt.timedelta(seconds=delay), callback)
        self._timers.append(timer)
        return timer


class VirtualTime:
    """Monotonic time for the pacer that jumps instead of sleeping (simulated weeks in seconds)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        """Let the time pass at once."""
        self.seconds += max(0.0, seconds)


@dataclass
class BotDriver:
    """The running bot and the sandbox it talks to, with helpers that wait for it to finish."""

    sandbox: SandboxServer
    application: Application[Any, Any, Any, Any, Any, Any]
    runtime: Runtime
    clock: Clock
    sender: Sender
    jobs: tuple[Job[Any], ...] = ()  # the application's jobs, unscheduled: the driver runs them

    @property
    def job_names(self) -> tuple[str, ...]:
        """The names of the jobs the application scheduled."""
        return tuple(job.name or "" for job in self.jobs)

    async def settle(self, injected: InjectedUpdate) -> None:
        """Wait until the bot has fetched and handled an update, then send what it queued."""
        update_id = injected.update_id

        def fetched() -> bool:
            return any(
                int(call.params.get("offset") or 0) > update_id
                for call in self.sandbox.calls("getUpdates")
            )

        await self.sandbox.wait_until(fetched, timeout=10)
        await self.application.update_queue.join()
        await self.sender.drain()

    async def send(self, user_id: int, text: str) -> list[ChatMessage]:
        """Send a message as a user; returns the bot's new messages in that chat."""
        before = len(self.sandbox.messages(user_id))
        await self.settle(self.sandbox.send_text(user_id, text))
        return self.sandbox.messages(user_id)[before:]

    async def send_file(
        self, user_id: int, filename: str, data: bytes, *, caption: str | None = None
    ) -> list[ChatMessage]:
        """Send a file as a user; returns the bot's new messages in that chat."""
        before = len(self.sandbox.messages(user_id))
        await self.settle(self.sandbox.send_document(user_id, filename, data, caption=caption))
        return self.sandbox.messages(user_id)[before:]

    async def reply(self, user_id: int, message_id: int, text: str) -> list[ChatMessage]:
        """Reply to a bot message as a user; returns the bot's new messages in that chat."""
        before = len(self.sandbox.messages(user_id))
        await self.settle(self.sandbox.reply_to(user_id, message_id, text))
        return self.sandbox.messages(user_id)[before:]

    async def press(self, user_id: int, message_id: int, data: str) -> list[ChatMessage]:
        """Press a button as a user; returns the bot's new messages in that chat."""
        before = len(self.sandbox.messages(user_id))
        await self.settle(self.sandbox.press(user_id, message_id, data))
        return self.sandbox.messages(user_id)[before:]

    def last(self, chat_id: int) -> ChatMessage:
        """The newest message in a chat (edits included)."""
        return self.sandbox.last_message(chat_id)

    async def run_jobs(self) -> None:
        """Run every scheduled job once, as if its time had come, then send what they queued."""
        for job in self.jobs:
            await job.run(self.application)
        await self.sender.drain()


@asynccontextmanager
async def running_bot(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    sandbox: SandboxServer,
    kind: type[D],
    pacer: Pacer | None = None,
) -> AsyncIterator[D]:
    """The real application polling the sandbox, its jobs unscheduled so the caller keeps time."""
    runtime = Runtime(settings=settings, sessions=sessions, clock=clock)
    application = build_application(runtime, pacer=pacer)
    runtime.wake_sender = lambda: None  # the driver drains the outbox itself, in order
    sender: Sender = application.bot_data[SENDER_KEY]
    sender.timer = clock.call_later  # its self-wake follows the hand-moved clock
    async with application:
        await application.start()
        assert application.job_queue is not None
        jobs = application.job_queue.jobs()
        for job in jobs:
            job.schedule_removal()
        assert application.updater is not None
        await application.updater.start_polling(timeout=1, poll_interval=0)
        try:
            yield kind(sandbox, application, runtime, clock, sender, jobs)
        finally:
            await application.updater.stop()
            await application.stop()

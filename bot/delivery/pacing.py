"""Pacing sends within Telegram's flood limits: overall, per private chat and per group."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import BaseRateLimiter

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class _Send:
    """One send: it counts against a window from its start until `ended` + the window."""

    ended: float = math.inf


@dataclass
class _Window:
    """At most `limit` sends in any `seconds`-long window."""

    limit: int
    seconds: float
    sends: deque[_Send] = field(default_factory=deque)
    held_until: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (inf while only an in-flight send can free a place)."""
        while self.sends and self.sends[0].ended <= now - self.seconds:
            self.sends.popleft()
        hold = max(0.0, self.held_until - now)
        busy = [s for s in self.sends if s.ended > now - self.seconds]
        if len(busy) < self.limit:
            return hold
        ends = sorted(s.ended for s in busy)
        return max(hold, ends[len(busy) - self.limit] + self.seconds - now)


class Pacer:
    """The one rate limiter of a sender process (PTB's AIORateLimiter is not used for sends).

    A send counts from the moment it is admitted until its response arrived plus the window:
    the server stamps the message somewhere in between, so however requests overlap or
    arrive late, no window at the server ever holds more than the limit.
    """

    def __init__(
        self,
        *,
        overall_per_second: int = 30,
        private_per_second: int = 1,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._overall = _Window(overall_per_second, 1.0)
        self._private_per_second = private_per_second
        self._group_per_minute = group_per_minute
        self._chats: dict[int, _Window] = {}
        self._clock = clock
        self._sleep = sleep
        self._released = asyncio.Event()

    def _chat(self, chat_id: int) -> _Window:
        window = self._chats.get(chat_id)
        if window is None:
            if chat_id < 0:  # groups, supergroups and channels have negative ids
                window = _Window(self._group_per_minute, 60.0)
            else:
                window = _Window(self._private_per_second, 1.0)
            self._chats[chat_id] = window
        return window

    def hold(self, chat_id: int, seconds: float) -> None:
        """Send nothing more to a chat for a while (Telegram answered 429 with retry_after)."""
        window = self._chat(chat_id)
        window.held_until = max(window.held_until, self._clock() + seconds)

    async def close(self) -> None:
        """Nothing to release (the shared budget's pacer closes its connection)."""

    @asynccontextmanager
    async def slot(self, chat_id: int | None) -> AsyncIterator[None]:
        """Wait until a message to chat_id fits every limit, and count it while it is sent."""
        chat = self._chat(chat_id) if chat_id is not None else _Window(1, 0.0)
        while True:
            now = self._clock()
            wait = max(chat.wait(now), self._overall.wait(now))
            if wait <= 0:
                break
            if math.isinf(wait):
                released = self._released
                await released.wait()
            else:
                await self._sleep(wait)
        send = _Send()
        chat.sends.append(send)
        self._overall.sends.append(send)
        try:
            yield
        finally:
            send.ended = self._clock()
            self._released.set()
            self._released = asyncio.Event()


class PacingRateLimiter(BaseRateLimiter[None]):
    """PTB's hook for every Bot API call: messages wait for the pacer, other calls go at once.

    Both the outbox sender and handlers' direct replies pass here, so one Pacer sees every
    message the process sends. A 429 is not retried here: the caller decides (the sender
    reschedules the delivery; a handler's reply fails like any other error).
    """

    def __init__(self, pacer: Pacer | None = None) -> None:
        self.pacer = pacer or Pacer()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Let the pacer release what it holds (the shared budget's connection)."""
        await self.pacer.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Call the Bot API, after waiting for a place if the call sends a message."""
        if not _sends_message(endpoint):
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        async with self.pacer.slot(chat_id if isinstance(chat_id, int) else None):
            return await callback(*args, **kwargs)


def _sends_message(endpoint: str) -> bool:
    """Whether a Bot API method posts a message (what Telegram's flood limits count)."""
    name = endpoint.lower()
    if name == "sendchataction":
        return False
    return name.startswith("send") or name in {
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
    }

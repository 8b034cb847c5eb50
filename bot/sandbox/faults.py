"""Failures a test can switch on at run time: error answers, hangs, blocked users, rate limits."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

# Methods that send a message and so count against Telegram's flood limits.
MESSAGE_METHODS = frozenset(
    {
        "sendmessage", "senddocument", "sendphoto", "sendvideo", "sendaudio", "sendvoice",
        "sendanimation", "sendsticker", "sendmediagroup", "copymessage", "forwardmessage",
        "sendlocation", "sendcontact", "sendpoll", "sendvenue", "senddice",
    }
)  # fmt: skip
_STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class ManualClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        """The current reading."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Moves the clock forward."""
        self.now += seconds


@dataclass
class Fault:
    """One injected failure rule; `remaining` None means until cleared."""

    kind: Literal["error", "timeout"]
    remaining: int | None
    method: str | None = None
    chat_id: int | None = None
    status: int = 500
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    deliver: bool = False

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Whether this rule applies to a call of method (lower-cased) for chat_id."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.lower() != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class RateEnforcer:
    """Telegram's flood limits: 30 msg/s overall, 1 msg/s per private chat, 20 msg/min per group."""

    clock: Callable[[], float]
    enabled: bool = False
    overall_per_second: int = 30
    private_per_second: int = 1
    group_per_minute: int = 20
    rejected: int = 0
    _overall: deque[float] = field(default_factory=deque)
    _chats: dict[int, deque[float]] = field(default_factory=dict)

    def admit(self, chat_id: int) -> int | None:
        """Counts one message to chat_id; returns retry_after seconds instead if over a limit."""
        if not self.enabled:
            return None
        now = self.clock()
        sent = self._chats.setdefault(chat_id, deque())
        if chat_id > 0:
            chat_wait = _wait(sent, now, 1.0, self.private_per_second)
        else:
            chat_wait = _wait(sent, now, 60.0, self.group_per_minute)
        wait = max(chat_wait, _wait(self._overall, now, 1.0, self.overall_per_second))
        if wait > 0:
            self.rejected += 1
            return max(1, math.ceil(wait))
        sent.append(now)
        self._overall.append(now)
        return None

    def reset(self) -> None:
        """Forgets what was sent and how often it refused."""
        self._overall.clear()
        self._chats.clear()
        self.rejected = 0


def _wait(sent: deque[float], now: float, window: float, limit: int) -> float:
    while sent and sent[0] <= now - window:
        sent.popleft()
    return 0.0 if len(sent) < limit else sent[0] + window - now


class Faults:
    """The switchboard of injected failures, consulted before each Bot API call."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.rules: list[Fault] = []
        self.blocked: set[int] = set()
        self.rate = RateEnforcer(clock)

    def flood(
        self,
        retry_after: int = 5,
        *,
        times: int | None = 1,
        method: str | None = None,
        chat_id: int | None = None,
    ) -> Fault:
        """Answer 429 Too Many Requests with retry_after for the next `times` matching calls."""
        description = f"Too Many Requests: retry after {retry_after}"
        return self.fail(
            429, description, times=times, method=method, chat_id=chat_id, retry_after=retry_after
        )

    def server_error(
        self,
        status: int = 500,
        *,
        times: int | None = 1,
        method: str | None = None,
        chat_id: int | None = None,
    ) -> Fault:
        """Answer a 5xx for the next `times` matching calls."""
        description = _STATUS_TEXT.get(status, "Internal Server Error")
        return self.fail(status, description, times=times, method=method, chat_id=chat_id)

    def fail(
        self,
        status: int,
        description: str,
        *,
        times: int | None = 1,
        method: str | None = None,
        chat_id: int | None = None,
        retry_after: int | None = None,
    ) -> Fault:
        """Answer any error envelope for the next `times` matching calls."""
        fault = Fault("error", times, method, chat_id, status, description, retry_after)
        self.rules.append(fault)
        return fault

    def timeout(
        self,
        seconds: float = 5.0,
        *,
        times: int | None = 1,
        method: str | None = None,
        chat_id: int | None = None,
        deliver: bool = False,
    ) -> Fault:
        """Hold matching calls open for `seconds` (capped at 30); `deliver` performs them after."""
        fault = Fault(
            "timeout", times, method, chat_id, seconds=min(seconds, 30.0), deliver=deliver
        )
        self.rules.append(fault)
        return fault

    def block(self, user_id: int) -> None:
        """Answer 403 "bot was blocked by the user" to everything sent to this user."""
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Let the user receive messages again."""
        self.blocked.discard(user_id)

    def enforce_rate_limits(self, enabled: bool = True) -> RateEnforcer:
        """Switch Telegram's flood limits on or off; returns the enforcer (see `.rejected`)."""
        self.rate.enabled = enabled
        return self.rate

    def clear(self) -> None:
        """Remove every injected failure and switch rate limits off."""
        self.rules.clear()
        self.blocked.clear()
        self.rate.enabled = False
        self.rate.reset()

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """The first rule matching a call, consuming one of its uses."""
        for fault in self.rules:
            if fault.matches(method.lower(), chat_id):
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        return None

"""What a delivery renders to, the renderers' registry, and the timer the sender wakes itself by."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.delivery.pictures import Pictures
from workflows.outbox.sending import OutgoingMessage


@dataclass(frozen=True)
class Rendered:
    """A delivery turned into a message: HTML text, buttons, the task it is about, pictures.

    With pictures the text is not sent: their caption says what they are.
    """

    text: str
    buttons: InlineKeyboardMarkup | None = None
    task_id: int | None = None
    pictures: Pictures | None = None


Renderer = Callable[[OutgoingMessage, AsyncSession], Awaitable[Rendered | None]]
RENDERERS: dict[str, Renderer] = {}


class TimerHandle(Protocol):
    """What a timer returns: a way to call it off."""

    def cancel(self) -> None:
        """Do not call the callback."""


# Calls back after a delay in seconds: the event loop's call_later, or a test's clock.
Timer = Callable[[float, Callable[[], None]], TimerHandle]


def loop_timer(delay: float, callback: Callable[[], None]) -> TimerHandle:
    """Call back after `delay` seconds of the running event loop's clock."""
    return asyncio.get_running_loop().call_later(delay, callback)


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register how deliveries of one kind are rendered (None: nothing to send any more)."""

    def register(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
        return function

    return register

"""What every handler and job needs: settings, the session factory and the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import CallbackContext

from bot.metrics import Metrics
from bot.settings import Settings


def system_clock() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass
class Runtime:
    """Shared state of a running bot, kept in the application's bot_data."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], dt.datetime] = system_clock
    bot_username: str = ""
    wake_sender: Callable[[], None] = field(default=lambda: None)
    metrics: Metrics = field(default_factory=Metrics)

    def now(self) -> dt.datetime:
        """The current time (tests move it)."""
        return self.clock()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One session for one update or job run; the workflow inside commits."""
        async with self.sessions() as session:
            yield session


RUNTIME_KEY = "runtime"


def runtime_of(context: CallbackContext[Any, Any, Any, Any]) -> Runtime:
    """The runtime stored in the application."""
    runtime = context.application.bot_data[RUNTIME_KEY]
    assert isinstance(runtime, Runtime)
    return runtime

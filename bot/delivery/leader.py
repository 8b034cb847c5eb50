"""Scheduler leadership: of several processes on one PostgreSQL database, one runs the sweeps."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import CallbackContext

from bot.settings import Settings
from db.engine import create_engine
from db.leader import Leader

LEADER_KEY = "leader"


@contextlib.asynccontextmanager
async def open_leader(settings: Settings) -> AsyncIterator[Leader]:
    """A started Leader on its own engine for the configured database; stopped on exit."""
    engine = create_engine(settings.resolved_database_url())
    leader = Leader(engine)
    try:
        await leader.start()
        yield leader
    finally:
        await leader.stop()
        await engine.dispose()


async def leads(context: CallbackContext[Any, Any, Any, Any]) -> bool:
    """Whether this process should run scheduled sweeps; without a Leader (tests) it does."""
    leader = context.application.bot_data.get(LEADER_KEY)
    if leader is None:
        return True
    assert isinstance(leader, Leader)
    return await leader.check()

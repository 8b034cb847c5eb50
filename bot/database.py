"""Opening the configured database for a command, migrated to the code's revision."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from db.engine import create_engine, create_session_factory
from db.migrations import upgrade


@asynccontextmanager
async def open_database(
    settings: Settings, *, migrate: bool = True
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Yield a session factory on the configured database, upgrading it first."""
    engine = create_engine(settings.resolved_database_url())
    try:
        if migrate:
            await upgrade(engine)
        yield create_session_factory(engine)
    finally:
        await engine.dispose()

"""Health: whether the database answers."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def database_answers(*, session: AsyncSession) -> None:
    """Run the cheapest query there is; raises when the database cannot answer."""
    await session.execute(text("SELECT 1"))

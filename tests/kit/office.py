"""The smallest cast: the bundled plan, a coordinator (主任) and a liaison of 科技部 (小李).

The bot tests' office adds a coordinator who reads English (BILINGUAL_OFFICE).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models import AuditEvent
from tests.kit.cast import Sessions, cast, coordinator, liaison

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing, a Tuesday
BOSS, LIAISON, ENGLISH_BOSS = 1, 2, 3
BILINGUAL_OFFICE = (
    coordinator(BOSS, "主任"),
    coordinator(ENGLISH_BOSS, "Boss", language="en"),
    liaison(LIAISON, "科技部", "小李"),
)


async def seed(sessions: Sessions) -> None:
    """The bundled annex, a coordinator and a liaison of 科技部."""
    await cast(sessions, coordinator(BOSS, "主任"), liaison(LIAISON, "科技部", "小李"), now=NOW)


async def events(sessions: Sessions, action: str) -> list[AuditEvent]:
    """The audit events of one action, oldest first."""
    async with sessions() as session:
        return list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )

"""Shared setup for the report, extension and review workflow tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import MemberRole
from db.models import Agency, Member, Task
from workflows.importing.service import bundled_annex, import_annex

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)
Sessions = async_sessionmaker[AsyncSession]
LEAD, LEAD2, CO, OTHER, BOSS, BOSS2 = 1, 2, 3, 4, 9, 10
MEMBERS = [
    (LEAD, "科技部", MemberRole.LIAISON),
    (LEAD2, "科技部", MemberRole.DEPUTY),
    (CO, "发展改革委", MemberRole.LIAISON),
    (OTHER, "公安部", MemberRole.LIAISON),
    (BOSS, None, MemberRole.COORDINATOR),
    (BOSS2, None, MemberRole.COORDINATOR),
]


async def setup(sessions: Sessions) -> None:
    """The bundled plan; liaisons of 科技部, 发展改革委 and 公安部; two coordinators."""
    async with sessions() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=NOW,
            timezone="Asia/Shanghai",
            plan_code="gf-2015-5",
        )
        agencies = {a.name: a.id for a in await session.scalars(select(Agency))}
        for telegram_id, agency, role in MEMBERS:
            session.add(
                Member(
                    telegram_id=telegram_id,
                    display_name=f"m{telegram_id}",
                    agency_id=agencies[agency] if agency else None,
                    role=role,
                    created_at=NOW,
                )
            )
        await session.commit()


async def task_id(session: AsyncSession, number: int) -> int:
    """The id of a task by number."""
    found = await session.scalar(select(Task.id).where(Task.number == number))
    assert found is not None
    return found

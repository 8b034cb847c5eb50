"""Rehearsing an old plan: its first deadline moved to a chosen day, every other date with it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.enums import MilestoneKind
from db.models import Milestone, Task
from tests.kit.office import NOW, Sessions, seed
from workflows.errors import AnnexbotError
from workflows.rehearsal import shift_first_deadline_to


async def _dates(sessions: Sessions, number: int) -> list[tuple[MilestoneKind, dt.date]]:
    """A task's milestones, by date."""
    async with sessions() as session:
        rows = await session.execute(
            select(Milestone.kind, Milestone.on_date)
            .join(Task)
            .where(Task.number == number)
            .order_by(Milestone.on_date)
        )
        return [(kind, day) for kind, day in rows]


async def test_the_first_deadline_falls_on_the_day(session_factory: Sessions) -> None:
    """Task 12's 2015-12-31 moves to 2027-03-01; task 5's three year-ends move as many days."""
    await seed(session_factory)
    before = await _dates(session_factory, 5)
    async with session_factory() as session:
        days = await shift_first_deadline_to(
            session, plan_code="gf-2015-5", deadline=dt.date(2027, 3, 1), now=NOW
        )
    assert days == 4078
    assert (await _dates(session_factory, 12))[-1] == (MilestoneKind.DUE, dt.date(2027, 3, 1))
    moved = [(kind, day + dt.timedelta(days=days)) for kind, day in before]
    assert await _dates(session_factory, 5) == moved


async def test_a_plan_without_deadlines_is_refused(session_factory: Sessions) -> None:
    """No deadline to move (here no plan at all): refused, nothing written."""
    async with session_factory() as session:
        with pytest.raises(AnnexbotError, match="no dated deadline"):
            await shift_first_deadline_to(
                session, plan_code="nope", deadline=dt.date(2027, 3, 1), now=NOW
            )

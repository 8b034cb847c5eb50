"""Rehearsing an old plan: move all of its dates so its deadlines fall around a chosen day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Milestone, Plan, Task
from workflows import audit
from workflows.errors import NotFoundError


async def shift_plan_dates(
    session: AsyncSession, *, plan_code: str, days: int, now: dt.datetime
) -> int:
    """Move the plan's dates (issued, starts, dues, milestones) by `days`; returns tasks moved.

    Milestones keep their sequence: this prepares a rehearsal, it is not an edit of the plan.
    """
    plan = await session.scalar(select(Plan).where(Plan.code == plan_code))
    if plan is None:
        raise NotFoundError("There is no plan called “{code}”.", code=plan_code)
    delta = dt.timedelta(days=days)
    if plan.issued_on is not None:
        plan.issued_on += delta
    tasks = list(await session.scalars(select(Task).where(Task.plan_id == plan.id)))
    for task in tasks:
        if task.start_on is not None:
            task.start_on += delta
        if task.due_on is not None:
            task.due_on += delta
    milestones = await session.scalars(select(Milestone).join(Task).where(Task.plan_id == plan.id))
    for milestone in milestones:
        milestone.on_date += delta
    audit.record(
        session,
        at=now,
        actor=None,
        action="plan.dates_shifted",
        entity="plan",
        entity_id=plan.id,
        plan_id=plan.id,
        after={"days": days},
    )
    await session.commit()
    return len(tasks)

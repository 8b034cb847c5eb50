"""Rehearsing an old plan: move all of its dates so its deadlines fall around a chosen day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MilestoneKind
from db.models import Milestone, Plan, Task
from workflows import audit
from workflows.errors import AnnexbotError, NotFoundError


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


async def shift_first_deadline_to(
    session: AsyncSession, *, plan_code: str, deadline: dt.date, now: dt.datetime
) -> int:
    """Move the plan's dates so that its first deadline falls on `deadline`; returns the days."""
    first = await session.scalar(
        select(func.min(Milestone.on_date))
        .join(Task)
        .join(Plan)
        .where(
            Plan.code == plan_code,
            Milestone.kind != MilestoneKind.START,
            Milestone.cancelled_at.is_(None),
            Task.removed_at.is_(None),
        )
    )
    if first is None:
        raise AnnexbotError(f"plan {plan_code} has no dated deadline to move")
    days = (deadline - first).days
    await shift_plan_dates(session, plan_code=plan_code, days=days, now=now)
    return days

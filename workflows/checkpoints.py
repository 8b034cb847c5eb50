"""Laying a recurring task's checkpoints (每年年底前, 每季度) as milestones, and keeping them laid.

Each occurrence is an ordinary checkpoint milestone, so reminders, digests and calendar feeds
need nothing new. Occurrences run from the task's start to its due date, or, for an open-ended
task, up to a horizon about a year ahead that the reminder sweep moves forward while the task
is open (see workflows/recurrence.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import MilestoneKind, TaskState
from db.models import Task
from workflows import audit
from workflows.live import live_task
from workflows.milestones import place_milestone
from workflows.recurrence import (
    HORIZON,
    fits,
    is_recurring_key,
    milestone_key,
    occurrences,
    parse_rule,
)


def lay_recurring_checkpoints(
    task: Task, *, issued_on: dt.date | None, now: dt.datetime
) -> list[dt.date]:
    """Place the task's missing recurring checkpoints up to the horizon and cancel stale ones.

    They run from the task's start (else the plan's signing date, else today) to the day
    before its due date. Returns the dates placed or revived; milestones must be loaded.
    """
    rule = parse_rule(task.recurrence)
    today = now.astimezone(dt.UTC).date()
    start = task.start_on or issued_on or today
    due = task.due_on
    for milestone in task.milestones:
        if not is_recurring_key(milestone.key) or milestone.cancelled_at is not None:
            continue
        day = milestone.on_date
        if rule is None or not fits(rule, day) or day < start or (due is not None and day >= due):
            milestone.cancelled_at = now
            milestone.sequence += 1
            milestone.updated_at = now
    if rule is None:
        return []
    # The due date is its own milestone: a checkpoint on it would say the same twice.
    horizon = today + HORIZON
    through = min(due - dt.timedelta(days=1), horizon) if due is not None else horizon
    live = {m.key for m in task.milestones if m.cancelled_at is None}
    placed: list[dt.date] = []
    for day in occurrences(rule, start=start, through=through):
        key = milestone_key(day)
        if key not in live:
            place_milestone(task, key=key, kind=MilestoneKind.CHECKPOINT, on_date=day, now=now)
            placed.append(day)
    return placed


async def extend_recurring_checkpoints(session: AsyncSession, *, now: dt.datetime) -> int:
    """Lay open recurring tasks' checkpoints up to the horizon; returns how many were placed.

    Run by the reminder sweep before it looks for what to remind, so the next occurrence is
    always there; the caller commits.
    """
    today = now.astimezone(dt.UTC).date()
    tasks = await session.scalars(
        select(Task)
        .where(
            Task.recurrence.is_not(None),
            live_task(),
            Task.state == TaskState.OPEN,
            or_(Task.due_on.is_(None), Task.due_on >= today),
        )
        .options(selectinload(Task.milestones), selectinload(Task.plan))
        .order_by(Task.id)
    )
    placed = 0
    for task in tasks:
        days = lay_recurring_checkpoints(task, issued_on=task.plan.issued_on, now=now)
        if not days:
            continue
        placed += len(days)
        audit.record(
            session,
            at=now,
            actor=None,
            action="milestone.recurring_laid",
            entity="task",
            entity_id=task.id,
            plan_id=task.plan_id,
            task_id=task.id,
            after={"recurrence": task.recurrence, "dates": [d.isoformat() for d in days]},
        )
    await session.flush()
    return placed

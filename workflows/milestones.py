"""Moving milestones: one place that keeps their identity and counts their edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MilestoneKind, TaskState
from db.models import Milestone, Plan, Task
from workflows import audit
from workflows.access import Actor
from workflows.live import live_task

DUE_KEY = "due"


def place_milestone(
    task: Task, *, key: str, kind: MilestoneKind, on_date: dt.date, now: dt.datetime
) -> Milestone:
    """Create the milestone with this key, or move it (sequence + 1; revived if cancelled)."""
    milestone = next((m for m in task.milestones if m.key == key), None)
    if milestone is None:
        milestone = Milestone(
            key=key,
            kind=kind,
            on_date=on_date,
            label="",
            sequence=0,
            created_at=now,
            updated_at=now,
        )
        task.milestones.append(milestone)
    elif milestone.on_date != on_date or milestone.cancelled_at is not None:
        milestone.on_date = on_date
        milestone.cancelled_at = None
        milestone.sequence += 1
        milestone.updated_at = now
    return milestone


async def move_due(
    session: AsyncSession,
    task: Task,
    on_date: dt.date,
    *,
    actor: Actor,
    now: dt.datetime,
    details: dict[str, Any],
) -> Milestone:
    """Move a task's due date and its "due" milestone, audited as milestone.due_moved."""
    previous = task.due_on
    milestone = place_milestone(task, key=DUE_KEY, kind=MilestoneKind.DUE, on_date=on_date, now=now)
    task.due_on = on_date
    task.updated_at = now
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="milestone.due_moved",
        entity="milestone",
        entity_id=milestone.id,
        plan_id=task.plan_id,
        task_id=task.id,
        before={"due_on": previous.isoformat() if previous else None},
        after={"due_on": on_date.isoformat(), **details},
    )
    return milestone


def live_milestones(
    *kinds: MilestoneKind,
) -> Select[int, int, dt.date, dt.datetime, str]:
    """Live open tasks' milestones of some kinds, oldest first: id, task, date, change, timezone.

    Callers add their own date bounds.
    """
    return (
        select(
            Milestone.id, Milestone.task_id, Milestone.on_date, Milestone.updated_at, Plan.timezone
        )
        .join(Task, Task.id == Milestone.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(
            Milestone.cancelled_at.is_(None),
            Milestone.kind.in_(kinds),
            live_task(),
            Task.state == TaskState.OPEN,
        )
        .order_by(Milestone.on_date, Milestone.id)
    )

"""催办: a coordinator urging the liaisons of a task's agencies, through the outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TaskState
from db.models import Member, Plan, Task
from workflows import audit
from workflows.access import find_task
from workflows.errors import ConflictError, NotFoundError
from workflows.live import live_task
from workflows.notices import AGENCY_ROLES
from workflows.outbox.queue import enqueue
from workflows.planning import coordinator, require_agency

NUDGE_KIND = "nudge"


@dataclass(frozen=True)
class NudgeResult:
    """Whom a nudge reached: people newly urged, agencies urged, and agencies nobody speaks for."""

    plan: str
    number: int
    nudged: int
    repeated: int
    agencies: tuple[str, ...]
    without_liaison: tuple[str, ...]


@dataclass(frozen=True)
class NudgeMessage:
    """What a nudge message shows its recipient."""

    task_id: int
    plan: str
    number: int
    text: str
    due_on: dt.date | None
    by: str


async def nudge(
    *,
    session: AsyncSession,
    telegram_id: int,
    number: int,
    plan_code: str | None,
    agency: str | None,
    now: dt.datetime,
) -> NudgeResult:
    """Queue a 催办 to the liaisons of a task's agencies (or one of them), once per minute."""
    actor = await coordinator(session, telegram_id)
    task = await find_task(session, number=number, plan_code=plan_code, actor=actor)
    if task.state is not TaskState.OPEN:
        raise ConflictError("Task {number} is not open; there is nothing to urge.", number=number)
    assignments = list(task.assignments)
    if agency is not None:
        found = await require_agency(session, agency)
        assignments = [a for a in assignments if a.agency_id == found.id]
        if not assignments:
            raise NotFoundError(
                "{agency} is not on task {number}.", agency=found.name, number=task.number
            )
    members = list(
        await session.scalars(
            select(Member)
            .where(
                Member.agency_id.in_([a.agency_id for a in assignments]),
                Member.left_at.is_(None),
                Member.reachable.is_(True),
                Member.role.in_(AGENCY_ROLES),
            )
            .order_by(Member.id)
        )
    )
    reached = {m.agency_id for m in members}
    urged = tuple(a.agency.name for a in assignments if a.agency_id in reached)
    # A unit group (地方各级人民政府) normally has nobody to urge; it is not worth a warning.
    silent = tuple(
        a.agency.name
        for a in assignments
        if a.agency_id not in reached and (agency is not None or not a.agency.is_group)
    )
    minute = now.astimezone(dt.UTC).strftime("%Y%m%d%H%M")
    nudged = 0
    for member in members:
        nudged += await enqueue(
            session,
            key=f"{NUDGE_KIND}:{task.id}:{member.id}:{minute}",
            kind=NUDGE_KIND,
            chat_id=member.telegram_id,
            member_id=member.id,
            payload={"task_id": task.id, "by": actor.display_name},
            now=now,
        )
    if nudged:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="task.nudged",
            entity="task",
            entity_id=task.id,
            plan_id=task.plan_id,
            task_id=task.id,
            after={"agencies": list(urged), "people": nudged},
        )
    await session.commit()
    return NudgeResult(task.plan.code, task.number, nudged, len(members) - nudged, urged, silent)


async def nudge_message(session: AsyncSession, *, task_id: int, by: str) -> NudgeMessage | None:
    """What a queued nudge says, read when it is sent; None when the task is gone or not open."""
    row = (
        await session.execute(
            select(Task, Plan.code)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Task.id == task_id, live_task())
        )
    ).first()
    if row is None or row[0].state is not TaskState.OPEN:
        return None
    task, plan = row
    return NudgeMessage(task.id, plan, task.number, task.text, task.due_on, by)

"""Who is asking: the member behind a Telegram user, and what they may see and do."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import MemberRole
from db.models import Agency, Assignment, Member, Plan, Task
from workflows.errors import ForbiddenError, NotFoundError, NotRegisteredError
from workflows.live import live_task

# Beyond this many plans sharing a task number, the answer names one as an example.
MAX_CODES_NAMED = 5


@dataclass(frozen=True)
class Actor:
    """A registered member acting now."""

    member_id: int
    telegram_id: int
    role: MemberRole
    agency_id: int | None
    agency_name: str | None
    language: str
    display_name: str
    agency_name_en: str | None = None

    @property
    def is_coordinator(self) -> bool:
        """True for the supervising office's members."""
        return self.role is MemberRole.COORDINATOR


async def find_actor(session: AsyncSession, telegram_id: int) -> Actor | None:
    """The active member for a Telegram user, or None."""
    row = (
        await session.execute(
            select(Member, Agency.name, Agency.name_en)
            .outerjoin(Agency, Agency.id == Member.agency_id)
            .where(Member.telegram_id == telegram_id, Member.left_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    member, agency_name, agency_name_en = row
    return Actor(
        member_id=member.id,
        telegram_id=member.telegram_id,
        role=member.role,
        agency_id=member.agency_id,
        agency_name=agency_name,
        language=member.language,
        display_name=member.display_name,
        agency_name_en=agency_name_en,
    )


async def identify(session: AsyncSession, telegram_id: int) -> Actor:
    """The active member for a Telegram user; unknown users get NotRegisteredError."""
    actor = await find_actor(session, telegram_id)
    if actor is None:
        raise NotRegisteredError(
            "You are not registered yet. Ask your coordinator for an invite link."
        )
    return actor


def require_coordinator(actor: Actor) -> None:
    """Refuse anyone but a coordinator."""
    if not actor.is_coordinator:
        raise ForbiddenError("Only coordinators can do this.")


async def find_task(session: AsyncSession, *, number: int, plan_code: str | None = None) -> Task:
    """A live task by number (and plan, when there are several), with units and milestones."""
    query = (
        select(Task)
        .join(Plan)
        .where(Task.number == number, live_task())
        .options(
            selectinload(Task.plan),
            selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Task.milestones),
        )
    )
    if plan_code is not None:
        query = query.where(Plan.code == plan_code)
    tasks = list(await session.scalars(query))
    if not tasks:
        raise NotFoundError("There is no task {number}.", number=number)
    if len(tasks) > 1:
        codes = sorted((t.plan.code for t in tasks), key=natural_order)
        if len(codes) > MAX_CODES_NAMED:
            raise NotFoundError(
                "Task {number} exists in {count} plans; write it as PLAN/{number}, "
                "e.g. {example}/{number} (/plans lists the codes).",
                number=number,
                count=len(codes),
                example=codes[0],
            )
        raise NotFoundError(
            "Task {number} exists in several plans ({plans}); write it as PLAN/{number}.",
            number=number,
            plans=", ".join(codes),
        )
    return tasks[0]


def natural_order(code: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key reading runs of digits as numbers: gf-2017-2 before gf-2017-10."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", code) if part
    )


async def get_task_by_id(session: AsyncSession, task_id: int) -> Task:
    """A live task by its id (from a button), with units and milestones."""
    task = await session.scalar(
        select(Task)
        .where(Task.id == task_id, live_task())
        .options(
            selectinload(Task.plan),
            selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Task.milestones),
        )
    )
    if task is None:
        raise NotFoundError("This task no longer exists.")
    return task


def require_task_access(actor: Actor, task: Task) -> Assignment | None:
    """Let coordinators see any task and liaisons only their agency's; returns their assignment."""
    assignment = next((a for a in task.assignments if a.agency_id == actor.agency_id), None)
    if actor.is_coordinator:
        return assignment
    if assignment is None:
        raise ForbiddenError("Task {number} is not assigned to your agency.", number=task.number)
    return assignment

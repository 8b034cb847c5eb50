"""Who is asking: the member behind a Telegram user, and what they may see and do."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, selectinload

from db.enums import MemberRole
from db.models import Agency, Assignment, Member, Plan, PlanGrant, Task
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
    # The plans a limited coordinator supervises; None: every plan (the default).
    plan_ids: frozenset[int] | None = None

    @property
    def is_coordinator(self) -> bool:
        """True for the supervising office's members."""
        return self.role is MemberRole.COORDINATOR

    @property
    def is_limited(self) -> bool:
        """True for a coordinator limited to some plans."""
        return self.is_coordinator and self.plan_ids is not None

    def sees_plan(self, plan_id: int) -> bool:
        """Whether this member's plan limits (a coordinator's) leave them this plan."""
        return self.plan_ids is None or plan_id in self.plan_ids

    def plan_filter(self, column: QueryableAttribute[int]) -> ColumnElement[bool]:
        """SQL keeping the rows of the plans this member may see, by a plan id column."""
        return true() if self.plan_ids is None else column.in_(sorted(self.plan_ids))


async def find_actor(session: AsyncSession, telegram_id: int) -> Actor | None:
    """The active member for a Telegram user, or None."""
    # One round trip: a limited coordinator's row comes once per plan granted.
    rows = (
        await session.execute(
            select(Member, Agency.name, Agency.name_en, PlanGrant.plan_id)
            .outerjoin(Agency, Agency.id == Member.agency_id)
            .outerjoin(PlanGrant, PlanGrant.member_id == Member.id)
            .where(Member.telegram_id == telegram_id, Member.left_at.is_(None))
        )
    ).all()
    if not rows:
        return None
    member, agency_name, agency_name_en, _ = rows[0]
    granted = frozenset(plan_id for *_, plan_id in rows if plan_id is not None)
    plan_ids = (granted or None) if member.role is MemberRole.COORDINATOR else None
    return Actor(
        member_id=member.id,
        telegram_id=member.telegram_id,
        role=member.role,
        agency_id=member.agency_id,
        agency_name=agency_name,
        language=member.language,
        display_name=member.display_name,
        agency_name_en=agency_name_en,
        plan_ids=plan_ids,
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


def require_plan(actor: Actor | None, plan_id: int) -> None:
    """Refuse a limited coordinator a plan they do not supervise (None: the shell may)."""
    if actor is not None and not actor.sees_plan(plan_id):
        raise ForbiddenError("You do not supervise this plan.")


async def find_task(
    session: AsyncSession,
    *,
    number: int,
    plan_code: str | None = None,
    actor: Actor | None = None,
) -> Task:
    """A live task by number (and plan, when there are several), with units and milestones.

    A limited coordinator's `actor` looks only in the plans they supervise.
    """
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
    tasks = list(await session.scalars(query.where(_seen_by(actor))))
    if not tasks and actor is not None and actor.is_limited and await session.scalar(query):
        raise ForbiddenError("You do not supervise this plan.")
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


def _seen_by(actor: Actor | None) -> ColumnElement[bool]:
    """SQL keeping the tasks of the plans an actor sees (None: every plan)."""
    return true() if actor is None else actor.plan_filter(Task.plan_id)


async def get_task_by_id(session: AsyncSession, task_id: int, actor: Actor | None = None) -> Task:
    """A live task by its id (from a button), with units and milestones; checked for `actor`."""
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
    require_plan(actor, task.plan_id)
    return task


def require_task_access(actor: Actor, task: Task) -> Assignment | None:
    """Coordinators see their plans' tasks, liaisons their agency's; returns the assignment."""
    assignment = next((a for a in task.assignments if a.agency_id == actor.agency_id), None)
    if actor.is_coordinator:
        require_plan(actor, task.plan_id)
        return assignment
    if assignment is None:
        raise ForbiddenError("Task {number} is not assigned to your agency.", number=task.number)
    return assignment


async def plan_limits(session: AsyncSession) -> dict[int, frozenset[int]]:
    """The limited coordinators' plans, by member id (a coordinator not here supervises all)."""
    limits: dict[int, set[int]] = {}
    for member_id, plan_id in await session.execute(select(PlanGrant.member_id, PlanGrant.plan_id)):
        limits.setdefault(member_id, set()).add(plan_id)
    return {member_id: frozenset(plans) for member_id, plans in limits.items()}


def supervises(limits: dict[int, frozenset[int]], member_id: int, plan_id: int) -> bool:
    """Whether a coordinator, with the limits of plan_limits, supervises a plan."""
    return member_id not in limits or plan_id in limits[member_id]


def supervising(plan_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    """SQL on Member: a coordinator without limits, or one limited to a set holding this plan."""
    limited = select(PlanGrant.plan_id).where(PlanGrant.member_id == Member.id)
    return or_(~limited.exists(), limited.where(PlanGrant.plan_id == plan_id).exists())

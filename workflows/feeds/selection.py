"""What a feed covers: its source, the tasks it selects and what the calendar is called."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import FeedScope, MemberRole
from db.models import Agency, Assignment, Member, Plan, Task
from workflows.errors import NotFoundError
from workflows.feeds.model import EPOCH, UID_DOMAIN, FeedSource, Selection


async def _tasks(session: AsyncSession, *conditions: object) -> Sequence[Task]:
    """The tasks matching conditions, in plan and number order."""
    query = (
        select(Task)
        .join(Plan)
        .where(*conditions)  # type: ignore[arg-type]
        .options(
            selectinload(Task.plan),
            selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Task.milestones),
        )
        .order_by(Plan.code, Task.number)
    )
    return (await session.scalars(query)).all()


def _plan_name(plan: Plan) -> str:
    """A plan as a calendar name shows it: its document number, else its code."""
    return plan.document_number or plan.code


async def only_plan(session: AsyncSession) -> Plan:
    """The one plan in the database; several or none is an error."""
    plans = (await session.scalars(select(Plan).order_by(Plan.code).limit(2))).all()
    if not plans:
        raise NotFoundError("There is no plan yet.")
    if len(plans) > 1:
        raise NotFoundError("There are several plans; name one.")
    return plans[0]


async def plan_by_code(session: AsyncSession, code: str) -> Plan:
    """A plan by its code."""
    plan = await session.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        raise NotFoundError("There is no plan called “{code}”.", code=code)
    return plan


async def select_tasks(
    session: AsyncSession, source: FeedSource, words: dict[str, str]
) -> Selection:
    """Load the tasks of a feed source and name the calendar."""
    plan = await session.get(Plan, source.plan_id) if source.plan_id is not None else None
    if source.plan_id is not None and plan is None:
        raise NotFoundError("This feed no longer exists.")
    in_plan = [Task.plan_id == plan.id] if plan is not None else []
    prefix = f"{_plan_name(plan)} · " if plan is not None else ""
    changed = plan.updated_at if plan is not None else EPOCH
    if source.scope is FeedScope.PLAN:
        if plan is None:
            raise NotFoundError("This feed no longer exists.")
        return Selection(
            await _tasks(session, *in_plan),
            f"{_plan_name(plan)} · {words['plan']}",
            f"plan-{plan.id}@{UID_DOMAIN}",
            plan.timezone,
            changed,
        )
    if source.scope is FeedScope.AGENCY:
        agency = await session.get(Agency, source.agency_id) if source.agency_id else None
        if agency is None:
            raise NotFoundError("This feed no longer exists.")
        tasks = await _tasks(
            session,
            *in_plan,
            Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id == agency.id)),
        )
        return Selection(
            tasks,
            f"{prefix}{agency.name}",
            f"agency-{agency.id}-{source.plan_id or 0}@{UID_DOMAIN}",
            _timezone(tasks, plan),
            max(changed, agency.created_at),
        )
    if source.scope is FeedScope.TASK:
        tasks = await _tasks(session, Task.id == source.task_id)
        if not tasks:
            raise NotFoundError("This feed no longer exists.")
        task = tasks[0]
        return Selection(
            tasks,
            f"{_plan_name(task.plan)} · {words['task']} {task.number}",
            f"task-{task.id}@{UID_DOMAIN}",
            task.plan.timezone,
            task.plan.updated_at,
        )
    member = await session.get(Member, source.member_id) if source.member_id else None
    if member is None or member.left_at is not None:
        raise NotFoundError("This feed no longer exists.")
    mine = (
        []
        if member.role is MemberRole.COORDINATOR and member.agency_id is None
        else [
            Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id == member.agency_id))
        ]
    )
    tasks = await _tasks(session, *in_plan, *mine)
    return Selection(
        tasks,
        f"{prefix}{words['member']}",
        f"member-{member.id}-{source.plan_id or 0}@{UID_DOMAIN}",
        _timezone(tasks, plan),
        max(changed, member.created_at),
    )


def _timezone(tasks: Sequence[Task], plan: Plan | None) -> str:
    """The timezone a feed announces: its plan's, else its first task's plan's."""
    if plan is not None:
        return plan.timezone
    return tasks[0].plan.timezone if tasks else "Asia/Shanghai"

"""What coordinators read: filtered, paged task lists, one task's card, and its audit trail.

A task is *silent* when some agency on it (unit groups such as 地方各级人民政府 aside, since
nobody reports for them) has not reported for two check-in cycles (28 days), counting from
its assignment when it never reported.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import Role, TaskState
from db.models import Agency, Assignment, Plan, Task
from workflows.access import Actor, find_task, require_plan
from workflows.audit import AuditView, task_history
from workflows.lights import DEFAULT_CHECKIN_DAYS, Light
from workflows.live import live_task
from workflows.planning import coordinator, require_agency
from workflows.status import ReportView, TaskStatus, local_today, task_statuses
from workflows.tasks import TaskView, task_view

PAGE_SIZE = 10
SILENT_AFTER = dt.timedelta(days=2 * DEFAULT_CHECKIN_DAYS)
CARD_HISTORY = 5


class TaskFilter(enum.StrEnum):
    """Which tasks a /tasks list shows."""

    ALL = "all"
    OPEN = "open"
    AGENCY = "agency"
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    OVERDUE = "overdue"
    SILENT = "silent"
    DONE = "done"


@dataclass(frozen=True)
class TaskLine:
    """One task in a list: light, number, text, lead unit and next date."""

    task_id: int
    plan: str
    number: int
    text: str
    lead: str | None
    light: Light
    next_date: dt.date | None
    state: str
    missed_due: dt.date | None = None
    days_overdue: int = 0
    returned: bool = False


@dataclass(frozen=True)
class TaskPage:
    """One page of a filtered task list."""

    filter: TaskFilter
    agency_id: int | None
    agency: str | None
    page: int
    pages: int
    total: int
    several_plans: bool
    lines: tuple[TaskLine, ...]
    plan_id: int | None = None  # the plan the list is limited to, if any
    plan: str | None = None  # its label (国发〔2015〕5号)


@dataclass(frozen=True)
class TaskCard:
    """Everything a task card shows."""

    task_id: int
    timezone: str
    view: TaskView
    light: Light
    next_date: dt.date | None
    reports: tuple[ReportView, ...]
    history: tuple[AuditView, ...]
    state: str = "open"
    missed_due: dt.date | None = None
    days_overdue: int = 0
    returned: bool = False


@dataclass(frozen=True)
class TaskAudit:
    """A task's audit trail, newest first."""

    plan: str
    number: int
    text: str
    timezone: str
    events: tuple[AuditView, ...]


def _is_silent(task: Task, status: TaskStatus, now: dt.datetime) -> bool:
    """True when an agency on an open task has not reported for two cycles."""
    if task.state is not TaskState.OPEN:
        return False
    last = {r.agency: r.reported_at for r in status.reports}
    for assignment in task.assignments:
        if assignment.agency.is_group:
            continue
        heard = max(last.get(assignment.agency.name, assignment.created_at), assignment.created_at)
        if now - heard > SILENT_AFTER:
            return True
    return False


def _matches(
    kind: TaskFilter, task: Task, status: TaskStatus, now: dt.datetime, agency_id: int | None
) -> bool:
    """Whether a task belongs in a filtered list."""
    if kind is TaskFilter.ALL:
        return True
    if kind is TaskFilter.OPEN:
        return task.state is TaskState.OPEN
    if kind is TaskFilter.DONE:
        return task.state is not TaskState.OPEN
    if kind is TaskFilter.AGENCY:
        return any(a.agency_id == agency_id for a in task.assignments)
    if kind is TaskFilter.OVERDUE:
        today = local_today(now, task.plan.timezone)
        return task.state is TaskState.OPEN and task.due_on is not None and task.due_on < today
    if kind is TaskFilter.SILENT:
        return _is_silent(task, status, now)
    return task.state is TaskState.OPEN and status.light.value == kind.value


async def _live_tasks(session: AsyncSession, actor: Actor) -> Sequence[Task]:
    """Every live task the actor may see, with plan, units and milestones, by plan and number."""
    return (
        await session.scalars(
            select(Task)
            .join(Plan)
            .where(live_task(), actor.plan_filter(Task.plan_id))
            .options(
                selectinload(Task.plan),
                selectinload(Task.assignments).selectinload(Assignment.agency),
                selectinload(Task.milestones),
            )
            .order_by(Plan.code, Task.number)
        )
    ).all()


async def list_task_page(
    *,
    session: AsyncSession,
    telegram_id: int,
    kind: TaskFilter,
    now: dt.datetime,
    agency: str | None = None,
    agency_id: int | None = None,
    page: int = 0,
    page_size: int = PAGE_SIZE,
    plan_id: int | None = None,
) -> TaskPage:
    """One page of live tasks matching a filter (an agency by name, or by id from a button)."""
    actor = await coordinator(session, telegram_id)
    if plan_id is not None:
        require_plan(actor, plan_id)
    agency_name = None
    if kind is TaskFilter.AGENCY:
        found = (
            await require_agency(session, agency or "")
            if agency_id is None
            else await session.get(Agency, agency_id)
        )
        if found is None:
            kind = TaskFilter.ALL
        else:
            agency_id, agency_name = found.id, found.name
    tasks = await _live_tasks(session, actor)
    several = len({t.plan_id for t in tasks}) > 1
    if plan_id is not None:
        tasks = [t for t in tasks if t.plan_id == plan_id]
    statuses = await task_statuses(session, tasks, now=now)
    chosen = [t for t in tasks if _matches(kind, t, statuses[t.id], now, agency_id)]
    plan = await session.get(Plan, plan_id) if plan_id is not None else None
    pages = max(1, math.ceil(len(chosen) / page_size))
    page = min(max(page, 0), pages - 1)
    lines = tuple(
        TaskLine(
            task_id=task.id,
            plan=task.plan.code,
            number=task.number,
            text=task.text,
            lead=next((a.agency.name for a in task.assignments if a.role is Role.LEAD), None),
            light=statuses[task.id].light,
            next_date=statuses[task.id].next_date,
            state=str(task.state),
            missed_due=statuses[task.id].missed_due,
            days_overdue=statuses[task.id].days_overdue,
            returned=statuses[task.id].returned,
        )
        for task in chosen[page * page_size : (page + 1) * page_size]
    )
    await session.commit()
    return TaskPage(
        filter=kind,
        agency_id=agency_id if kind is TaskFilter.AGENCY else None,
        agency=agency_name,
        page=page,
        pages=pages,
        total=len(chosen),
        several_plans=several and plan is None,
        lines=lines,
        plan_id=None if plan is None else plan.id,
        plan=None if plan is None else plan.document_number or plan.code,
    )


async def build_task_card(session: AsyncSession, task: Task, *, now: dt.datetime) -> TaskCard:
    """A card of a loaded task (with plan, units and milestones); access is the caller's check."""
    status = (await task_statuses(session, [task], now=now))[task.id]
    history = await task_history(session, task.id, limit=CARD_HISTORY)
    return TaskCard(
        task_id=task.id,
        timezone=task.plan.timezone,
        view=task_view(task),
        light=status.light,
        next_date=status.next_date,
        reports=status.reports,
        history=tuple(history),
        state=str(task.state),
        missed_due=status.missed_due,
        days_overdue=status.days_overdue,
        returned=status.returned,
    )


async def task_card(
    *,
    session: AsyncSession,
    telegram_id: int,
    number: int,
    plan_code: str | None,
    now: dt.datetime,
) -> TaskCard:
    """A task's card for a coordinator."""
    actor = await coordinator(session, telegram_id)
    task = await find_task(session, number=number, plan_code=plan_code, actor=actor)
    card = await build_task_card(session, task, now=now)
    await session.commit()
    return card


async def task_audit(
    *,
    session: AsyncSession,
    telegram_id: int,
    number: int,
    plan_code: str | None,
    limit: int = 30,
) -> TaskAudit:
    """A task's audit events, newest first, for a coordinator."""
    actor = await coordinator(session, telegram_id)
    task = await find_task(session, number=number, plan_code=plan_code, actor=actor)
    events = await task_history(session, task.id, limit=limit)
    await session.commit()
    return TaskAudit(task.plan.code, task.number, task.text, task.plan.timezone, tuple(events))

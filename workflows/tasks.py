"""Reading plans and tasks for people and scripts: plain views, never ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import Assignment, Milestone, Plan, Task
from workflows.agencies import find_agency
from workflows.errors import NotFoundError


@dataclass(frozen=True)
class PlanView:
    """A plan with its task count."""

    code: str
    document_number: str | None
    title: str | None
    issued_on: dt.date | None
    timezone: str
    tasks: int
    jurisdiction: str | None = None  # where a local plan applies (浙江省)


@dataclass(frozen=True)
class UnitView:
    """An agency on a task, with its role."""

    name: str
    full_name: str | None
    name_en: str | None
    role: str
    is_group: bool
    marker: str | None = None  # co_lead (a lead after the first) or guide (指导, role co)


@dataclass(frozen=True)
class MilestoneView:
    """A dated milestone of a task."""

    kind: str
    on_date: dt.date
    label: str
    sequence: int
    cancelled: bool


@dataclass(frozen=True)
class ScheduleView:
    """A task's schedule as printed and as read."""

    text: str
    start_on: dt.date | None
    due_on: dt.date | None
    ongoing: bool
    flagged: bool
    recurrence: str | None = None  # a checkpoint rule: year, year@03-31, half, quarter, month


@dataclass(frozen=True)
class TaskView:
    """A task with its units and milestones."""

    plan: str
    number: int
    section: str | None
    text: str
    state: str
    units_open: bool
    schedule: ScheduleView
    units: tuple[UnitView, ...]
    milestones: tuple[MilestoneView, ...]
    note: str = ""  # leaders' posts printed beside the units (分管副省长)

    @property
    def lead(self) -> tuple[UnitView, ...]:
        """The lead units."""
        return tuple(u for u in self.units if u.role == "lead")

    @property
    def co(self) -> tuple[UnitView, ...]:
        """The co-responsible units."""
        return tuple(u for u in self.units if u.role == "co")


async def list_plans(session: AsyncSession) -> list[PlanView]:
    """Every plan, by code, with its number of live tasks."""
    counts = (
        select(Task.plan_id, func.count().label("tasks"))
        .where(Task.removed_at.is_(None))
        .group_by(Task.plan_id)
        .subquery()
    )
    rows = await session.execute(
        select(Plan, func.coalesce(counts.c.tasks, 0))
        .outerjoin(counts, counts.c.plan_id == Plan.id)
        .order_by(Plan.code)
    )
    return [
        PlanView(p.code, p.document_number, p.title, p.issued_on, p.timezone, tasks, p.jurisdiction)
        for p, tasks in rows
    ]


def _task_query() -> Select[Task]:
    """Live tasks with everything a view needs, loaded up front."""
    return (
        select(Task)
        .join(Plan)
        .where(Task.removed_at.is_(None))
        .options(
            selectinload(Task.plan),
            selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Task.milestones),
        )
        .order_by(Plan.code, Task.number)
    )


async def list_tasks(
    session: AsyncSession, *, plan_code: str | None = None, agency: str | None = None
) -> list[TaskView]:
    """Live tasks, optionally of one plan and one agency, in plan and number order."""
    query = _task_query()
    if plan_code is not None:
        await _require_plan(session, plan_code)
        query = query.where(Plan.code == plan_code)
    if agency is not None:
        found = await find_agency(session, agency)
        if found is None:
            raise NotFoundError(
                "There is no agency called “{name}”; /agencies lists them.", name=agency[:40]
            )
        query = query.where(
            Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id == found.id))
        )
    return [task_view(task) for task in await session.scalars(query)]


async def get_task(session: AsyncSession, *, number: int, plan_code: str | None = None) -> TaskView:
    """One live task by number; the plan may be left out when only one plan has that number."""
    query = _task_query().where(Task.number == number)
    if plan_code is not None:
        await _require_plan(session, plan_code)
        query = query.where(Plan.code == plan_code)
    tasks = list(await session.scalars(query))
    if not tasks:
        where = f" in plan {plan_code}" if plan_code else ""
        raise NotFoundError(f"no task {number}{where}")
    if len(tasks) > 1:
        plans = ", ".join(t.plan.code for t in tasks)
        raise NotFoundError(f"task {number} is in several plans ({plans}); name one with --plan")
    return task_view(tasks[0])


async def _require_plan(session: AsyncSession, code: str) -> None:
    """Fail clearly when a plan does not exist."""
    if await session.scalar(select(Plan.id).where(Plan.code == code)) is None:
        raise NotFoundError(f"no plan {code!r}")


def _milestone_view(milestone: Milestone) -> MilestoneView:
    """A milestone as a view."""
    return MilestoneView(
        kind=str(milestone.kind),
        on_date=milestone.on_date,
        label=milestone.label,
        sequence=milestone.sequence,
        cancelled=milestone.cancelled_at is not None,
    )


def task_view(task: Task) -> TaskView:
    """A loaded task as a view."""
    return TaskView(
        plan=task.plan.code,
        number=task.number,
        section=task.section,
        text=task.text,
        state=str(task.state),
        units_open=task.units_open,
        schedule=ScheduleView(
            text=task.schedule_text,
            start_on=task.start_on,
            due_on=task.due_on,
            ongoing=task.ongoing,
            flagged=task.schedule_flagged,
            recurrence=task.recurrence,
        ),
        units=tuple(
            UnitView(
                name=a.agency.name,
                full_name=a.agency.full_name,
                name_en=a.agency.name_en,
                role=str(a.role),
                is_group=a.agency.is_group,
                marker=str(a.marker) if a.marker else None,
            )
            for a in task.assignments
        ),
        milestones=tuple(
            _milestone_view(m) for m in sorted(task.milestones, key=lambda m: (m.on_date, m.id))
        ),
        note=task.responsibility_note,
    )

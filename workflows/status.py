"""Where tasks stand: the latest report of each agency, the light and the next date."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ReportStatus, Role, TaskState
from db.models import Agency, Member, StatusReport, Task
from workflows.audit import returned_tasks
from workflows.lights import DEFAULT_CHECKIN_DAYS, Light, compute_light


@dataclass(frozen=True)
class ReportView:
    """An agency's latest report on a task."""

    agency: str
    status: ReportStatus
    percent: int | None
    note: str | None
    reported_at: dt.datetime
    member: str | None


@dataclass(frozen=True)
class TaskStatus:
    """A task's light, its next open milestone date and each agency's latest report."""

    task_id: int
    light: Light
    next_date: dt.date | None
    reports: tuple[ReportView, ...]
    missed_due: dt.date | None = None  # an open task's due date, once it has passed
    days_overdue: int = 0
    returned: bool = False  # returned (退办) and not reported done since


def sees_every_report(*, coordinator: bool, role: Role | None) -> bool:
    """Coordinators and a task's lead agency read every agency's latest report on it."""
    return coordinator or role is Role.LEAD


def visible_reports(
    reports: Sequence[ReportView], *, coordinator: bool, role: Role | None, agency: str | None
) -> tuple[ReportView, ...]:
    """The latest reports a reader may see: all of them, or only their own agency's."""
    if sees_every_report(coordinator=coordinator, role=role):
        return tuple(reports)
    return tuple(r for r in reports if agency is not None and r.agency == agency)


def local_today(now: dt.datetime, timezone: str) -> dt.date:
    """The calendar date in a plan's timezone."""
    return now.astimezone(zoneinfo.ZoneInfo(timezone)).date()


async def latest_reports(
    session: AsyncSession, task_ids: Sequence[int]
) -> dict[int, list[ReportView]]:
    """The newest report of each agency on each task, by task id."""
    if not task_ids:
        return {}
    ranked = (
        select(
            StatusReport.id,
            func.row_number()
            .over(
                partition_by=(StatusReport.task_id, StatusReport.agency_id),
                order_by=(StatusReport.reported_at.desc(), StatusReport.id.desc()),
            )
            .label("rank"),
        )
        .where(StatusReport.task_id.in_(task_ids))
        .subquery()
    )
    rows = await session.execute(
        select(StatusReport, Agency.name, Member.display_name)
        .join(ranked, (ranked.c.id == StatusReport.id) & (ranked.c.rank == 1))
        .join(Agency, Agency.id == StatusReport.agency_id)
        .outerjoin(Member, Member.id == StatusReport.member_id)
        .order_by(StatusReport.reported_at)
    )
    reports: dict[int, list[ReportView]] = {}
    for report, agency, member in rows:
        reports.setdefault(report.task_id, []).append(
            ReportView(
                agency, report.status, report.percent, report.note, report.reported_at, member
            )
        )
    return reports


async def task_statuses(
    session: AsyncSession,
    tasks: Sequence[Task],
    *,
    now: dt.datetime,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> dict[int, TaskStatus]:
    """Lights, next dates and latest reports for loaded tasks (with plan and milestones)."""
    reports = await latest_reports(session, [t.id for t in tasks])
    returned = await returned_tasks(session, [t.id for t in tasks if t.state is TaskState.OPEN])
    statuses: dict[int, TaskStatus] = {}
    for task in tasks:
        today = local_today(now, task.plan.timezone)
        mine = reports.get(task.id, [])
        light = compute_light(
            state=task.state,
            due_on=task.due_on,
            latest_statuses=[r.status for r in mine],
            last_report_at=max((r.reported_at for r in mine), default=None),
            assigned_at=task.created_at,
            now=now,
            today=today,
            checkin_days=checkin_days,
        )
        upcoming = sorted(
            m.on_date for m in task.milestones if m.cancelled_at is None and m.on_date >= today
        )
        overdue = task.state is TaskState.OPEN and task.due_on is not None and task.due_on < today
        statuses[task.id] = TaskStatus(
            task.id,
            light,
            upcoming[0] if upcoming else None,
            tuple(mine),
            missed_due=task.due_on if overdue else None,
            days_overdue=(today - task.due_on).days if overdue and task.due_on else 0,
            returned=task.id in returned,
        )
    return statuses

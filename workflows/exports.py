"""Taking the data out: the status matrix and the history of reports and changes, as rows.

The matrix has one row per task and assigned agency (a long table rather than a pivot, so
a spreadsheet can filter and sort it by any column). The history is every status report and
every audited change, oldest first; the audit's own `report.add` events are left out because
the status report rows already say the same. An agency's export keeps only that agency's
rows and reports, with every change to its tasks.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import ReportStatus, Role, TaskState
from db.models import Agency, Assignment, AuditEvent, Member, Plan, StatusReport, Task
from workflows.access import identify, require_plan
from workflows.errors import ForbiddenError, NotFoundError
from workflows.lights import DEFAULT_CHECKIN_DAYS, Light
from workflows.planning import require_agency
from workflows.plans import choose_plan
from workflows.status import task_statuses

DUPLICATED_ACTIONS = frozenset({"report.add"})


@dataclass(frozen=True)
class ExportTarget:
    """What an export covers: a plan (None: every plan) and an agency's tasks (None: all)."""

    plan_code: str | None
    agency_id: int | None
    agency: str | None
    # A limited coordinator's plans (None: no limit beyond plan_code).
    plan_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class MatrixRow:
    """One agency on one task: its role, latest report, and the task's light and dates."""

    plan: str
    number: int
    task: str
    task_state: TaskState
    agency: str
    role: Role
    acknowledged_at: dt.datetime | None
    status: ReportStatus | None
    percent: int | None
    note: str | None
    reported_at: dt.datetime | None
    light: Light
    due_on: dt.date | None
    next_date: dt.date | None


class HistoryKind(enum.StrEnum):
    """A history row is an agency's status report or an audited change."""

    REPORT = "report"
    CHANGE = "change"


@dataclass(frozen=True)
class HistoryRow:
    """One status report or one audited change, with who and when."""

    at: dt.datetime
    plan: str
    number: int | None
    kind: HistoryKind
    agency: str | None
    actor: str
    status: ReportStatus | None = None
    percent: int | None = None
    note: str | None = None
    action: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass(frozen=True)
class ExportData:
    """Both tables of an export, with each plan's timezone for showing local times."""

    plan_code: str | None
    agency: str | None
    generated_at: dt.datetime
    timezones: dict[str, str]
    matrix: tuple[MatrixRow, ...]
    history: tuple[HistoryRow, ...]

    def timezone(self, plan: str) -> str:
        """The timezone of a plan in this export."""
        return self.timezones[plan]


async def _require_plan(session: AsyncSession, code: str) -> None:
    """Fail clearly when a plan does not exist."""
    if await session.scalar(select(Plan.id).where(Plan.code == code)) is None:
        raise NotFoundError("There is no plan called “{code}”.", code=code[:40])


async def export_target(
    *, session: AsyncSession, plan_code: str | None = None, agency: str | None = None
) -> ExportTarget:
    """The plan and agency named on the command line, checked."""
    if plan_code is not None:
        await _require_plan(session, plan_code)
    found = await require_agency(session, agency) if agency else None
    await session.commit()
    return ExportTarget(plan_code, found.id if found else None, found.name if found else None)


async def member_export_target(
    *,
    session: AsyncSession,
    telegram_id: int,
    agency: str | None = None,
    plan_code: str | None = None,
) -> ExportTarget:
    """What a member may export: coordinators anything, liaisons their own agency's tasks.

    A coordinator's whole-plan export is of one plan: with several and none named,
    PlanNeededError.
    """
    actor = await identify(session, telegram_id)
    found = await require_agency(session, agency) if agency else None
    if actor.is_coordinator and found is None and plan_code is None:
        only = await choose_plan(session, None, actor)
        plan_code = None if only is None else only.code
    if actor.is_limited and plan_code is not None:
        plan_id = await session.scalar(select(Plan.id).where(Plan.code == plan_code))
        if plan_id is not None:
            require_plan(actor, plan_id)
    if not actor.is_coordinator:
        if actor.agency_id is None:
            raise ForbiddenError("Only coordinators can do this.")
        if found is not None and found.id != actor.agency_id:
            raise ForbiddenError(
                "You can export only your own agency's tasks ({agency}).",
                agency=actor.agency_name or "",
            )
        await session.commit()
        return ExportTarget(plan_code, actor.agency_id, actor.agency_name)
    await session.commit()
    return ExportTarget(
        plan_code, found.id if found else None, found.name if found else None, actor.plan_ids
    )


def _task_query(target: ExportTarget) -> Select[Task]:
    """Tasks of the target, removed ones too, with units and milestones, in number order."""
    query = (
        select(Task)
        .join(Plan)
        .options(
            selectinload(Task.plan),
            selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Task.milestones),
        )
        .order_by(Plan.code, Task.number)
    )
    if target.plan_code is not None:
        query = query.where(Plan.code == target.plan_code)
    if target.plan_ids is not None:
        query = query.where(Plan.id.in_(sorted(target.plan_ids)))
    if target.agency_id is not None:
        query = query.where(
            Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id == target.agency_id))
        )
    return query


async def _matrix(
    session: AsyncSession,
    tasks: Sequence[Task],
    *,
    agency_id: int | None,
    now: dt.datetime,
    checkin_days: int,
) -> list[MatrixRow]:
    """One row per live task and assigned agency (or just the one agency), lead units first."""
    statuses = await task_statuses(session, tasks, now=now, checkin_days=checkin_days)
    rows: list[MatrixRow] = []
    for task in tasks:
        status = statuses[task.id]
        latest = {report.agency: report for report in status.reports}
        ordered = sorted(task.assignments, key=lambda a: (a.role is not Role.LEAD, a.position))
        for assignment in ordered:
            if agency_id is not None and assignment.agency_id != agency_id:
                continue
            report = latest.get(assignment.agency.name)
            rows.append(
                MatrixRow(
                    plan=task.plan.code,
                    number=task.number,
                    task=task.text,
                    task_state=task.state,
                    agency=assignment.agency.name,
                    role=assignment.role,
                    acknowledged_at=assignment.acknowledged_at,
                    status=report.status if report else None,
                    percent=report.percent if report else None,
                    note=report.note if report else None,
                    reported_at=report.reported_at if report else None,
                    light=status.light,
                    due_on=task.due_on,
                    next_date=status.next_date,
                )
            )
    return rows


def _agency_of(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str | None:
    """The agency an audited change names, if it names one by name."""
    for values in (after, before):
        name = (values or {}).get("agency")
        if isinstance(name, str):
            return name
    return None


async def _history(
    session: AsyncSession, tasks: Sequence[Task], target: ExportTarget
) -> list[HistoryRow]:
    """The reports (of the agency, if one) and every change of the tasks, oldest first.

    Without an agency, changes to the plans themselves (imports) are in too.
    """
    by_id = {task.id: task for task in tasks}
    keyed: list[tuple[dt.datetime, int, int, HistoryRow]] = []
    query = (
        select(StatusReport, Agency.name, Member.display_name)
        .join(Agency, Agency.id == StatusReport.agency_id)
        .outerjoin(Member, Member.id == StatusReport.member_id)
        .where(StatusReport.task_id.in_(by_id))
    )
    if target.agency_id is not None:
        query = query.where(StatusReport.agency_id == target.agency_id)
    reports = await session.execute(query)
    for report, agency, member in reports:
        task = by_id[report.task_id]
        row = HistoryRow(
            at=report.reported_at,
            plan=task.plan.code,
            number=task.number,
            kind=HistoryKind.REPORT,
            agency=agency,
            actor=member or "",
            status=report.status,
            percent=report.percent,
            note=report.note,
        )
        keyed.append((row.at, 0, report.id, row))
    plans = select(Plan.id)
    if target.plan_code is not None:
        plans = plans.where(Plan.code == target.plan_code)
    if target.plan_ids is not None:
        plans = plans.where(Plan.id.in_(sorted(target.plan_ids)))
    about: ColumnElement[bool] = AuditEvent.task_id.in_(by_id)
    if target.agency_id is None:
        about = or_(about, AuditEvent.task_id.is_(None) & AuditEvent.plan_id.in_(plans))
    events = await session.execute(
        select(AuditEvent, Member.display_name, Plan.code)
        .outerjoin(Member, Member.id == AuditEvent.actor_member_id)
        .outerjoin(Plan, Plan.id == AuditEvent.plan_id)
        .where(about, AuditEvent.action.not_in(DUPLICATED_ACTIONS))
    )
    for event, member, plan in events:
        changed = by_id.get(event.task_id) if event.task_id is not None else None
        row = HistoryRow(
            at=event.at,
            plan=changed.plan.code if changed else plan,
            number=changed.number if changed else None,
            kind=HistoryKind.CHANGE,
            agency=_agency_of(event.before, event.after),
            actor=member or event.actor,
            action=event.action,
            before=event.before,
            after=event.after,
        )
        keyed.append((row.at, 1, event.id, row))
    keyed.sort(key=lambda item: item[:3])
    return [row for *_, row in keyed]


async def build_export(
    *,
    session: AsyncSession,
    target: ExportTarget,
    now: dt.datetime,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> ExportData:
    """The status matrix of live tasks and the full history of every task, for a target."""
    tasks = (await session.scalars(_task_query(target))).all()
    live = [task for task in tasks if task.removed_at is None]
    matrix = await _matrix(
        session, live, agency_id=target.agency_id, now=now, checkin_days=checkin_days
    )
    history = await _history(session, tasks, target)
    zones = await session.execute(select(Plan.code, Plan.timezone))
    await session.commit()
    return ExportData(
        plan_code=target.plan_code,
        agency=target.agency,
        generated_at=now,
        timezones={code: zone for code, zone in zones},
        matrix=tuple(matrix),
        history=tuple(history),
    )

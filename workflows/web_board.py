"""What the plan board shows: the tasks × units grid, filtered, and the export behind it.

Everything is read through the workflows the chat and the exports use: member_export_target
decides whose rows a member may read (a liaison: their agency's), reports.task_card decides
whose latest reports they see (visible_reports), and build_export gives the rows and history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TaskState
from db.models import Agency, Assignment, Plan, Task
from workflows.access import Actor, identify
from workflows.errors import NotFoundError
from workflows.exports import ExportData, MatrixRow, build_export, member_export_target
from workflows.lights import DEFAULT_CHECKIN_DAYS, Light, compute_light
from workflows.overview import TaskFilter, list_task_page
from workflows.status import local_today

ALL_TASKS = 100_000  # one page holds every task of a plan


@dataclass(frozen=True)
class BoardFilter:
    """Which rows a board shows (query string values, already checked)."""

    light: Light | None = None
    unit: str | None = None
    overdue: bool = False
    silent: bool = False  # coordinators only, as /tasks silent
    state: str | None = None  # "open" or "closed" (awaiting review or closed)


@dataclass(frozen=True)
class BoardCell:
    """One unit on one task: its role, whether it signed, and its latest report."""

    role: Role
    light: Light  # the unit's own light: its latest report, the task's dates
    signed: bool
    status: str | None
    percent: int | None


@dataclass(frozen=True)
class BoardRow:
    """One task on the board."""

    number: int
    text: str
    light: Light
    state: TaskState
    due_on: dt.date | None
    next_date: dt.date | None
    overdue: bool
    cells: dict[str, BoardCell] = field(default_factory=dict)


@dataclass(frozen=True)
class Board:
    """A plan's board as one member may see it."""

    language: str
    coordinator: bool
    plan_code: str
    agency: str | None  # a liaison's board is limited to their agency
    units: tuple[str, ...]  # every unit on the plan's tasks, in order of first appearance
    rows: tuple[BoardRow, ...]
    total: int
    timezone: str


def _overdue(row: MatrixRow, today: dt.date) -> bool:
    """An open task past its due date."""
    return row.task_state is TaskState.OPEN and row.due_on is not None and row.due_on < today


def _wanted(row: BoardRow, chosen: BoardFilter, silent: set[int] | None) -> bool:
    """Whether a row passes the filter (silent: the silent tasks' numbers, when asked)."""
    if silent is not None and row.number not in silent:
        return False
    if chosen.light is not None and (row.state is not TaskState.OPEN or row.light != chosen.light):
        return False
    if chosen.unit is not None and chosen.unit not in row.cells:
        return False
    if chosen.overdue and not row.overdue:
        return False
    if chosen.state == "open":
        return row.state is TaskState.OPEN
    if chosen.state == "closed":
        return row.state is not TaskState.OPEN
    return True


async def _assigned_at(session: AsyncSession, plan_code: str) -> dict[tuple[int, str], dt.datetime]:
    """When each unit was put on each task of a plan, by task number and unit name."""
    rows = await session.execute(
        select(Task.number, Agency.name, Assignment.created_at)
        .join(Assignment, Assignment.task_id == Task.id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.code == plan_code)
    )
    return {(number, name): created for number, name, created in rows}


def _rows(
    data: ExportData,
    assigned: dict[tuple[int, str], dt.datetime],
    *,
    now: dt.datetime,
    today: dt.date,
    checkin_days: int,
) -> list[BoardRow]:
    """The matrix (one row per task and unit) folded into one row per task."""
    rows: dict[int, BoardRow] = {}
    for item in data.matrix:
        row = rows.setdefault(
            item.number,
            BoardRow(
                number=item.number,
                text=item.task,
                light=item.light,
                state=item.task_state,
                due_on=item.due_on,
                next_date=item.next_date,
                overdue=_overdue(item, today),
            ),
        )
        row.cells[item.agency] = BoardCell(
            role=item.role,
            light=compute_light(
                state=item.task_state,
                due_on=item.due_on,
                latest_statuses=[] if item.status is None else [item.status],
                last_report_at=item.reported_at,
                assigned_at=assigned.get((item.number, item.agency), now),
                now=now,
                today=today,
                checkin_days=checkin_days,
            ),
            signed=item.acknowledged_at is not None,
            status=None if item.status is None else str(item.status),
            percent=item.percent,
        )
    return list(rows.values())


async def _silent_numbers(
    session: AsyncSession, telegram_id: int, plan_code: str, now: dt.datetime
) -> set[int]:
    """The numbers of a plan's silent tasks, as /tasks silent finds them."""
    plan_id = await session.scalar(select(Plan.id).where(Plan.code == plan_code))
    listed = await list_task_page(
        session=session,
        telegram_id=telegram_id,
        kind=TaskFilter.SILENT,
        now=now,
        page_size=ALL_TASKS,
        plan_id=plan_id,
    )
    return {line.number for line in listed.lines}


async def plan_export(
    session: AsyncSession,
    *,
    telegram_id: int,
    plan_code: str,
    now: dt.datetime,
    agency: str | None = None,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> tuple[Actor, ExportData]:
    """The export a member may have of one plan (a liaison's: their agency's rows)."""
    actor = await identify(session, telegram_id)
    target = await member_export_target(
        session=session, telegram_id=telegram_id, agency=agency, plan_code=plan_code
    )
    data = await build_export(session=session, target=target, now=now, checkin_days=checkin_days)
    if plan_code not in data.timezones:
        raise NotFoundError("There is no plan called “{code}”.", code=plan_code[:40])
    return actor, data


async def plan_board(
    *,
    session: AsyncSession,
    telegram_id: int,
    plan_code: str,
    chosen: BoardFilter,
    now: dt.datetime,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> Board:
    """A plan's board, filtered, in task number order."""
    actor, data = await plan_export(
        session, telegram_id=telegram_id, plan_code=plan_code, now=now, checkin_days=checkin_days
    )
    timezone = data.timezone(plan_code)
    assigned = await _assigned_at(session, plan_code)
    silent = None
    if chosen.silent and actor.is_coordinator:
        silent = await _silent_numbers(session, telegram_id, plan_code, now)
    await session.commit()
    rows = _rows(
        data, assigned, now=now, today=local_today(now, timezone), checkin_days=checkin_days
    )
    units = tuple(dict.fromkeys(item.agency for item in data.matrix))
    return Board(
        language=actor.language,
        coordinator=actor.is_coordinator,
        plan_code=plan_code,
        agency=data.agency,
        units=units,
        rows=tuple(row for row in rows if _wanted(row, chosen, silent)),
        total=len(rows),
        timezone=timezone,
    )


async def board_export(
    *,
    session: AsyncSession,
    telegram_id: int,
    plan_code: str,
    now: dt.datetime,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> tuple[str, ExportData]:
    """What /export would give the member for one plan, and their language."""
    actor, data = await plan_export(
        session, telegram_id=telegram_id, plan_code=plan_code, now=now, checkin_days=checkin_days
    )
    return actor.language, data

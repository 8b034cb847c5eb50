"""What the progress chart shows: one row per live task of a plan, with its dates and light."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import Role, TaskState
from db.models import Assignment, Plan, Task
from workflows.access import identify
from workflows.errors import NotFoundError
from workflows.lights import DEFAULT_CHECKIN_DAYS, Light
from workflows.live import live_task
from workflows.plans import choose_plan
from workflows.status import local_today, task_statuses

SHORT_TEXT_CHARS = 14
_CLAUSE_END = re.compile(r"[，。；：,;:]")


@dataclass(frozen=True)
class ChartRow:
    """One task on the chart: number, short text, lead unit, dates, flags and light."""

    number: int
    text: str
    lead: str | None
    lead_en: str | None
    start: dt.date | None
    due: dt.date | None
    ongoing: bool
    done: bool
    light: Light


@dataclass(frozen=True)
class ProgressChart:
    """What /chart draws: plan, day, whose tasks, the rows, and the reader's language."""

    language: str
    plan_code: str | None
    document_number: str | None
    today: dt.date | None
    agency: str | None
    rows: tuple[ChartRow, ...]


def short_text(text: str, limit: int = SHORT_TEXT_CHARS) -> str:
    """A task's first clause, cut to a chart label's length."""
    clause = _CLAUSE_END.split(text.strip(), maxsplit=1)[0].strip() or text.strip()
    return clause if len(clause) <= limit else clause[: limit - 1] + "…"


async def _plan(session: AsyncSession, plan_id: int | None) -> Plan | None:
    """The plan asked for by id, or the first plan when none is named (or None)."""
    if plan_id is not None:
        plan = await session.get(Plan, plan_id)
        if plan is None:
            raise NotFoundError("No plan with id {plan_id}.", plan_id=plan_id)
        return plan
    first = select(Plan).where(Plan.archived_at.is_(None)).order_by(Plan.id).limit(1)
    return (await session.scalars(first)).first()


async def chart_rows(
    session: AsyncSession,
    *,
    plan_id: int | None = None,
    now: dt.datetime,
    agency_id: int | None = None,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> list[ChartRow]:
    """The chart's rows for a plan's live tasks (the first plan when none is named), by number.

    With `agency_id`, only the tasks that agency leads or co-handles. Reads only; the caller
    owns the transaction.
    """
    plan = await _plan(session, plan_id)
    if plan is None:
        return []
    return await _rows(session, plan, now=now, agency_id=agency_id, checkin_days=checkin_days)


async def _rows(
    session: AsyncSession,
    plan: Plan,
    *,
    now: dt.datetime,
    agency_id: int | None,
    checkin_days: int,
) -> list[ChartRow]:
    """The chart's rows of one plan, optionally only one agency's tasks."""
    query = (
        select(Task)
        .where(Task.plan_id == plan.id, live_task())
        .options(
            selectinload(Task.plan),
            selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Task.milestones),
        )
        .order_by(Task.number)
    )
    if agency_id is not None:
        query = query.where(
            Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id == agency_id))
        )
    tasks = (await session.scalars(query)).all()
    statuses = await task_statuses(session, tasks, now=now, checkin_days=checkin_days)
    rows = []
    for task in tasks:
        lead = next(
            (
                a.agency
                for a in sorted(task.assignments, key=lambda a: a.position)
                if a.role is Role.LEAD
            ),
            None,
        )
        rows.append(
            ChartRow(
                number=task.number,
                text=short_text(task.text),
                lead=lead.name if lead else None,
                lead_en=lead.name_en if lead else None,
                start=task.start_on,
                due=task.due_on,
                ongoing=task.ongoing,
                done=task.state is not TaskState.OPEN,
                light=statuses[task.id].light,
            )
        )
    return rows


async def progress_chart(
    *,
    session: AsyncSession,
    telegram_id: int,
    now: dt.datetime,
    plan_code: str | None = None,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> ProgressChart:
    """/chart: the whole plan for a coordinator, their agency's tasks for a liaison."""
    actor = await identify(session, telegram_id)
    plan = await choose_plan(session, plan_code, actor)
    if plan is None:
        await session.commit()
        return ProgressChart(actor.language, None, None, None, None, ())
    if actor.is_coordinator or actor.agency_id is not None:
        agency_id = None if actor.is_coordinator else actor.agency_id
        rows = await _rows(session, plan, now=now, agency_id=agency_id, checkin_days=checkin_days)
    else:
        rows = []
    await session.commit()
    return ProgressChart(
        language=actor.language,
        plan_code=plan.code,
        document_number=plan.document_number,
        today=local_today(now, plan.timezone),
        agency=None if actor.is_coordinator else actor.agency_name,
        rows=tuple(rows),
    )

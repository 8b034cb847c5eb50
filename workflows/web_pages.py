"""The board's task and agency pages, read through the chat's and the exports' workflows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole, Role
from db.models import Agency, Member
from workflows.access import find_task
from workflows.exports import HistoryRow, MatrixRow
from workflows.reports import TaskCard, task_card
from workflows.tasks import TaskView, task_view
from workflows.web_board import plan_export


@dataclass(frozen=True)
class TaskPage:
    """A task's page: the card the chat shows, its units and dates, and its history."""

    language: str
    coordinator: bool
    plan_code: str
    card: TaskCard
    view: TaskView
    history: tuple[HistoryRow, ...]
    timezone: str


@dataclass(frozen=True)
class AgencyPage:
    """An agency's tasks by role, its liaisons and the tasks it has not signed for."""

    language: str
    plan_code: str
    agency: str
    lead: tuple[MatrixRow, ...]
    co: tuple[MatrixRow, ...]
    unsigned: tuple[MatrixRow, ...]
    liaisons: tuple[str, ...]
    timezone: str


async def task_page(
    *, session: AsyncSession, telegram_id: int, plan_code: str, number: int, now: dt.datetime
) -> TaskPage:
    """A task's page; a liaison may open only their agency's tasks, and reads as in the chat."""
    task = await find_task(session, number=number, plan_code=plan_code)
    view = task_view(task)
    card = await task_card(session, telegram_id=telegram_id, task_id=task.id, now=now)
    actor, data = await plan_export(session, telegram_id=telegram_id, plan_code=plan_code, now=now)
    history = tuple(row for row in data.history if row.number == number)
    return TaskPage(
        language=actor.language,
        coordinator=actor.is_coordinator,
        plan_code=plan_code,
        card=card,
        view=view,
        history=history,
        timezone=data.timezone(plan_code),
    )


async def agency_page(
    *, session: AsyncSession, telegram_id: int, plan_code: str, agency: str, now: dt.datetime
) -> AgencyPage:
    """An agency's page: coordinators open any, a liaison only their own."""
    actor, data = await plan_export(
        session, telegram_id=telegram_id, plan_code=plan_code, now=now, agency=agency
    )
    name = data.agency or agency
    liaisons = (
        await session.scalars(
            select(Member.display_name)
            .join(Agency, Agency.id == Member.agency_id)
            .where(
                Member.left_at.is_(None),
                Member.role != MemberRole.COORDINATOR,
                Agency.name == name,
            )
            .order_by(Member.id)
        )
    ).all()
    await session.commit()
    live = [row for row in data.matrix if row.agency == name]
    return AgencyPage(
        language=actor.language,
        plan_code=plan_code,
        agency=name,
        lead=tuple(row for row in live if row.role is Role.LEAD),
        co=tuple(row for row in live if row.role is Role.CO),
        unsigned=tuple(row for row in live if row.acknowledged_at is None),
        liaisons=tuple(liaisons),
        timezone=data.timezone(plan_code),
    )

"""Which tasks count: not removed by a re-import, and in a plan that is not archived."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, UnaryExpression, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Plan, Task


def archived_plans() -> ColumnElement[bool]:
    """The condition that a task belongs to an archived plan."""
    return Task.plan_id.in_(select(Plan.id).where(Plan.archived_at.is_not(None)))


def live_task() -> ColumnElement[bool]:
    """The condition that a task counts in lists, sweeps, feeds and reminders."""
    return and_(Task.removed_at.is_(None), ~archived_plans())


def newest_plans_first() -> tuple[UnaryExpression[dt.date | None], UnaryExpression[str]]:
    """How plans are listed: the newest document first (undated ones last), then by code."""
    return (Plan.issued_on.desc().nulls_last(), Plan.code.asc())


async def two_live_plans(session: AsyncSession) -> Sequence[Plan]:
    """At most two plans that are not archived: enough to tell none, one and several apart."""
    return (
        await session.scalars(
            select(Plan).where(Plan.archived_at.is_(None)).order_by(Plan.code).limit(2)
        )
    ).all()

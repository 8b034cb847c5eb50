"""Which tasks count: not removed by a re-import, and in a plan that is not archived."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, UnaryExpression, and_, select

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

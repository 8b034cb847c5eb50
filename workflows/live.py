"""Which tasks count: not removed by a re-import, and in a plan that is not archived."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select

from db.models import Plan, Task


def archived_plans() -> ColumnElement[bool]:
    """The condition that a task belongs to an archived plan."""
    return Task.plan_id.in_(select(Plan.id).where(Plan.archived_at.is_not(None)))


def live_task() -> ColumnElement[bool]:
    """The condition that a task counts in lists, sweeps, feeds and reminders."""
    return and_(Task.removed_at.is_(None), ~archived_plans())

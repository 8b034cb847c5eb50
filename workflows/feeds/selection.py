"""What a feed covers: its tasks' rows, what it is named after, and the data's version.

The version is a counter the database raises on every write a feed could show (triggers made
by migration 0008), so an unchanged feed is known before anything is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope, MemberRole, TaskState
from db.models import (
    Agency,
    Assignment,
    AuditEvent,
    FeedDataVersion,
    Member,
    Milestone,
    Plan,
    PlanGrant,
    Task,
)
from workflows.errors import NotFoundError
from workflows.feeds.model import (
    EPOCH,
    FeedMilestone,
    FeedSource,
    FeedTask,
    FeedUnit,
)
from workflows.live import archived_plans, two_live_plans
from workflows.review import CLOSE
from workflows.status import latest_reports

GONE = "This feed no longer exists."
FINISHING = ("task.done", CLOSE)


@dataclass(frozen=True)
class Description:
    """What a feed's calendar is named after, and since when that stands."""

    plan: Plan | None
    agency: Agency | None
    task_number: int | None
    changed: dt.datetime


def data_version() -> ScalarSelect[int]:
    """The database's feed data counter, raised by triggers on every write a feed could show."""
    return select(FeedDataVersion.counter).where(FeedDataVersion.id == 1).scalar_subquery()


async def only_plan(session: AsyncSession) -> Plan:
    """The one plan in the database; several or none is an error."""
    plans = await two_live_plans(session)
    if not plans:
        raise NotFoundError("There is no plan yet.")
    if len(plans) > 1:
        raise NotFoundError("There are several plans; name one.")
    return plans[0]


async def plan_by_code(session: AsyncSession, code: str) -> Plan:
    """A plan by its code."""
    plan = await session.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        raise NotFoundError("There is no plan called “{code}”.", code=code)
    return plan


def _of_agency(agency_id: int | ScalarSelect[Any] | None) -> ColumnElement[bool]:
    """Tasks an agency is assigned to."""
    return Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id == agency_id))


def _plan_exists(plan_id: int | None) -> list[ColumnElement[bool]]:
    """The condition that a named plan still exists (none when no plan is named)."""
    return [] if plan_id is None else [select(Plan.id).where(Plan.id == plan_id).exists()]


def scope_of(source: FeedSource) -> ColumnElement[bool]:
    """Which tasks a source covers, as SQL (never an archived plan's)."""
    return and_(_scope_of(source), ~archived_plans())


def _scope_of(source: FeedSource) -> ColumnElement[bool]:
    """Which tasks a source covers, archived plans aside."""
    in_plan = [] if source.plan_id is None else [Task.plan_id == source.plan_id]
    if source.scope is FeedScope.PLAN:
        return and_(true(), *in_plan)
    if source.scope is FeedScope.AGENCY:
        return and_(_of_agency(source.agency_id), *in_plan)
    if source.scope is FeedScope.TASK:
        return Task.id == source.task_id
    member = Member.id == source.member_id
    everything = (
        select(Member.id)
        .where(member, Member.role == MemberRole.COORDINATOR, Member.agency_id.is_(None))
        .exists()
    )
    # A coordinator limited to some plans gets only theirs.
    limited = select(PlanGrant.plan_id).where(PlanGrant.member_id == source.member_id)
    supervised = or_(~limited.exists(), Task.plan_id.in_(limited))
    mine = _of_agency(select(Member.agency_id).where(member).scalar_subquery())
    return and_(or_(and_(everything, supervised), mine), *in_plan)


async def describe(session: AsyncSession, source: FeedSource) -> Description:
    """What a feed is named after; NotFoundError when it is gone."""
    plan = await session.get(Plan, source.plan_id) if source.plan_id is not None else None
    if source.plan_id is not None and (plan is None or plan.archived_at is not None):
        raise NotFoundError(GONE)
    changed = plan.updated_at if plan is not None else EPOCH
    if source.scope is FeedScope.PLAN:
        if plan is None:
            raise NotFoundError(GONE)
        return Description(plan, None, None, changed)
    if source.scope is FeedScope.AGENCY:
        agency = await session.get(Agency, source.agency_id) if source.agency_id else None
        if agency is None:
            raise NotFoundError(GONE)
        return Description(plan, agency, None, max(changed, agency.created_at))
    if source.scope is FeedScope.TASK:
        task = await session.get(Task, source.task_id) if source.task_id else None
        plan = await session.get(Plan, task.plan_id) if task is not None else None
        if task is None or plan is None or plan.archived_at is not None:
            raise NotFoundError(GONE)
        return Description(plan, None, task.number, plan.updated_at)
    member = await session.get(Member, source.member_id) if source.member_id else None
    if member is None or member.left_at is not None:
        raise NotFoundError(GONE)
    return Description(plan, None, None, max(changed, member.created_at))


async def load_tasks(session: AsyncSession, condition: ColumnElement[bool]) -> list[FeedTask]:
    """The scope's tasks with units, milestones, latest reports and finishing times."""
    # Plain rows through the connection: ORM row processing costs more than the query.
    connection = await session.connection()
    rows = (
        await connection.execute(
            select(
                Task.id,
                Plan.code,
                Plan.document_number,
                Plan.timezone,
                Task.number,
                Task.text,
                Task.schedule_text,
                Task.state,
                Task.due_on,
                Task.units_open,
                Task.removed_at,
                Task.created_at,
                Task.updated_at,
            )
            .join(Plan, Plan.id == Task.plan_id)
            .where(condition)
            .order_by(Plan.code, Task.number)
        )
    ).all()
    ids = select(Task.id).where(condition)
    units: dict[int, list[FeedUnit]] = {}
    for a in await connection.execute(
        select(
            Assignment.task_id,
            Agency.id,
            Agency.name,
            Agency.full_name,
            Agency.name_en,
            Assignment.role,
            Assignment.position,
            Assignment.created_at,
        )
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.task_id.in_(ids))
        .order_by(Assignment.task_id, Assignment.position)
    ):
        units.setdefault(a.task_id, []).append(FeedUnit._make(a[1:]))
    milestones: dict[int, list[FeedMilestone]] = {}
    for m in await connection.execute(
        select(
            Milestone.task_id,
            Milestone.id,
            Milestone.kind,
            Milestone.on_date,
            Milestone.label,
            Milestone.sequence,
            Milestone.cancelled_at,
            Milestone.created_at,
            Milestone.updated_at,
        )
        .where(Milestone.task_id.in_(ids))
        .order_by(Milestone.task_id, Milestone.on_date, Milestone.id)
    ):
        milestones.setdefault(m.task_id, []).append(FeedMilestone._make(m[1:]))
    finished = await _finished_at(session, [t.id for t in rows if t.state is not TaskState.OPEN])
    reports = await latest_reports(session, [t.id for t in rows])
    several_plans = len({t.code for t in rows}) > 1
    return [
        FeedTask(
            id=t.id,
            plan_code=t.code,
            timezone=t.timezone,
            number=t.number,
            text=t.text,
            schedule_text=t.schedule_text,
            state=t.state,
            due_on=t.due_on,
            units_open=t.units_open,
            removed_at=t.removed_at,
            created_at=t.created_at,
            updated_at=t.updated_at,
            units=tuple(units.get(t.id, ())),
            milestones=tuple(milestones.get(t.id, ())),
            finished_at=finished.get(t.id),
            reports=tuple(reports.get(t.id, ())),
            plan_label=(t.document_number or t.code) if several_plans else "",
        )
        for t in rows
    ]


async def _finished_at(session: AsyncSession, task_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """When each finished task was last reported done or closed, from the audit log."""
    if not task_ids:
        return {}
    rows = await session.execute(
        select(AuditEvent.task_id, func.max(AuditEvent.at))
        .where(AuditEvent.task_id.in_(task_ids), AuditEvent.action.in_(FINISHING))
        .group_by(AuditEvent.task_id)
    )
    return {task_id: at for task_id, at in rows if task_id is not None}

"""Digests on request: for a plan or an agency, for a member's /digest, and the chart's plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Assignment, Plan, Task
from workflows.access import Actor, identify
from workflows.checkins import DEFAULT_EVERY_DAYS
from workflows.digest.content import agency_digest, coordinator_digest
from workflows.digest.items import period_moment
from workflows.digest.model import Digest
from workflows.errors import ForbiddenError, NotFoundError
from workflows.live import live_task, newest_plans_first
from workflows.planning import require_agency
from workflows.plans import choose_plan
from workflows.status import local_today


async def plans_by_code(session: AsyncSession, plan_code: str | None) -> list[Plan]:
    """The plan asked for, or every plan in use (an archived plan has no digest)."""
    query = select(Plan).where(Plan.archived_at.is_(None)).order_by(*newest_plans_first())
    if plan_code is not None:
        query = query.where(Plan.code == plan_code)
    plans = list(await session.scalars(query))
    if plan_code is not None and not plans:
        raise NotFoundError("There is no plan called “{code}”.", code=plan_code)
    return plans


async def plans_of_agency(session: AsyncSession, agency_id: int) -> set[int]:
    """The plans where an agency has a live task."""
    rows = await session.scalars(
        select(Task.plan_id)
        .join(Assignment, Assignment.task_id == Task.id)
        .where(Assignment.agency_id == agency_id, live_task())
        .distinct()
    )
    return set(rows)


async def plans_of_agencies(
    session: AsyncSession, agency_ids: Collection[int]
) -> dict[int, set[int]]:
    """The plans where each of some agencies has a live task, in one query."""
    found: dict[int, set[int]] = {}
    if not agency_ids:
        return found
    rows = await session.execute(
        select(Assignment.agency_id, Task.plan_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.agency_id.in_(agency_ids), live_task())
        .distinct()
    )
    for agency_id, plan_id in rows:
        found.setdefault(agency_id, set()).add(plan_id)
    return found


async def compose_digests(
    session: AsyncSession,
    *,
    now: dt.datetime,
    weekday: int,
    at: dt.time,
    agency: str | None = None,
    plan_code: str | None = None,
    checkin_days: int = DEFAULT_EVERY_DAYS,
) -> list[Digest]:
    """The coordinators' (or one agency's) digest of each plan as of now, changes since the last."""
    digests: list[Digest] = []
    found = await require_agency(session, agency) if agency is not None else None
    for plan in await plans_by_code(session, plan_code):
        moment = period_moment(now, weekday=weekday, at=at, timezone=plan.timezone)
        period = local_today(now, plan.timezone)
        if found is None:
            digests.append(
                await coordinator_digest(
                    session,
                    plan_id=plan.id,
                    period=period,
                    since=moment,
                    until=now,
                    now=now,
                    checkin_days=checkin_days,
                )
            )
        elif plan.id in await plans_of_agency(session, found.id):
            digests.append(
                await agency_digest(
                    session,
                    plan_id=plan.id,
                    agency_id=found.id,
                    period=period,
                    now=now,
                    checkin_days=checkin_days,
                )
            )
    await session.commit()
    return digests


async def digests_for_member(
    session: AsyncSession,
    *,
    telegram_id: int,
    now: dt.datetime,
    weekday: int,
    at: dt.time,
    agency: str | None = None,
    plan_code: str | None = None,
    checkin_days: int = DEFAULT_EVERY_DAYS,
) -> tuple[Actor, list[Digest]]:
    """/digest [PLAN] [AGENCY]: a coordinator's digest (or any agency's); a liaison's own.

    A coordinator's own digest is of one plan: with several and none named, PlanNeededError.
    """
    actor = await identify(session, telegram_id)
    if actor.is_coordinator and agency is None and plan_code is None:
        await choose_plan(session, None, actor)
    if not actor.is_coordinator:
        if actor.agency_name is None:
            raise ForbiddenError("Only coordinators can do this.")
        if agency is not None:
            found = await require_agency(session, agency)
            if found.id != actor.agency_id:
                raise ForbiddenError("Only coordinators can do this.")
        agency = actor.agency_name
    digests = await compose_digests(
        session,
        now=now,
        weekday=weekday,
        at=at,
        agency=agency,
        plan_code=plan_code,
        checkin_days=checkin_days,
    )
    return actor, digests


async def chart_plan(session: AsyncSession, *, plan_id: int) -> tuple[str, str | None, str] | None:
    """A plan's code, document number and timezone, for the chart; None when it is gone."""
    plan = await session.get(Plan, plan_id)
    return None if plan is None else (plan.code, plan.document_number, plan.timezone)


async def plan_of(session: AsyncSession, plan_code: str | None) -> tuple[int, str] | None:
    """The id and timezone of a plan by code, or of the first plan when none is named."""
    plans = await plans_by_code(session, plan_code)
    return (plans[0].id, plans[0].timezone) if plans else None

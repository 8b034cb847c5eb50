"""The weekly digest's schedule: each member's digest of a period queued once, late if missed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole
from db.models import Assignment, Member, Task
from workflows.checkins import DEFAULT_EVERY_DAYS
from workflows.digest.content import agency_digest, coordinator_digest
from workflows.digest.items import period_date, period_moment
from workflows.digest.model import AGENCY_ROLES, WEEK, Digest, DigestPart
from workflows.digest.requests import plans_by_code
from workflows.holiday_calendar import load_calendar
from workflows.live import live_task
from workflows.outbox.marks import Mark, bearings, save_mark
from workflows.outbox.queue import enqueue, existing_keys
from workflows.workdays import QUIET_END, QUIET_START

DIGEST_KIND = "digest"
CHART_KIND = "digest-chart"
# A digest decided this long after its moment (downtime) is marked late.
LATE_AFTER = dt.timedelta(hours=1)

# Turns a digest into messages in a language, marked late or not (the bot's renderer).
PartsRenderer = Callable[[Digest, str, bool], Sequence[DigestPart]]


def digest_key(plan_id: int, period: dt.date, member_id: int, part: str) -> str:
    """The idempotency key of one part ("part-1" …, "chart") of a member's digest of a period."""
    return f"{DIGEST_KIND}:{plan_id}:{period.isoformat()}:{member_id}:{part}"


async def _members(session: AsyncSession, *, joined_by: dt.datetime) -> list[Member]:
    """Active, reachable members who were registered by a moment."""
    return list(
        await session.scalars(
            select(Member)
            .where(
                Member.left_at.is_(None),
                Member.reachable.is_(True),
                Member.created_at <= joined_by,
            )
            .order_by(Member.id)
        )
    )


async def plan_weekly_digests(
    session: AsyncSession,
    *,
    now: dt.datetime,
    weekday: int,
    at: dt.time,
    render: PartsRenderer,
    checkin_days: int = DEFAULT_EVERY_DAYS,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
) -> int:
    """One sweep: queue each member's digest of the latest period once; returns parts queued.

    Only the newest period is ever caught up (after downtime: once, late). A digest is
    composed and rendered when decided, so its parts never shift between sends; coordinators
    also get the chart, drawn when it is sent. Members who joined after the moment wait for
    the next period.
    """
    found = await bearings(session, DIGEST_KIND)
    since = found.mark.through if found.mark is not None else None
    if (
        since is not None
        and since <= now
        and not found.changed
        and all(
            period_moment(now, weekday=weekday, at=at, timezone=zone) <= since
            for zone in found.timezones
        )
    ):
        # No period began since the last sweep and nothing changed: nothing new to decide.
        await session.commit()
        return 0
    queued = 0
    calendar = await load_calendar(session)
    for plan in await plans_by_code(session, None):
        moment = period_moment(now, weekday=weekday, at=at, timezone=plan.timezone)
        if plan.created_at > moment:
            continue
        period = period_date(moment, plan.timezone)
        members = await _members(session, joined_by=moment)
        # One query for the plan's agencies, not one for each agency's plans.
        in_plan = set(
            await session.scalars(
                select(Assignment.agency_id)
                .join(Task, Task.id == Assignment.task_id)
                .where(Task.plan_id == plan.id, live_task())
                .distinct()
            )
        )
        wanted = [
            m
            for m in members
            if m.role is MemberRole.COORDINATOR
            or (m.role in AGENCY_ROLES and m.agency_id in in_plan)
        ]
        existing = await existing_keys(
            session, [digest_key(plan.id, period, m.id, "part-1") for m in wanted]
        )
        late = moment < now - LATE_AFTER
        hours = {"quiet_start": quiet_start, "quiet_end": quiet_end}
        not_before = max(
            calendar.next_send_time(moment, timezone=plan.timezone, **hours),
            calendar.next_send_time(now, timezone=plan.timezone, **hours),
        )
        composed: dict[int | None, Digest] = {}
        rendered: dict[tuple[int | None, str], Sequence[DigestPart]] = {}
        for member in wanted:
            if digest_key(plan.id, period, member.id, "part-1") in existing:
                continue
            audience = None if member.role is MemberRole.COORDINATOR else member.agency_id
            if audience not in composed:
                if audience is None:
                    composed[audience] = await coordinator_digest(
                        session,
                        plan_id=plan.id,
                        period=period,
                        since=moment - WEEK,
                        until=moment,
                        now=now,
                        checkin_days=checkin_days,
                    )
                else:
                    composed[audience] = await agency_digest(
                        session,
                        plan_id=plan.id,
                        agency_id=audience,
                        period=period,
                        now=now,
                        checkin_days=checkin_days,
                    )
            if (audience, member.language) not in rendered:
                rendered[audience, member.language] = render(
                    composed[audience], member.language, late
                )
            parts = rendered[audience, member.language]
            base: dict[str, Any] = {"plan_id": plan.id, "period": period.isoformat()}
            for index, part in enumerate(parts, start=1):
                payload = {
                    **base,
                    "part": index,
                    "parts": len(parts),
                    "text": part.text,
                    "tasks": [list(t) for t in part.tasks],
                }
                queued += await enqueue(
                    session,
                    key=digest_key(plan.id, period, member.id, f"part-{index}"),
                    kind=DIGEST_KIND,
                    chat_id=member.telegram_id,
                    member_id=member.id,
                    payload=payload,
                    now=now,
                    not_before=not_before,
                    late=late,
                )
            if audience is None:
                await enqueue(
                    session,
                    key=digest_key(plan.id, period, member.id, "chart"),
                    kind=CHART_KIND,
                    chat_id=member.telegram_id,
                    member_id=member.id,
                    payload=base,
                    now=now,
                    not_before=not_before,
                    late=late,
                )
        # Composing loads the plan's whole task graph: one plan's at a time stays in memory.
        session.expunge_all()
    await save_mark(session, DIGEST_KIND, Mark(now, -1 if found.version is None else found.version))
    await session.commit()
    return queued

"""Deadline reminders: deciding, sweep by sweep, who is reminded of which milestone when."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole, MilestoneKind, TaskState
from db.models import Assignment, Member, Milestone, Plan, Task
from workflows.outbox import cancel_superseded, enqueue, existing_keys
from workflows.status import local_today
from workflows.workdays import QUIET_END, QUIET_START, is_working_day, next_send_time

REMINDER_KIND = "deadline_reminder"
DEFAULT_OFFSETS = (30, 7, 1, 0)
AGENCY_ROLES = (MemberRole.LIAISON, MemberRole.DEPUTY)
REMINDED_KINDS = (MilestoneKind.DUE, MilestoneKind.CHECKPOINT, MilestoneKind.CUSTOM)
# A reminder decided this long after its moment (downtime) is marked late.
LATE_AFTER = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ReminderView:
    """What a deadline reminder says, read when it is sent."""

    task_id: int
    plan_code: str
    task_number: int
    task_text: str
    kind: str
    label: str
    on_date: dt.date
    holiday: bool
    days_left: int


@dataclass(frozen=True)
class _Due:
    """A remindable milestone in the window, with its plan's timezone and when it got its date."""

    milestone_id: int
    task_id: int
    on_date: dt.date
    timezone: str
    placed_at: dt.datetime


def reminder_key(milestone_id: int, on_date: dt.date, offset: int, member_id: int) -> str:
    """The idempotency key: a new date is a new reminder, an old one never goes again."""
    return f"{REMINDER_KIND}:{milestone_id}:{on_date.isoformat()}:{offset}:{member_id}"


def reminder_moment(
    on_date: dt.date, offset: int, *, timezone: str, quiet_end: dt.time = QUIET_END
) -> dt.datetime:
    """When a reminder is decided: `offset` days before the date, at the working-morning hour."""
    day = on_date - dt.timedelta(days=offset)
    return dt.datetime.combine(day, quiet_end, tzinfo=zoneinfo.ZoneInfo(timezone)).astimezone(
        dt.UTC
    )


async def _milestones_in_window(
    session: AsyncSession, *, now: dt.datetime, horizon: int
) -> list[tuple[_Due, list[int]]]:
    """Live open tasks' remindable milestones near now, each with its lead and co agencies."""
    utc_today = now.astimezone(dt.UTC).date()
    # One day of slack each side covers every plan timezone; each plan's today is checked after.
    rows = await session.execute(
        select(
            Milestone.id, Milestone.task_id, Milestone.on_date, Milestone.updated_at, Plan.timezone
        )
        .join(Task, Task.id == Milestone.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(
            Milestone.cancelled_at.is_(None),
            Milestone.kind.in_(REMINDED_KINDS),
            Milestone.on_date >= utc_today - dt.timedelta(days=2),
            Milestone.on_date <= utc_today + dt.timedelta(days=horizon + 1),
            Task.removed_at.is_(None),
            Task.state == TaskState.OPEN,
        )
        .order_by(Milestone.on_date, Milestone.id)
    )
    due: list[_Due] = []
    for milestone_id, task_id, on_date, updated_at, timezone in rows:
        today = local_today(now, timezone)
        if today - dt.timedelta(days=1) <= on_date <= today + dt.timedelta(days=horizon):
            due.append(_Due(milestone_id, task_id, on_date, timezone, updated_at))
    if not due:
        return []
    agencies: dict[int, list[int]] = defaultdict(list)
    assignments = await session.execute(
        select(Assignment.task_id, Assignment.agency_id)
        .where(Assignment.task_id.in_({d.task_id for d in due}))
        .order_by(Assignment.position)
    )
    for task_id, agency_id in assignments:
        agencies[task_id].append(agency_id)
    return [(d, agencies[d.task_id]) for d in due]


async def _members_by_agency(
    session: AsyncSession, agency_ids: set[int]
) -> dict[int, list[Member]]:
    """Active, reachable liaisons and deputies of the agencies."""
    by_agency: dict[int, list[Member]] = defaultdict(list)
    members = await session.scalars(
        select(Member)
        .where(
            Member.agency_id.in_(agency_ids),
            Member.left_at.is_(None),
            Member.reachable.is_(True),
            Member.role.in_(AGENCY_ROLES),
        )
        .order_by(Member.id)
    )
    for member in members:
        assert member.agency_id is not None
        by_agency[member.agency_id].append(member)
    return by_agency


def _latest_due_offset(
    due: _Due,
    offsets: Sequence[int],
    *,
    now: dt.datetime,
    since: dt.datetime,
    quiet_end: dt.time,
) -> tuple[int, dt.datetime] | None:
    """The offset whose moment came most recently (and after `since`), with that moment."""
    best: tuple[int, dt.datetime] | None = None
    for offset in offsets:
        moment = reminder_moment(due.on_date, offset, timezone=due.timezone, quiet_end=quiet_end)
        if since <= moment <= now and (best is None or moment > best[1]):
            best = (offset, moment)
    return best


async def plan_deadline_reminders(
    session: AsyncSession,
    *,
    now: dt.datetime,
    offsets: Sequence[int] = DEFAULT_OFFSETS,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
) -> int:
    """One sweep: queue the reminders whose moment has come; returns how many were queued.

    Per milestone and member only the most recent offset goes (after downtime: once, late).
    Offsets already past when the milestone got its date, or the member joined, are skipped.
    """
    if not offsets:
        return 0
    due = await _milestones_in_window(session, now=now, horizon=max(offsets))
    members = await _members_by_agency(session, {a for _, agencies in due for a in agencies})
    planned: list[tuple[str, _Due, int, dt.datetime, Member]] = []
    for milestone, agencies in due:
        seen: set[int] = set()
        for member in (m for agency in agencies for m in members.get(agency, [])):
            if member.id in seen:
                continue
            seen.add(member.id)
            latest = _latest_due_offset(
                milestone,
                offsets,
                now=now,
                since=max(milestone.placed_at, member.created_at),
                quiet_end=quiet_end,
            )
            if latest is not None:
                offset, moment = latest
                key = reminder_key(milestone.milestone_id, milestone.on_date, offset, member.id)
                planned.append((key, milestone, offset, moment, member))
    existing = await existing_keys(session, [p[0] for p in planned])
    queued = 0
    for key, milestone, offset, moment, member in planned:
        if key in existing:
            continue
        hours = {"quiet_start": quiet_start, "quiet_end": quiet_end}
        send_at = next_send_time(moment, timezone=milestone.timezone, **hours)
        # After downtime at night, the catch-up still waits for the morning.
        earliest = next_send_time(now, timezone=milestone.timezone, **hours)
        await cancel_superseded(
            session,
            kind=REMINDER_KIND,
            key_prefix=f"{REMINDER_KIND}:{milestone.milestone_id}:",
            member_id=member.id,
            keep=key,
        )
        queued += await enqueue(
            session,
            key=key,
            kind=REMINDER_KIND,
            chat_id=member.telegram_id,
            member_id=member.id,
            payload={
                "milestone_id": milestone.milestone_id,
                "task_id": milestone.task_id,
                "on_date": milestone.on_date.isoformat(),
                "offset": offset,
            },
            now=now,
            not_before=max(send_at, earliest),
            late=send_at < now - LATE_AFTER,
        )
    await session.commit()
    return queued


async def reminder_message(
    session: AsyncSession, *, milestone_id: int, on_date: dt.date, now: dt.datetime
) -> ReminderView | None:
    """What a queued reminder says; None when the milestone moved, went or its task is not open."""
    row = (
        await session.execute(
            select(Milestone, Task, Plan.code, Plan.timezone)
            .join(Task, Task.id == Milestone.task_id)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Milestone.id == milestone_id)
        )
    ).first()
    if row is None:
        return None
    milestone, task, plan_code, timezone = row
    stale = milestone.on_date != on_date or milestone.cancelled_at is not None
    if stale or task.removed_at is not None or task.state is not TaskState.OPEN:
        return None
    return ReminderView(
        task_id=task.id,
        plan_code=plan_code,
        task_number=task.number,
        task_text=task.text,
        kind=milestone.kind.value,
        label=milestone.label,
        on_date=milestone.on_date,
        holiday=not is_working_day(milestone.on_date),
        days_left=(milestone.on_date - local_today(now, timezone)).days,
    )

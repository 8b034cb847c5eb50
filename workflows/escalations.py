"""Overdue milestones: a nudge each working day to the lead agency, then escalation upwards.

Rules (the team's calls):
- Overdue: a live OPEN task's non-cancelled due or custom milestone dated before today (plan's
  timezone). Checkpoints are not chased: they only get deadline reminders.
- Nudges go to the lead agencies' active reachable liaisons (their deputies when an agency has no
  liaison); with no lead on the task, to every assigned agency. One per working day after the
  date, at the working morning; the key carries the milestone, its date and the working day, so a
  moved date starts afresh and a done or closed task (or a cancelled milestone) stops them.
  A liaison who registers (or a date moved into the past) gets that day's nudge at once.
- Escalation when the milestone is N working days overdue: to the lead agencies' deputies on day
  N, then to every active coordinator on day N+1 (day N when there is no deputy); once each.
- Catch-up after downtime: only the newest missed nudge per milestone and member is queued (older
  unsent ones are cancelled), marked late when its moment passed while the bot was away.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState, MemberRole, MilestoneKind, Role, TaskState
from db.models import Agency, Assignment, Delivery, Member, Milestone, Plan, Task
from workflows.access import plan_limits, supervises
from workflows.holiday_calendar import load_calendar
from workflows.lights import DEFAULT_CHECKIN_DAYS
from workflows.milestones import live_milestones
from workflows.outbox.marks import Mark, bearings, save_mark, still_quiet
from workflows.outbox.queue import (
    cancel_superseded_ids,
    enqueue_many,
    existing_keys,
)
from workflows.status import latest_reports, local_today
from workflows.workdays import QUIET_END, QUIET_START, WorkingCalendar

NUDGE_KIND = "overdue_nudge"
ESCALATION_KIND = "overdue_escalation"
DEPUTY, COORDINATORS = "deputy", "coordinators"
DEFAULT_ESCALATE_AFTER = 3
CHASED_KINDS = (MilestoneKind.DUE, MilestoneKind.CUSTOM)
# A message decided this long after its moment (downtime) is marked late.
LATE_AFTER = dt.timedelta(hours=1)
MILESTONES_AT_ONCE = 500


@dataclass(frozen=True)
class Unit:
    """An agency on a task, with its role."""

    agency: str
    role: str
    agency_en: str | None = None


@dataclass(frozen=True)
class OverdueView:
    """What an overdue nudge or escalation says, read when it is sent."""

    task_id: int
    plan_code: str
    task_number: int
    task_text: str
    kind: str
    label: str
    on_date: dt.date
    days_overdue: int
    working_days_overdue: int
    units: tuple[Unit, ...]
    silent: tuple[Unit, ...]  # units not heard from since the date minus a check-in cycle


@dataclass(frozen=True)
class _Overdue:
    """An overdue milestone with its plan's timezone and when it got its date."""

    milestone_id: int
    task_id: int
    on_date: dt.date
    timezone: str
    placed_at: dt.datetime


@dataclass(frozen=True)
class _Hours:
    """The quiet hours and the working-day calendar a sweep works with."""

    start: dt.time
    end: dt.time
    calendar: WorkingCalendar
    # Many messages share a moment: the calendar is asked once per moment and timezone.
    _sends: dict[tuple[dt.datetime, str], dt.datetime] = field(default_factory=dict)

    def morning(self, day: dt.date, timezone: str) -> dt.datetime:
        """The working-morning moment of a day in a timezone, as UTC."""
        zone = zoneinfo.ZoneInfo(timezone)
        return dt.datetime.combine(day, self.end, tzinfo=zone).astimezone(dt.UTC)

    def send_time(self, moment: dt.datetime, timezone: str) -> dt.datetime:
        """When a message decided for `moment` may go out."""
        if (moment, timezone) not in self._sends:
            self._sends[moment, timezone] = self.calendar.next_send_time(
                moment, timezone=timezone, quiet_start=self.start, quiet_end=self.end
            )
        return self._sends[moment, timezone]


def nudge_key(milestone_id: int, on_date: dt.date, day: dt.date, member_id: int) -> str:
    """The key of one working day's nudge to one member."""
    return f"{NUDGE_KIND}:{milestone_id}:{on_date.isoformat()}:{day.isoformat()}:{member_id}"


def escalation_key(milestone_id: int, on_date: dt.date, audience: str, member_id: int) -> str:
    """The key of the escalation of a milestone's date to one member of an audience."""
    return f"{ESCALATION_KIND}:{milestone_id}:{on_date.isoformat()}:{audience}:{member_id}"


async def _overdue_milestones(session: AsyncSession, *, now: dt.datetime) -> list[_Overdue]:
    """Live open tasks' chased milestones dated before today in their plan's timezone."""
    utc_today = now.astimezone(dt.UTC).date()
    rows = await session.execute(
        live_milestones(*CHASED_KINDS).where(Milestone.on_date <= utc_today + dt.timedelta(days=1))
    )
    return [
        _Overdue(milestone_id, task_id, on_date, timezone, placed_at)
        for milestone_id, task_id, on_date, placed_at, timezone in rows
        if on_date < local_today(now, timezone)
    ]


async def _lead_agencies(session: AsyncSession, task_ids: set[int]) -> dict[int, list[int]]:
    """Each task's lead agencies (every assigned agency when it has no lead)."""
    leads: dict[int, list[int]] = defaultdict(list)
    everyone: dict[int, list[int]] = defaultdict(list)
    rows = await session.execute(
        select(Assignment.task_id, Assignment.agency_id, Assignment.role)
        .where(Assignment.task_id.in_(task_ids))
        .order_by(Assignment.task_id, Assignment.position)
    )
    for task_id, agency_id, role in rows:
        everyone[task_id].append(agency_id)
        if role is Role.LEAD:
            leads[task_id].append(agency_id)
    return {task_id: leads.get(task_id) or agencies for task_id, agencies in everyone.items()}


@dataclass(frozen=True)
class _Person:
    """A member who may be nudged or escalated to (plain columns: ORM rows cost more)."""

    id: int
    telegram_id: int
    created_at: dt.datetime
    agency_id: int | None
    role: MemberRole


async def _active_members(session: AsyncSession, agency_ids: set[int]) -> list[_Person]:
    """Active reachable members of the agencies and every active reachable coordinator."""
    return [
        _Person(*row)
        for row in await session.execute(
            select(Member.id, Member.telegram_id, Member.created_at, Member.agency_id, Member.role)
            .where(
                Member.left_at.is_(None),
                Member.reachable.is_(True),
                (Member.role == MemberRole.COORDINATOR) | Member.agency_id.in_(agency_ids),
            )
            .order_by(Member.id)
        )
    ]


def _latest_nudge_day(item: _Overdue, *, now: dt.datetime, hours: _Hours) -> dt.date | None:
    """The newest working day after the date whose morning has come, if any."""
    today = local_today(now, item.timezone)
    day = today
    if not hours.calendar.is_working_day(today) or hours.morning(today, item.timezone) > now:
        day = hours.calendar.add_working_days(today, -1)
    return day if day > item.on_date else None


@dataclass(frozen=True)
class _Planned:
    """One message a sweep decided to queue."""

    key: str
    kind: str
    item: _Overdue
    member: _Person
    moment: dt.datetime
    payload: dict[str, object]


def _plan_item(
    item: _Overdue,
    leads: list[int],
    agency_members: dict[int, list[_Person]],
    coordinators: list[_Person],
    *,
    now: dt.datetime,
    escalate_after: int,
    hours: _Hours,
) -> list[_Planned]:
    """The nudges and escalations of one overdue milestone whose moment has come."""
    planned: list[_Planned] = []
    base: dict[str, object] = {
        "milestone_id": item.milestone_id,
        "task_id": item.task_id,
        "on_date": item.on_date.isoformat(),
    }
    day = _latest_nudge_day(item, now=now, hours=hours)
    if day is not None:
        moment = hours.morning(day, item.timezone)
        for agency in leads:
            members = agency_members.get(agency, [])
            liaisons = [m for m in members if m.role is MemberRole.LIAISON]
            for member in liaisons or [m for m in members if m.role is MemberRole.DEPUTY]:
                key = nudge_key(item.milestone_id, item.on_date, day, member.id)
                payload = {**base, "day": day.isoformat()}
                planned.append(_Planned(key, NUDGE_KIND, item, member, moment, payload))
    deputies = [m for a in leads for m in agency_members.get(a, []) if m.role is MemberRole.DEPUTY]
    first = hours.calendar.add_working_days(item.on_date, escalate_after)
    steps = [(DEPUTY, first, deputies), (COORDINATORS, first, coordinators)]
    if deputies:
        second = hours.calendar.add_working_days(item.on_date, escalate_after + 1)
        steps[1] = (COORDINATORS, second, coordinators)
    for audience, on_day, recipients in steps:
        moment = hours.morning(on_day, item.timezone)
        if moment > now:
            continue
        for member in recipients:
            key = escalation_key(item.milestone_id, item.on_date, audience, member.id)
            payload = {**base, "audience": audience}
            planned.append(_Planned(key, ESCALATION_KIND, item, member, moment, payload))
    return planned


async def plan_overdue_messages(
    session: AsyncSession,
    *,
    now: dt.datetime,
    escalate_after: int = DEFAULT_ESCALATE_AFTER,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
) -> int:
    """One sweep: queue the overdue nudges and escalations whose moment has come; how many.

    Every moment of a nudge or an escalation is a working morning; a sweep after which no
    morning came and no data changed has nothing new to decide, and reads only its watermark.
    """
    found = await bearings(session, NUDGE_KIND)
    if still_quiet(found, now=now, quiet_end=quiet_end):
        await session.commit()
        return 0
    queued = await _plan_overdue(
        session,
        now=now,
        escalate_after=escalate_after,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )
    version = -1 if found.version is None else found.version
    await save_mark(session, NUDGE_KIND, Mark(now, version))
    await session.commit()
    return queued


async def _plan_overdue(
    session: AsyncSession,
    *,
    now: dt.datetime,
    escalate_after: int,
    quiet_start: dt.time,
    quiet_end: dt.time,
) -> int:
    """Decide every nudge and escalation due now (the caller commits); how many were queued."""
    overdue = await _overdue_milestones(session, now=now)
    if not overdue:
        return 0
    hours = _Hours(quiet_start, quiet_end, await load_calendar(session))
    leads = await _lead_agencies(session, {o.task_id for o in overdue})
    members = await _active_members(session, {a for agencies in leads.values() for a in agencies})
    coordinators = [m for m in members if m.role is MemberRole.COORDINATOR]
    limits = await plan_limits(session)  # a limited coordinator hears of their plans only
    overdue_tasks = select(Task.id, Task.plan_id).where(Task.id.in_({o.task_id for o in overdue}))
    plan_of: dict[int, int] = {task: plan for task, plan in await session.execute(overdue_tasks)}
    agency_members: dict[int, list[_Person]] = defaultdict(list)
    for member in members:
        if member.agency_id is not None and member.role is not MemberRole.COORDINATOR:
            agency_members[member.agency_id].append(member)
    pending = await _pending_nudges(session)
    queued = 0
    # A few hundred milestones at a time: what is held at once stays small however many.
    for start in range(0, len(overdue), MILESTONES_AT_ONCE):
        planned = [
            p
            for item in overdue[start : start + MILESTONES_AT_ONCE]
            for p in _plan_item(
                item,
                leads.get(item.task_id, []),
                agency_members,
                [c for c in coordinators if supervises(limits, c.id, plan_of[item.task_id])],
                now=now,
                escalate_after=escalate_after,
                hours=hours,
            )
        ]
        queued += await _queue(session, planned, pending, now=now, hours=hours)
    return queued


async def _queue(
    session: AsyncSession,
    planned: list[_Planned],
    pending: dict[tuple[int, int], list[tuple[int, str]]],
    *,
    now: dt.datetime,
    hours: _Hours,
) -> int:
    """Queue the planned messages not decided before, cancelling the nudges they replace."""
    existing = await existing_keys(session, [p.key for p in planned])
    planned = [p for p in planned if p.key not in existing]
    if not planned:
        return 0
    await _cancel_superseded_nudges(session, [p for p in planned if p.kind == NUDGE_KIND], pending)
    rows: list[dict[str, Any]] = []
    for p in planned:
        since = max(p.item.placed_at, p.member.created_at)
        rows.append(
            {
                "idempotency_key": p.key,
                "kind": p.kind,
                "chat_id": p.member.telegram_id,
                "member_id": p.member.id,
                "payload": dict(p.payload),
                "state": DeliveryState.PENDING,
                "attempts": 0,
                # After downtime at night, the catch-up still waits for the morning.
                "next_attempt_at": max(
                    hours.send_time(p.moment, p.item.timezone),
                    hours.send_time(now, p.item.timezone),
                ),
                # Late only when the bot missed it, not when the member or the date came after.
                "late": since <= p.moment < now - LATE_AFTER,
                "created_at": now,
            }
        )
    return await enqueue_many(session, rows)


async def _pending_nudges(session: AsyncSession) -> dict[tuple[int, int], list[tuple[int, str]]]:
    """Unsent nudges by milestone and member: (delivery, key) pairs, read once a sweep."""
    pending: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    rows = await session.execute(
        select(Delivery.id, Delivery.idempotency_key, Delivery.member_id).where(
            Delivery.state == DeliveryState.PENDING, Delivery.kind == NUDGE_KIND
        )
    )
    for delivery_id, key, member_id in rows:
        if member_id is not None:
            pending[int(key.split(":", 2)[1]), member_id].append((delivery_id, key))
    return pending


async def _cancel_superseded_nudges(
    session: AsyncSession,
    planned: Sequence[_Planned],
    pending: dict[tuple[int, int], list[tuple[int, str]]],
) -> None:
    """Cancel members' unsent nudges of the same milestones that the planned ones replace."""
    keep = {p.key for p in planned}
    stale = sorted(
        {
            delivery_id
            for p in planned
            for delivery_id, key in pending.get((p.item.milestone_id, p.member.id), [])
            if key not in keep
        }
    )
    await cancel_superseded_ids(session, stale)


async def overdue_message(
    session: AsyncSession,
    *,
    milestone_id: int,
    on_date: dt.date,
    now: dt.datetime,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> OverdueView | None:
    """What an overdue message says; None once the date moved, the milestone went or the task
    is no longer open.

    Silent units: assigned agencies that never reported, or whose latest report is older than
    the milestone's date minus one check-in cycle.
    """
    row = (
        await session.execute(
            select(Milestone, Task, Plan.code, Plan.timezone)
            .join(Task, Task.id == Milestone.task_id)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Milestone.id == milestone_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None:
        return None
    milestone, task, plan_code, timezone = row
    stale = milestone.on_date != on_date or milestone.cancelled_at is not None
    if stale or task.removed_at is not None or task.state is not TaskState.OPEN:
        return None
    units = (
        await session.execute(
            select(Agency.name, Assignment.role, Agency.name_en)
            .join(Assignment, Assignment.agency_id == Agency.id)
            .where(Assignment.task_id == task.id)
            .order_by(Assignment.position)
        )
    ).all()
    reports = (await latest_reports(session, [task.id])).get(task.id, [])
    zone = zoneinfo.ZoneInfo(timezone)
    cutoff = on_date - dt.timedelta(days=checkin_days)
    recent = {r.agency for r in reports if r.reported_at.astimezone(zone).date() >= cutoff}
    today = local_today(now, timezone)
    calendar = await load_calendar(session, between=(on_date, today))
    everyone = [Unit(name, str(role), name_en) for name, role, name_en in units]
    return OverdueView(
        task_id=task.id,
        plan_code=plan_code,
        task_number=task.number,
        task_text=task.text,
        kind=milestone.kind.value,
        label=milestone.label,
        on_date=on_date,
        days_overdue=(today - on_date).days,
        working_days_overdue=calendar.working_days_between(on_date, today),
        units=tuple(everyone),
        silent=tuple(unit for unit in everyone if unit.agency not in recent),
    )

"""Unacknowledged assignments: a reminder to the agency, then escalation to the coordinators.

Rules (the team's calls):
- Pending: an assignment with no 签收 (acknowledged_at NULL) on a live OPEN task.
- Reminder: to each active reachable liaison or deputy of the agency, R working days (same time
  of day, then the next working morning) after the later of the assignment and that member's
  registration, since a member who registers later gets the notice then. Grouped per member,
  each assignment once per member.
- Escalation: to every active reachable coordinator, E working days after the later of the
  assignment and the agency's first registration (an agency nobody registered for cannot sign,
  and is not escalated). One message per agency listing its tasks; each assignment escalated
  once (a coordinator who joins later does not get old escalations).
- After downtime everything due goes once, marked late.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole, TaskState
from db.models import Agency, Assignment, Delivery, Member, Plan, Task
from workflows.access import plan_limits, supervises
from workflows.holiday_calendar import load_calendar
from workflows.live import live_task
from workflows.outbox.queue import enqueue
from workflows.workdays import QUIET_END, QUIET_START, WorkingCalendar

ACK_REMINDER_KIND = "ack_reminder"
ACK_ESCALATION_KIND = "ack_escalation"
DEFAULT_REMINDER_DAYS = 2
DEFAULT_ESCALATION_DAYS = 5
AGENCY_ROLES = (MemberRole.LIAISON, MemberRole.DEPUTY)
TASKS_PER_MESSAGE = 10
# A liaison's reminder names every unsigned task in one message (numbers only past ten) with one
# 全部签收 button, instead of a message of ten for each ten.
TASKS_PER_REMINDER = 200
LATE_AFTER = dt.timedelta(hours=1)


@dataclass(frozen=True)
class PendingTask:
    """An unacknowledged assignment as an escalation lists it."""

    assignment_id: int
    task_id: int
    plan_code: str
    task_number: int
    task_text: str
    role: str


@dataclass(frozen=True)
class AckEscalationView:
    """An agency's assignments still not signed for."""

    agency: str
    tasks: tuple[PendingTask, ...]
    agency_en: str | None = None


@dataclass(frozen=True)
class _Pending:
    """An unacknowledged assignment with its agency, creation and plan timezone."""

    assignment_id: int
    agency_id: int
    created_at: dt.datetime
    timezone: str
    plan_id: int


def after_working_days(
    start: dt.datetime, days: int, timezone: str, calendar: WorkingCalendar
) -> dt.datetime:
    """The same local time `days` working days after `start` (UTC)."""
    local = start.astimezone(zoneinfo.ZoneInfo(timezone))
    day = calendar.add_working_days(local.date(), days)
    return dt.datetime.combine(day, local.timetz()).astimezone(dt.UTC)


async def _pending(session: AsyncSession) -> list[_Pending]:
    """Unacknowledged assignments of live open tasks, in plan and task order."""
    rows = await session.execute(
        select(Assignment.id, Assignment.agency_id, Assignment.created_at, Plan.timezone, Plan.id)
        .join(Task, Task.id == Assignment.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(
            Assignment.acknowledged_at.is_(None),
            live_task(),
            Task.state == TaskState.OPEN,
        )
        .order_by(Plan.code, Task.number, Assignment.id)
    )
    return [_Pending(*row) for row in rows]


async def _already(
    session: AsyncSession, kind: str, *, since: dt.datetime
) -> set[tuple[int | None, int]]:
    """(member, assignment) pairs already decided in messages of a kind since a moment.

    No message about an assignment was decided before it was made, so `since` (the oldest
    pending assignment) bounds what is read through the (kind, created_at) index.
    """
    rows = await session.execute(
        select(Delivery.member_id, Delivery.payload).where(
            Delivery.kind == kind, Delivery.created_at >= since
        )
    )
    return {(member, int(a)) for member, payload in rows for a in payload.get("assignments", [])}


async def plan_acknowledgement_messages(
    session: AsyncSession,
    *,
    now: dt.datetime,
    reminder_days: int = DEFAULT_REMINDER_DAYS,
    escalation_days: int = DEFAULT_ESCALATION_DAYS,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
) -> int:
    """One sweep: queue due reminders and escalations of unsigned assignments; how many."""
    pending = await _pending(session)
    if not pending:
        await session.commit()
        return 0
    members = list(
        await session.scalars(
            select(Member)
            .where(
                Member.left_at.is_(None),
                (Member.role == MemberRole.COORDINATOR)
                | Member.agency_id.in_({p.agency_id for p in pending}),
            )
            .order_by(Member.id)
        )
    )
    first_registered: dict[int, dt.datetime] = {}
    by_agency: dict[int, list[Member]] = defaultdict(list)
    for member in members:
        if member.role in AGENCY_ROLES and member.agency_id is not None:
            first = first_registered.get(member.agency_id, member.created_at)
            first_registered[member.agency_id] = min(first, member.created_at)
            if member.reachable:
                by_agency[member.agency_id].append(member)
    coordinators = [m for m in members if m.role is MemberRole.COORDINATOR and m.reachable]
    calendar = await load_calendar(session)

    def send(moment: dt.datetime, timezone: str) -> dt.datetime:
        """When a message due at `moment` may go: in working hours, never before now."""
        return max(
            calendar.next_send_time(
                t, timezone=timezone, quiet_start=quiet_start, quiet_end=quiet_end
            )
            for t in (moment, now)
        )

    queued = 0
    oldest = min(p.created_at for p in pending)
    reminded = await _already(session, ACK_REMINDER_KIND, since=oldest)
    for agency_id, agency_members in by_agency.items():
        for member in agency_members:
            due: list[tuple[_Pending, dt.datetime]] = []
            for p in pending:
                if p.agency_id != agency_id or (member.id, p.assignment_id) in reminded:
                    continue
                start = max(p.created_at, member.created_at)
                moment = after_working_days(start, reminder_days, p.timezone, calendar)
                if moment <= now:
                    due.append((p, moment))
            queued += await _queue(
                session,
                ACK_REMINDER_KIND,
                member,
                due,
                now=now,
                send=send,
                key_part=member.id,
                per_message=TASKS_PER_REMINDER,
            )
    escalated = {a for _, a in await _already(session, ACK_ESCALATION_KIND, since=oldest)}
    grouped: dict[int, list[tuple[_Pending, dt.datetime]]] = defaultdict(list)
    for p in pending:
        if p.assignment_id in escalated or p.agency_id not in first_registered:
            continue
        start = max(p.created_at, first_registered[p.agency_id])
        moment = after_working_days(start, escalation_days, p.timezone, calendar)
        if moment <= now:
            grouped[p.agency_id].append((p, moment))
    limits = await plan_limits(session)  # a limited coordinator hears of their plans only
    for agency_id, due in grouped.items():
        for coordinator in coordinators:
            theirs = [d for d in due if supervises(limits, coordinator.id, d[0].plan_id)]
            if not theirs:
                continue
            queued += await _queue(
                session,
                ACK_ESCALATION_KIND,
                coordinator,
                theirs,
                now=now,
                send=send,
                key_part=f"{agency_id}:{coordinator.id}",
                extra={"agency_id": agency_id},
            )
    await session.commit()
    return queued


async def _queue(
    session: AsyncSession,
    kind: str,
    member: Member,
    due: list[tuple[_Pending, dt.datetime]],
    *,
    now: dt.datetime,
    send: Callable[[dt.datetime, str], dt.datetime],
    key_part: object,
    extra: dict[str, int] | None = None,
    per_message: int = TASKS_PER_MESSAGE,
) -> int:
    """Queue grouped messages of due assignments to one member; how many."""
    queued = 0
    for start in range(0, len(due), per_message):
        chunk = due[start : start + per_message]
        first = chunk[0][0]
        newest = max(moment for _, moment in chunk)
        queued += await enqueue(
            session,
            key=f"{kind}:{key_part}:{first.assignment_id}",
            kind=kind,
            chat_id=member.telegram_id,
            member_id=member.id,
            payload={"assignments": [p.assignment_id for p, _ in chunk], **(extra or {})},
            now=now,
            not_before=max(send(m, p.timezone) for p, m in chunk),
            late=newest < now - LATE_AFTER,
        )
    return queued


async def ack_escalation_message(
    session: AsyncSession, *, agency_id: int, assignment_ids: list[int]
) -> AckEscalationView | None:
    """The escalated assignments still unsigned on live open tasks; None when none are left."""
    agency = await session.get(Agency, agency_id)
    if agency is None or not assignment_ids:
        return None
    rows = await session.execute(
        select(Assignment.id, Assignment.role, Task.id, Task.number, Task.text, Plan.code)
        .join(Task, Task.id == Assignment.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(
            Assignment.id.in_(assignment_ids),
            Assignment.acknowledged_at.is_(None),
            live_task(),
            Task.state == TaskState.OPEN,
        )
        .order_by(Plan.code, Task.number)
        .execution_options(populate_existing=True)
    )
    tasks = tuple(
        PendingTask(assignment_id, task_id, code, number, text, str(role))
        for assignment_id, role, task_id, number, text, code in rows
    )
    return AckEscalationView(agency.name, tasks, agency.name_en) if tasks else None

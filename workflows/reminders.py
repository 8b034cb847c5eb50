"""Deadline reminders: deciding, sweep by sweep, who is reminded of which milestone when."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState, MemberRole, MilestoneKind, TaskState
from db.models import Assignment, Delivery, Member, Milestone, Plan, Task
from workflows.checkpoints import extend_recurring_checkpoints
from workflows.holiday_calendar import load_calendar
from workflows.milestones import live_milestones
from workflows.outbox.marks import Mark, bearings, data_version, save_mark
from workflows.outbox.queue import (
    KEY_CHUNK,
    cancel_superseded_ids,
    enqueue_many,
    existing_keys,
)
from workflows.status import local_today
from workflows.workdays import QUIET_END, QUIET_START

REMINDER_KIND = "deadline_reminder"
DEFAULT_OFFSETS = (30, 7, 1, 0)
AGENCY_ROLES = (MemberRole.LIAISON, MemberRole.DEPUTY)
REMINDED_KINDS = (MilestoneKind.DUE, MilestoneKind.CHECKPOINT, MilestoneKind.CUSTOM)
# A reminder decided this long after its moment (downtime) is marked late.
LATE_AFTER = dt.timedelta(hours=1)
# Past this many tasks changed since the last sweep, it reads every milestone near now.
CHANGED_TASKS = 500


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
    """A remindable milestone in the window, with its plan's timezone and when it got its date.

    `since`: what the sweeps before decided for it, through that moment (None: nothing known).
    """

    milestone_id: int
    task_id: int
    on_date: dt.date
    timezone: str
    placed_at: dt.datetime
    since: dt.datetime | None = None


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


def _moment_dates(
    timezones: Sequence[str],
    offsets: Sequence[int],
    *,
    since: dt.datetime,
    now: dt.datetime,
    quiet_end: dt.time,
) -> dict[str, set[dt.date]]:
    """Per plan timezone, the milestone dates with a reminder moment after `since`, up to now."""
    # Moments older than the widest offset (and a day) cannot be a reminder's any more.
    start = max(since, now - dt.timedelta(days=max(offsets) + 3))
    dates: dict[str, set[dt.date]] = {}
    for timezone in timezones:
        zone = zoneinfo.ZoneInfo(timezone)
        day, last = start.astimezone(zone).date(), now.astimezone(zone).date()
        while day <= last:
            moment = dt.datetime.combine(day, quiet_end, tzinfo=zone).astimezone(dt.UTC)
            if since < moment <= now:
                dates.setdefault(timezone, set()).update(
                    day + dt.timedelta(days=offset) for offset in offsets
                )
            day += dt.timedelta(days=1)
    return dates


def _changed_tasks(since: dt.datetime) -> CompoundSelect[tuple[int]]:
    """Tasks changed, newly assigned, or in plans changed since a moment (through indexes)."""
    return union(
        select(Task.id).where(Task.updated_at > since),
        select(Assignment.task_id).where(Assignment.created_at > since),
        select(Task.id).where(Task.plan_id.in_(select(Plan.id).where(Plan.updated_at > since))),
    )


async def _milestones_in_window(
    session: AsyncSession,
    *,
    now: dt.datetime,
    horizon: int,
    since: dt.datetime | None,
    dates: dict[str, set[dt.date]],
    changed: bool,
) -> list[tuple[_Due, list[int]]]:
    """Live open tasks' remindable milestones near now, each with its lead and co agencies.

    With a watermark, only those with a reminder moment after it are read, and, when the data
    changed since, those of the tasks that changed; without one, every milestone near now.
    """
    utc_today = now.astimezone(dt.UTC).date()
    # One day of slack each side covers every plan timezone; each plan's today is checked after.
    near = live_milestones(*REMINDED_KINDS).where(
        Milestone.on_date >= utc_today - dt.timedelta(days=2),
        Milestone.on_date <= utc_today + dt.timedelta(days=horizon + 1),
    )
    queries: list[tuple[Select[int, int, dt.date, dt.datetime, str], dt.datetime | None]] = []
    if since is None:
        queries.append((near, None))
    else:
        wanted = {day for days in dates.values() for day in days}
        if wanted:
            queries.append(
                (
                    near.where(
                        Milestone.on_date.in_(sorted(wanted)), Plan.timezone.in_(sorted(dates))
                    ),
                    since,
                )
            )
        if changed:
            tasks = list(await session.scalars(_changed_tasks(since).limit(CHANGED_TASKS + 1)))
            if len(tasks) > CHANGED_TASKS:  # a whole import: reading the window costs less
                queries.append((near, None))
            elif tasks:
                queries.append((near.where(Milestone.task_id.in_(tasks)), None))
    found: dict[int, _Due] = {}
    for query, known in queries:
        for milestone_id, task_id, on_date, updated_at, timezone in await session.execute(query):
            today = local_today(now, timezone)
            if not today - dt.timedelta(days=1) <= on_date <= today + dt.timedelta(days=horizon):
                continue
            if known is not None and on_date not in dates.get(timezone, ()):
                continue
            due = _Due(milestone_id, task_id, on_date, timezone, updated_at, known)
            if known is None or milestone_id not in found:
                found[milestone_id] = due
    if not found:
        return []
    due_list = sorted(found.values(), key=lambda d: (d.on_date, d.milestone_id))
    agencies: dict[int, list[int]] = defaultdict(list)
    assignments = await session.execute(
        select(Assignment.task_id, Assignment.agency_id)
        .where(Assignment.task_id.in_({d.task_id for d in due_list}))
        .order_by(Assignment.position)
    )
    for task_id, agency_id in assignments:
        agencies[task_id].append(agency_id)
    return [(d, agencies[d.task_id]) for d in due_list]


@dataclass(frozen=True)
class _Recipient:
    """A liaison or deputy who may be reminded (plain columns: loading ORM rows costs more)."""

    id: int
    telegram_id: int
    created_at: dt.datetime


async def _members_by_agency(
    session: AsyncSession, agency_ids: set[int]
) -> dict[int, list[_Recipient]]:
    """Active, reachable liaisons and deputies of the agencies."""
    by_agency: dict[int, list[_Recipient]] = defaultdict(list)
    rows = await session.execute(
        select(Member.id, Member.telegram_id, Member.created_at, Member.agency_id)
        .where(
            Member.agency_id.in_(agency_ids),
            Member.left_at.is_(None),
            Member.reachable.is_(True),
            Member.role.in_(AGENCY_ROLES),
        )
        .order_by(Member.id)
    )
    for member_id, telegram_id, created_at, agency_id in rows:
        assert agency_id is not None
        by_agency[agency_id].append(_Recipient(member_id, telegram_id, created_at))
    return by_agency


def _moments(
    due: _Due, offsets: Sequence[int], *, now: dt.datetime, quiet_end: dt.time
) -> list[tuple[int, dt.datetime]]:
    """A milestone's reminder moments that have come (placed after its date), newest first."""
    moments = [
        (offset, reminder_moment(due.on_date, offset, timezone=due.timezone, quiet_end=quiet_end))
        for offset in offsets
    ]
    return sorted(
        ((o, m) for o, m in moments if due.placed_at <= m <= now), key=lambda p: p[1], reverse=True
    )


def _latest_moment(
    moments: list[tuple[int, dt.datetime]], since: dt.datetime
) -> tuple[int, dt.datetime] | None:
    """The newest of the moments (newest first) that came after `since`."""
    for offset, moment in moments:
        if moment < since:
            return None
        return offset, moment
    return None


async def _cancel_superseded(
    session: AsyncSession, planned: Sequence[tuple[str, _Due, int, dt.datetime, _Recipient]]
) -> None:
    """Cancel members' unsent reminders of the same milestones that the planned ones replace."""
    replaced = {(p[1].milestone_id, p[4].id) for p in planned}
    keep = {p[0] for p in planned}
    member_ids = sorted({member_id for _, member_id in replaced})
    stale: list[int] = []
    for start in range(0, len(member_ids), KEY_CHUNK):
        rows = await session.execute(
            select(Delivery.id, Delivery.idempotency_key, Delivery.member_id).where(
                Delivery.kind == REMINDER_KIND,
                Delivery.state == DeliveryState.PENDING,
                Delivery.member_id.in_(member_ids[start : start + KEY_CHUNK]),
            )
        )
        for delivery_id, key, member_id in rows:
            milestone_id = int(key.split(":", 2)[1])
            if (milestone_id, member_id) in replaced and key not in keep:
                stale.append(delivery_id)
    await cancel_superseded_ids(session, stale)


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
    found = await bearings(session, REMINDER_KIND)
    mark = found.mark
    # A clock set back (a test, a restored backup) cannot trust what was planned "ahead".
    since = mark.through if mark is not None and mark.through <= now else None
    version, changed = found.version, found.changed
    same_day = (
        since is not None and since.astimezone(dt.UTC).date() == now.astimezone(dt.UTC).date()
    )
    # Open recurring tasks (每季度) get their next checkpoints, up to a horizon a day moves.
    if not same_day:
        await extend_recurring_checkpoints(session, now=now)
        # What it laid or cancelled is read below like any change.
        laid = await data_version(session)
        version, changed = laid, changed or laid is None or laid != version
    if not offsets:
        await _done(session, now, version)
        return 0
    dates: dict[str, set[dt.date]] = {}
    if since is not None:
        dates = _moment_dates(found.timezones, offsets, since=since, now=now, quiet_end=quiet_end)
        if not dates and not changed:
            # Nothing came and nothing changed: the watermark may stay (no write, no lock).
            if same_day:
                await session.commit()
            else:
                await _done(session, now, version)
            return 0
    # Only changed tasks are read (no moment came, no new day): if none has a milestone near
    # now, keeping the watermark is as if this sweep had not run, and spares a write and a
    # durable commit. The next sweep reads the same changed tasks again (two statements), until
    # a moment or a day moves the watermark. Had they milestones near now, the mark is written
    # even if nothing is queued, so that work is not repeated every sweep.
    only_changes = same_day and not dates
    due = await _milestones_in_window(
        session, now=now, horizon=max(offsets), since=since, dates=dates, changed=changed
    )
    if not due:
        await _done(session, now, version, keep=only_changes)
        return 0
    members = await _members_by_agency(session, {a for _, agencies in due for a in agencies})
    planned: list[tuple[str, _Due, int, dt.datetime, _Recipient]] = []
    for milestone, agencies in due:
        moments = _moments(milestone, offsets, now=now, quiet_end=quiet_end)
        if not moments:
            continue
        seen: set[int] = set()
        for member in (m for agency in agencies for m in members.get(agency, [])):
            if member.id in seen:
                continue
            seen.add(member.id)
            latest = _latest_moment(moments, member.created_at)
            # What came by the watermark was decided by the sweep that set it.
            if latest is not None and (milestone.since is None or latest[1] > milestone.since):
                offset, moment = latest
                key = reminder_key(milestone.milestone_id, milestone.on_date, offset, member.id)
                planned.append((key, milestone, offset, moment, member))
    existing = await existing_keys(session, [p[0] for p in planned])
    planned = [p for p in planned if p[0] not in existing]
    if not planned:
        await _done(session, now, version)
        return 0
    await _cancel_superseded(session, planned)
    calendar = await load_calendar(session)
    hours = {"quiet_start": quiet_start, "quiet_end": quiet_end}
    # Many reminders share a moment; the working-day calendar is asked once per moment.
    send_times: dict[tuple[dt.datetime, str], dt.datetime] = {}

    def send_time(moment: dt.datetime, timezone: str) -> dt.datetime:
        if (moment, timezone) not in send_times:
            send_times[moment, timezone] = calendar.next_send_time(
                moment, timezone=timezone, **hours
            )
        return send_times[moment, timezone]

    rows: list[dict[str, Any]] = []
    for key, milestone, offset, moment, member in planned:
        send_at = send_time(moment, milestone.timezone)
        # After downtime at night, the catch-up still waits for the morning.
        earliest = send_time(now, milestone.timezone)
        rows.append(
            {
                "idempotency_key": key,
                "kind": REMINDER_KIND,
                "chat_id": member.telegram_id,
                "member_id": member.id,
                "payload": {
                    "milestone_id": milestone.milestone_id,
                    "task_id": milestone.task_id,
                    "on_date": milestone.on_date.isoformat(),
                    "offset": offset,
                },
                "state": DeliveryState.PENDING,
                "attempts": 0,
                "next_attempt_at": max(send_at, earliest),
                "late": send_at < now - LATE_AFTER,
                "created_at": now,
            }
        )
    queued = await enqueue_many(session, rows)
    await _done(session, now, version)
    return queued


async def _done(
    session: AsyncSession, now: dt.datetime, version: int | None, *, keep: bool = False
) -> None:
    """Commit what the sweep decided together with its new watermark (or the old one: keep)."""
    if not keep:
        await save_mark(session, REMINDER_KIND, Mark(now, -1 if version is None else version))
    await session.commit()


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
    calendar = await load_calendar(session, between=(on_date, on_date))
    return ReminderView(
        task_id=task.id,
        plan_code=plan_code,
        task_number=task.number,
        task_text=task.text,
        kind=milestone.kind.value,
        label=milestone.label,
        on_date=milestone.on_date,
        holiday=not calendar.is_working_day(milestone.on_date),
        days_left=(milestone.on_date - local_today(now, timezone)).days,
    )

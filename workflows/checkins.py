"""Check-ins: every few days, asking each agency of an open task where its part stands."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState, MemberRole, TaskState
from db.models import Agency, Assignment, Delivery, Member, Plan, StatusReport, Task
from workflows.holiday_calendar import load_calendar
from workflows.live import live_task
from workflows.outbox.marks import Mark, bearings, save_mark, still_quiet
from workflows.outbox.queue import enqueue_many
from workflows.status import ReportView, latest_reports, local_today
from workflows.workdays import QUIET_END, QUIET_START, WorkingCalendar

PROMPT_KIND = "checkin_prompt"
FOLLOW_UP_KIND = "checkin_follow_up"
DEFAULT_EVERY_DAYS = 14
DEFAULT_FOLLOW_UP_WORKING_DAYS = 2
AGENCY_ROLES = (MemberRole.LIAISON, MemberRole.DEPUTY)
# A prompt decided this long after its moment (downtime) is marked late.
LATE_AFTER = dt.timedelta(hours=1)
KEY_CHUNK = 500
PARTS_AT_ONCE = 1000


@dataclass(frozen=True)
class CheckinView:
    """What a check-in prompt or follow-up says, read when it is sent."""

    task_id: int
    plan_code: str
    task_number: int
    task_text: str
    agency: str
    role: str
    timezone: str
    agency_en: str | None
    last_report: ReportView | None


@dataclass(frozen=True)
class SilentAgency:
    """An agency that has not reported on an open task for a while."""

    agency_id: int
    agency: str
    task_id: int
    plan_code: str
    task_number: int
    days_silent: int
    agency_en: str | None = None


@dataclass(frozen=True)
class _Part:
    """An agency's part of a live open task, with when its check-in cycles started counting."""

    task_id: int
    agency_id: int
    timezone: str
    anchor: dt.datetime


def prompt_key(task_id: int, agency_id: int, cycle: int, member_id: int) -> str:
    """The idempotency key of one cycle's prompt to one member."""
    return f"{PROMPT_KIND}:{task_id}:{agency_id}:{cycle}:{member_id}"


def follow_up_key(task_id: int, agency_id: int, cycle: int, member_id: int) -> str:
    """The idempotency key of one cycle's follow-up to one member."""
    return f"{prompt_key(task_id, agency_id, cycle, member_id)}:follow"


def _morning(day: dt.date, timezone: str, quiet_end: dt.time) -> dt.datetime:
    """The working-morning hour of a day in a plan's timezone, as UTC."""
    zone = zoneinfo.ZoneInfo(timezone)
    return dt.datetime.combine(day, quiet_end, tzinfo=zone).astimezone(dt.UTC)


def current_cycle(
    anchor: dt.datetime, *, now: dt.datetime, every_days: int, timezone: str, quiet_end: dt.time
) -> tuple[int, dt.datetime] | None:
    """The latest cycle (1, 2, …) whose prompt moment has come, with that moment; None before."""
    start = local_today(anchor, timezone)
    cycle = (local_today(now, timezone) - start).days // every_days
    moment = _morning(start + dt.timedelta(days=cycle * every_days), timezone, quiet_end)
    if moment > now:
        cycle -= 1
        moment = _morning(start + dt.timedelta(days=cycle * every_days), timezone, quiet_end)
    return (cycle, moment) if cycle >= 1 else None


async def _live_parts(session: AsyncSession, *, now: dt.datetime) -> list[_Part]:
    """Each assigned agency (not a unit group) of each live open task that has started."""
    rows = await session.execute(
        select(
            Task.id,
            Task.start_on,
            Task.created_at,
            Plan.timezone,
            Assignment.agency_id,
            Assignment.created_at,
        )
        .join(Plan, Plan.id == Task.plan_id)
        .join(Assignment, Assignment.task_id == Task.id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(
            live_task(),
            Task.state == TaskState.OPEN,
            Agency.is_group.is_(False),
        )
        .order_by(Task.id, Assignment.position)
    )
    parts: list[_Part] = []
    for task_id, start_on, created_at, timezone, agency_id, assigned_at in rows:
        anchor = max(created_at, assigned_at)
        if start_on is not None:
            anchor = max(anchor, _morning(start_on, timezone, QUIET_END))
        if anchor <= now:
            parts.append(_Part(task_id, agency_id, timezone, anchor))
    return parts


async def _last_reported(session: AsyncSession) -> dict[tuple[int, int], dt.datetime]:
    """When each agency last reported on each live open task."""
    rows = await session.execute(
        select(StatusReport.task_id, StatusReport.agency_id, func.max(StatusReport.reported_at))
        .join(Task, Task.id == StatusReport.task_id)
        .where(live_task(), Task.state == TaskState.OPEN)
        .group_by(StatusReport.task_id, StatusReport.agency_id)
    )
    return {(task_id, agency_id): at for task_id, agency_id, at in rows}


@dataclass(frozen=True)
class _Person:
    """A liaison or deputy who may be asked (plain columns: ORM rows cost more)."""

    id: int
    telegram_id: int
    created_at: dt.datetime


@dataclass(frozen=True)
class _Decided:
    """What the outbox holds under a key: its state and when it went."""

    state: DeliveryState
    sent_at: dt.datetime | None


async def _members_by_agency(
    session: AsyncSession, agency_ids: set[int]
) -> dict[int, list[_Person]]:
    """Active, reachable liaisons and deputies of the agencies."""
    by_agency: dict[int, list[_Person]] = defaultdict(list)
    if not agency_ids:
        return by_agency
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
        by_agency[agency_id].append(_Person(member_id, telegram_id, created_at))
    return by_agency


async def _deliveries(session: AsyncSession, keys: Sequence[str]) -> dict[str, _Decided]:
    """The deliveries already decided under these keys."""
    found: dict[str, _Decided] = {}
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = list(keys[start : start + KEY_CHUNK])
        rows = await session.execute(
            select(Delivery.idempotency_key, Delivery.state, Delivery.sent_at).where(
                Delivery.idempotency_key.in_(chunk)
            )
        )
        found.update((key, _Decided(state, sent_at)) for key, state, sent_at in rows)
    return found


def _follow_up_moment(
    prompt: _Decided,
    *,
    working_days: int,
    timezone: str,
    quiet_end: dt.time,
    calendar: WorkingCalendar,
) -> dt.datetime | None:
    """The working morning `working_days` after a prompt went out; None if it has not gone."""
    if prompt.state is not DeliveryState.SENT or prompt.sent_at is None:
        return None
    day = calendar.add_working_days(local_today(prompt.sent_at, timezone), working_days)
    return _morning(day, timezone, quiet_end)


async def plan_checkins(
    session: AsyncSession,
    *,
    now: dt.datetime,
    every_days: int = DEFAULT_EVERY_DAYS,
    follow_up_working_days: int = DEFAULT_FOLLOW_UP_WORKING_DAYS,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
) -> int:
    """One sweep: queue this cycle's prompts and due follow-ups; returns how many were queued.

    An agency that reported in the `every_days` before a prompt's moment is not asked. Only the
    current cycle is ever caught up after downtime (once, late); follow-ups go to those who got
    the prompt, when their agency still has not reported.
    """
    found = await bearings(session, PROMPT_KIND)
    if still_quiet(found, now=now, quiet_end=quiet_end):
        await session.commit()
        return 0
    parts = await _live_parts(session, now=now)
    members = await _members_by_agency(session, {p.agency_id for p in parts})
    reported = await _last_reported(session)
    calendar = await load_calendar(session)
    queued = 0
    # A thousand parts at a time: what is held at once stays small however many tasks.
    for start in range(0, len(parts), PARTS_AT_ONCE):
        rows = await _plan_checkins(
            session,
            parts[start : start + PARTS_AT_ONCE],
            members,
            reported,
            calendar,
            now=now,
            every_days=every_days,
            follow_up_working_days=follow_up_working_days,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
        )
        queued += await enqueue_many(session, rows)
    await save_mark(session, PROMPT_KIND, Mark(now, -1 if found.version is None else found.version))
    await session.commit()
    return queued


async def _plan_checkins(
    session: AsyncSession,
    parts: Sequence[_Part],
    members: dict[int, list[_Person]],
    reported: dict[tuple[int, int], dt.datetime],
    calendar: WorkingCalendar,
    *,
    now: dt.datetime,
    every_days: int,
    follow_up_working_days: int,
    quiet_start: dt.time,
    quiet_end: dt.time,
) -> list[dict[str, Any]]:
    """The prompts and follow-ups of these parts due now, as outbox rows."""
    # (part, cycle, moment, since, member): since is when the asked-for period began.
    asked: list[tuple[_Part, int, dt.datetime, dt.datetime, _Person]] = []
    for part in parts:
        found = current_cycle(
            part.anchor, now=now, every_days=every_days, timezone=part.timezone, quiet_end=quiet_end
        )
        if found is None:
            continue
        cycle, moment = found
        since = moment - dt.timedelta(days=every_days)
        last = reported.get((part.task_id, part.agency_id))
        if last is not None and last >= since:
            continue
        for member in members.get(part.agency_id, []):
            if member.created_at <= moment:
                asked.append((part, cycle, moment, since, member))
    prompts = [prompt_key(p.task_id, p.agency_id, c, m.id) for p, c, _, _, m in asked]
    follows = [follow_up_key(p.task_id, p.agency_id, c, m.id) for p, c, _, _, m in asked]
    existing = await _deliveries(session, prompts + follows)
    hours = {"quiet_start": quiet_start, "quiet_end": quiet_end}
    # Many prompts share a moment: the calendar is asked once per moment and timezone.
    sends: dict[tuple[dt.datetime, str], dt.datetime] = {}

    def send_time(moment: dt.datetime, timezone: str) -> dt.datetime:
        if (moment, timezone) not in sends:
            sends[moment, timezone] = calendar.next_send_time(moment, timezone=timezone, **hours)
        return sends[moment, timezone]

    rows: list[dict[str, Any]] = []
    for (part, cycle, moment, since, member), key, follow in zip(
        asked, prompts, follows, strict=True
    ):
        payload = {
            "task_id": part.task_id,
            "agency_id": part.agency_id,
            "cycle": cycle,
            "since": since.isoformat(),
        }
        due = moment
        kind = PROMPT_KIND
        if key in existing:
            if follow in existing:
                continue
            follow_at = _follow_up_moment(
                existing[key],
                working_days=follow_up_working_days,
                timezone=part.timezone,
                quiet_end=quiet_end,
                calendar=calendar,
            )
            if follow_at is None or follow_at > now:
                continue
            key, kind, due = follow, FOLLOW_UP_KIND, follow_at
        send_at = send_time(due, part.timezone)
        # After downtime at night, the catch-up still waits for the morning.
        earliest = send_time(now, part.timezone)
        rows.append(
            {
                "idempotency_key": key,
                "kind": kind,
                "chat_id": member.telegram_id,
                "member_id": member.id,
                "payload": payload,
                "state": DeliveryState.PENDING,
                "attempts": 0,
                "next_attempt_at": max(send_at, earliest),
                "late": due < now - LATE_AFTER,
                "created_at": now,
            }
        )
    return rows


async def checkin_message(
    session: AsyncSession, *, task_id: int, agency_id: int, since: dt.datetime
) -> CheckinView | None:
    """What a queued check-in says; None when the task is not open or the agency has reported."""
    row = (
        await session.execute(
            select(Task, Plan.code, Plan.timezone, Agency.name, Assignment.role, Agency.name_en)
            .join(Plan, Plan.id == Task.plan_id)
            .join(Assignment, Assignment.task_id == Task.id)
            .join(Agency, Agency.id == Assignment.agency_id)
            .where(Task.id == task_id, Assignment.agency_id == agency_id)
        )
    ).first()
    if row is None:
        return None
    task, plan_code, timezone, agency, role, agency_en = row
    if task.removed_at is not None or task.state is not TaskState.OPEN:
        return None
    mine = (await latest_reports(session, [task_id])).get(task_id, [])
    last = next((r for r in mine if r.agency == agency), None)
    if last is not None and last.reported_at >= since:
        return None
    return CheckinView(
        task_id=task.id,
        plan_code=plan_code,
        task_number=task.number,
        task_text=task.text,
        agency=agency,
        role=str(role),
        timezone=timezone,
        agency_en=agency_en,
        last_report=last,
    )


async def silent_agencies(
    session: AsyncSession, *, now: dt.datetime, every_days: int = DEFAULT_EVERY_DAYS
) -> list[SilentAgency]:
    """Agencies not heard from on a live open task for `every_days` or more, longest first."""
    parts = await _live_parts(session, now=now)
    reported = await _last_reported(session)
    silent: list[tuple[_Part, int]] = []
    for part in parts:
        last = reported.get((part.task_id, part.agency_id))
        heard = part.anchor if last is None else last
        days = (now - heard).days
        if days >= every_days:
            silent.append((part, days))
    if not silent:
        return []
    names = {
        agency_id: (name, name_en)
        for agency_id, name, name_en in await session.execute(
            select(Agency.id, Agency.name, Agency.name_en).where(
                Agency.id.in_({p.agency_id for p, _ in silent})
            )
        )
    }
    tasks = {
        task_id: (code, number)
        for task_id, code, number in await session.execute(
            select(Task.id, Plan.code, Task.number)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Task.id.in_({p.task_id for p, _ in silent}))
        )
    }
    result = [
        SilentAgency(
            agency_id=part.agency_id,
            agency=names[part.agency_id][0],
            agency_en=names[part.agency_id][1],
            task_id=part.task_id,
            plan_code=tasks[part.task_id][0],
            task_number=tasks[part.task_id][1],
            days_silent=days,
        )
        for part, days in silent
    ]
    return sorted(result, key=lambda s: (-s.days_silent, s.plan_code, s.task_number, s.agency))

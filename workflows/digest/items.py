"""The digest's periods and the lines it draws from a plan's tasks: dates, changes, silences."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import Role, TaskState
from db.models import Assignment, AuditEvent, Task
from workflows.checkins import SilentAgency, silent_agencies
from workflows.digest.model import DATED_KINDS, WEEK, ChangeItem, DatedItem, SilentUnit
from workflows.escalations import CHASED_KINDS
from workflows.live import live_task
from workflows.review import RETURN
from workflows.status import local_today


def period_moment(now: dt.datetime, *, weekday: int, at: dt.time, timezone: str) -> dt.datetime:
    """The latest scheduled digest moment at or before now (weekday 0 = Monday), in UTC."""
    zone = zoneinfo.ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    day = today - dt.timedelta(days=(today.weekday() - weekday) % 7)
    moment = dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)
    return moment - WEEK if moment > now else moment


def period_date(moment: dt.datetime, timezone: str) -> dt.date:
    """The date that names a period: its moment's day in the plan's timezone."""
    return local_today(moment, timezone)


async def plan_tasks(session: AsyncSession, plan_id: int) -> list[Task]:
    """A plan's live tasks with plan, units and milestones, by number."""
    return list(
        await session.scalars(
            select(Task)
            .where(Task.plan_id == plan_id, live_task())
            .options(
                selectinload(Task.plan),
                selectinload(Task.assignments).selectinload(Assignment.agency),
                selectinload(Task.milestones),
            )
            .order_by(Task.number)
        )
    )


@dataclass
class Loaded:
    """What composing many digests in one sweep reads once: task graphs, units' tasks, silences."""

    tasks: dict[int, list[Task]] = field(default_factory=dict)
    of_agency: dict[int, dict[int, list[Task]]] = field(default_factory=dict)
    silent: dict[int, list[SilentAgency]] = field(default_factory=dict)

    async def plan_tasks(self, session: AsyncSession, plan_id: int) -> list[Task]:
        """A plan's live tasks with units and milestones, read the first time only."""
        if plan_id not in self.tasks:
            self.tasks[plan_id] = await plan_tasks(session, plan_id)
        return self.tasks[plan_id]

    async def agency_tasks(self, session: AsyncSession, plan_id: int, agency_id: int) -> list[Task]:
        """The plan's tasks an agency is on, by number."""
        if plan_id not in self.of_agency:
            index: dict[int, list[Task]] = defaultdict(list)
            for task in await self.plan_tasks(session, plan_id):
                for agency in {a.agency_id for a in task.assignments}:
                    index[agency].append(task)
            self.of_agency[plan_id] = index
        return self.of_agency[plan_id].get(agency_id, [])

    def forget(self, plan_id: int) -> None:
        """Let go of a plan's task graph once its digests are composed."""
        self.tasks.pop(plan_id, None)
        self.of_agency.pop(plan_id, None)

    async def silent_agencies(
        self, session: AsyncSession, *, now: dt.datetime, every_days: int
    ) -> list[SilentAgency]:
        """Agencies silent on live open tasks for a check-in cycle, read the first time only."""
        if every_days not in self.silent:
            self.silent[every_days] = await silent_agencies(session, now=now, every_days=every_days)
        return self.silent[every_days]


def lead_unit(task: Task) -> tuple[str | None, str | None]:
    """The first lead unit's name and its English name (None, None without a lead)."""
    lead = next((a.agency for a in task.assignments if a.role is Role.LEAD), None)
    return (lead.name, lead.name_en) if lead else (None, None)


def units_of(task: Task) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """Every unit of a task, lead first, in printed order: their names and English names."""
    ordered = sorted(task.assignments, key=lambda a: (a.role is not Role.LEAD, a.position))
    return tuple(a.agency.name for a in ordered), tuple(a.agency.name_en for a in ordered)


def dated_items(
    tasks: Sequence[Task], *, today: dt.date, horizon: int
) -> tuple[tuple[DatedItem, ...], tuple[DatedItem, ...]]:
    """Open tasks' overdue due/custom milestones (the oldest per task), and what's due soon."""
    overdue: list[DatedItem] = []
    upcoming: list[DatedItem] = []
    for task in tasks:
        if task.state is not TaskState.OPEN:
            continue
        units, units_en = units_of(task)
        late: list[DatedItem] = []
        for m in sorted(task.milestones, key=lambda m: (m.on_date, m.id)):
            if m.cancelled_at is not None or m.kind not in DATED_KINDS:
                continue
            days = (m.on_date - today).days
            item = DatedItem(
                task.id,
                task.number,
                task.text,
                str(m.kind),
                m.label,
                m.on_date,
                abs(days),
                units,
                units_en=units_en,
            )
            if days < 0:
                if m.kind in CHASED_KINDS:  # a passed checkpoint is not overdue (see escalations)
                    late.append(item)
            elif days <= horizon:
                upcoming.append(item)
        if late:
            overdue.append(replace(late[0], more=len(late) - 1))
    overdue.sort(key=lambda i: (-i.days, i.number))
    upcoming.sort(key=lambda i: (i.on_date, i.number))
    return tuple(overdue), tuple(upcoming)


async def audit_events(
    session: AsyncSession,
    plan_id: int,
    actions: Sequence[str],
    since: dt.datetime,
    until: dt.datetime,
) -> list[AuditEvent]:
    """A plan's audit events of some actions in [since, until), oldest first."""
    return list(
        await session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.plan_id == plan_id,
                AuditEvent.action.in_(actions),
                AuditEvent.at >= since,
                AuditEvent.at < until,
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def change_item(event: AuditEvent, number: int) -> ChangeItem | None:
    """An audit event as a digest change; None for ones the digest does not list."""
    before, after = event.before or {}, event.after or {}
    task_id = event.task_id or 0
    if event.action == "milestone.due_moved":
        return ChangeItem(
            task_id, number, "date_moved", before.get("due_on"), after.get("due_on"), event.at
        )
    if event.action == "milestone.added":
        label = str(after.get("label") or "")
        return ChangeItem(task_id, number, "milestone_added", label, after.get("on_date"), event.at)
    if event.action == "assignment.assigned" and not before:
        return ChangeItem(
            task_id, number, "unit_added", after.get("agency"), after.get("role"), event.at
        )
    if event.action == RETURN:
        return ChangeItem(task_id, number, "returned", None, after.get("reason"), event.at)
    return None


async def silent_units(
    session: AsyncSession,
    tasks: Sequence[Task],
    *,
    now: dt.datetime,
    every_days: int,
    agency_id: int | None = None,
    loaded: Loaded | None = None,
) -> tuple[SilentUnit, ...]:
    """Agencies silent for a check-in cycle on these tasks, grouped, longest silence first."""
    numbers = {t.id: t.number for t in tasks}
    grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
    english: dict[str, str | None] = {}
    loaded = loaded or Loaded()
    for item in await loaded.silent_agencies(session, now=now, every_days=every_days):
        if item.task_id in numbers and agency_id in (None, item.agency_id):
            grouped[item.agency].append((numbers[item.task_id], item.days_silent))
            english[item.agency] = item.agency_en
    units = [
        SilentUnit(
            agency,
            tuple(sorted(n for n, _ in items)),
            max(d for _, d in items),
            agency_en=english[agency],
        )
        for agency, items in grouped.items()
    ]
    return tuple(sorted(units, key=lambda u: (-u.days_silent, u.agency)))

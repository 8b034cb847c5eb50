"""The weekly digest: what coordinators and each agency read, and deciding when it goes.

A period is identified by its scheduled moment (the digest weekday and time in the plan's
timezone); "since the last digest" is the week before that moment.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import MemberRole, MilestoneKind, RequestState, Role, TaskState
from db.models import Agency, Assignment, AuditEvent, ExtensionRequest, Plan, Task
from workflows.access import Actor, identify
from workflows.checkins import DEFAULT_EVERY_DAYS, silent_agencies
from workflows.errors import ForbiddenError, NotFoundError
from workflows.escalations import CHASED_KINDS
from workflows.lights import Light
from workflows.planning import require_agency
from workflows.review import CLOSE, RETURN
from workflows.status import local_today, task_statuses

WEEK = dt.timedelta(days=7)
HORIZON_DAYS = 14
AGENCY_ROLES = (MemberRole.LIAISON, MemberRole.DEPUTY)
DATED_KINDS = (MilestoneKind.DUE, MilestoneKind.CHECKPOINT, MilestoneKind.CUSTOM)


@dataclass(frozen=True)
class DigestTask:
    """A task as a digest line shows it."""

    task_id: int
    number: int
    text: str
    lead: str | None
    light: Light
    next_date: dt.date | None
    state: str


@dataclass(frozen=True)
class DatedItem:
    """A milestone overdue or coming up: its task, kind, label, date and units."""

    task_id: int
    number: int
    text: str
    kind: str
    label: str
    on_date: dt.date
    days: int  # days overdue (> 0) or days left (>= 0), as the list says
    units: tuple[str, ...]
    more: int = 0  # other overdue milestones of the task (an overdue line shows the oldest)


@dataclass(frozen=True)
class FinishedItem:
    """A task reported done or closed since the last digest."""

    task_id: int
    number: int
    text: str
    state: str
    lead: str | None


@dataclass(frozen=True)
class SilentUnit:
    """An agency silent in the last check-in cycle, on which tasks, for how long at most."""

    agency: str
    numbers: tuple[int, ...]
    days_silent: int


@dataclass(frozen=True)
class ExtensionItem:
    """A pending extension request."""

    task_id: int
    number: int
    agency: str
    current_due_on: dt.date | None
    requested_due_on: dt.date


@dataclass(frozen=True)
class ChangeItem:
    """One change since the last digest: a date moved, a unit added, a task returned."""

    task_id: int
    number: int
    kind: str  # "date_moved", "milestone_added", "unit_added", "returned"
    before: str | None
    after: str | None
    at: dt.datetime


@dataclass(frozen=True)
class Totals:
    """Live tasks by light (open ones), and those awaiting review or closed."""

    red: int
    yellow: int
    green: int
    done: int
    closed: int


@dataclass(frozen=True)
class CoordinatorDigest:
    """The coordinators' digest of one plan."""

    plan_id: int
    plan_code: str
    period: dt.date
    totals: Totals
    finished: tuple[FinishedItem, ...]
    overdue: tuple[DatedItem, ...]
    upcoming: tuple[DatedItem, ...]
    silent: tuple[SilentUnit, ...]
    extensions: tuple[ExtensionItem, ...]
    reviews: tuple[FinishedItem, ...]
    changes: tuple[ChangeItem, ...]


@dataclass(frozen=True)
class WaitingItem:
    """Something others wait for from an agency: a signature (签收) or rework after 退办."""

    task_id: int
    number: int
    text: str
    kind: str  # "unsigned" or "returned"
    reason: str | None


@dataclass(frozen=True)
class AgencyDigest:
    """One agency's digest of one plan."""

    plan_id: int
    plan_code: str
    period: dt.date
    agency_id: int
    agency: str
    lead: tuple[DigestTask, ...]
    co: tuple[DigestTask, ...]
    overdue: tuple[DatedItem, ...]
    upcoming: tuple[DatedItem, ...]
    unreported: tuple[SilentUnit, ...]
    waiting: tuple[WaitingItem, ...]


Digest = CoordinatorDigest | AgencyDigest


@dataclass(frozen=True)
class DigestPart:
    """One rendered message of a digest: its text and the (task id, number) buttons it offers."""

    text: str
    tasks: tuple[tuple[int, int], ...]


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


async def _plan_tasks(session: AsyncSession, plan_id: int) -> list[Task]:
    """A plan's live tasks with plan, units and milestones, by number."""
    return list(
        await session.scalars(
            select(Task)
            .where(Task.plan_id == plan_id, Task.removed_at.is_(None))
            .options(
                selectinload(Task.plan),
                selectinload(Task.assignments).selectinload(Assignment.agency),
                selectinload(Task.milestones),
            )
            .order_by(Task.number)
        )
    )


def _lead(task: Task) -> str | None:
    """The first lead unit's name."""
    return next((a.agency.name for a in task.assignments if a.role is Role.LEAD), None)


def _units(task: Task) -> tuple[str, ...]:
    """Every unit of a task, lead first, in printed order."""
    ordered = sorted(task.assignments, key=lambda a: (a.role is not Role.LEAD, a.position))
    return tuple(a.agency.name for a in ordered)


def _dated(
    tasks: Sequence[Task], *, today: dt.date, horizon: int
) -> tuple[tuple[DatedItem, ...], tuple[DatedItem, ...]]:
    """Open tasks' overdue due/custom milestones (the oldest per task), and what's due soon."""
    overdue: list[DatedItem] = []
    upcoming: list[DatedItem] = []
    for task in tasks:
        if task.state is not TaskState.OPEN:
            continue
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
                _units(task),
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


async def _events(
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


def _change(event: AuditEvent, number: int) -> ChangeItem | None:
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


async def _silent(
    session: AsyncSession,
    tasks: Sequence[Task],
    *,
    now: dt.datetime,
    every_days: int,
    agency_id: int | None = None,
) -> tuple[SilentUnit, ...]:
    """Agencies silent for a check-in cycle on these tasks, grouped, longest silence first."""
    numbers = {t.id: t.number for t in tasks}
    grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for item in await silent_agencies(session, now=now, every_days=every_days):
        if item.task_id in numbers and agency_id in (None, item.agency_id):
            grouped[item.agency].append((numbers[item.task_id], item.days_silent))
    units = [
        SilentUnit(agency, tuple(sorted(n for n, _ in items)), max(d for _, d in items))
        for agency, items in grouped.items()
    ]
    return tuple(sorted(units, key=lambda u: (-u.days_silent, u.agency)))


async def coordinator_digest(
    session: AsyncSession,
    *,
    plan_id: int,
    period: dt.date,
    since: dt.datetime,
    until: dt.datetime,
    now: dt.datetime,
    checkin_days: int = DEFAULT_EVERY_DAYS,
    horizon: int = HORIZON_DAYS,
) -> CoordinatorDigest:
    """The coordinators' digest of a plan as of now; changes are those in [since, until)."""
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError("There is no plan called “{code}”.", code=plan_id)
    tasks = await _plan_tasks(session, plan_id)
    by_id = {t.id: t for t in tasks}
    statuses = await task_statuses(session, tasks, now=now, checkin_days=checkin_days)
    lights = [statuses[t.id].light for t in tasks if t.state is TaskState.OPEN]
    totals = Totals(
        red=lights.count(Light.RED),
        yellow=lights.count(Light.YELLOW),
        green=lights.count(Light.GREEN),
        done=sum(t.state is TaskState.DONE for t in tasks),
        closed=sum(t.state is TaskState.CLOSED for t in tasks),
    )
    finished: dict[int, FinishedItem] = {}
    for event in await _events(session, plan_id, ("task.done", CLOSE), since, until):
        task = by_id.get(event.task_id or 0)
        if task is not None and task.state is not TaskState.OPEN:
            finished[task.id] = FinishedItem(
                task.id, task.number, task.text, str(task.state), _lead(task)
            )
    overdue, upcoming = _dated(tasks, today=local_today(now, plan.timezone), horizon=horizon)
    requests = await session.execute(
        select(ExtensionRequest, Agency.name)
        .join(Agency, Agency.id == ExtensionRequest.agency_id)
        .where(
            ExtensionRequest.state == RequestState.PENDING,
            ExtensionRequest.task_id.in_(by_id),
        )
        .order_by(ExtensionRequest.created_at, ExtensionRequest.id)
    )
    extensions = tuple(
        ExtensionItem(
            r.task_id, by_id[r.task_id].number, agency, r.current_due_on, r.requested_due_on
        )
        for r, agency in requests
    )
    reviews = tuple(
        FinishedItem(t.id, t.number, t.text, str(t.state), _lead(t))
        for t in tasks
        if t.state is TaskState.DONE
    )
    changed = await _events(
        session,
        plan_id,
        ("milestone.due_moved", "milestone.added", "assignment.assigned", RETURN),
        since,
        until,
    )
    changes = tuple(
        c
        for e in changed
        if e.task_id in by_id and (c := _change(e, by_id[e.task_id].number)) is not None
    )
    return CoordinatorDigest(
        plan_id=plan.id,
        plan_code=plan.code,
        period=period,
        totals=totals,
        finished=tuple(sorted(finished.values(), key=lambda f: f.number)),
        overdue=overdue,
        upcoming=upcoming,
        silent=await _silent(session, tasks, now=now, every_days=checkin_days),
        extensions=extensions,
        reviews=reviews,
        changes=changes,
    )


async def _returned(session: AsyncSession, tasks: Sequence[Task]) -> dict[int, str | None]:
    """Open tasks whose latest review was a return (退办), with its reason."""
    open_ids = [t.id for t in tasks if t.state is TaskState.OPEN]
    if not open_ids:
        return {}
    events = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.task_id.in_(open_ids), AuditEvent.action.in_((CLOSE, RETURN)))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    latest: dict[int, AuditEvent] = {}
    for event in events:
        latest[event.task_id or 0] = event
    return {
        task_id: (event.after or {}).get("reason")
        for task_id, event in latest.items()
        if event.action == RETURN
    }


async def agency_digest(
    session: AsyncSession,
    *,
    plan_id: int,
    agency_id: int,
    period: dt.date,
    now: dt.datetime,
    checkin_days: int = DEFAULT_EVERY_DAYS,
    horizon: int = HORIZON_DAYS,
) -> AgencyDigest:
    """One agency's digest of a plan: only the tasks it leads or co-handles."""
    plan = await session.get(Plan, plan_id)
    agency = await session.get(Agency, agency_id)
    if plan is None or agency is None:
        raise NotFoundError("There is no plan called “{code}”.", code=plan_id)
    tasks = [
        t
        for t in await _plan_tasks(session, plan_id)
        if any(a.agency_id == agency_id for a in t.assignments)
    ]
    statuses = await task_statuses(session, tasks, now=now, checkin_days=checkin_days)
    lead: list[DigestTask] = []
    co: list[DigestTask] = []
    waiting: list[WaitingItem] = []
    returned = await _returned(session, tasks)
    for task in tasks:
        mine = next(a for a in task.assignments if a.agency_id == agency_id)
        line = DigestTask(
            task.id,
            task.number,
            task.text,
            _lead(task),
            statuses[task.id].light,
            statuses[task.id].next_date,
            str(task.state),
        )
        (lead if mine.role is Role.LEAD else co).append(line)
        if task.state is TaskState.OPEN and mine.acknowledged_at is None:
            waiting.append(WaitingItem(task.id, task.number, task.text, "unsigned", None))
        if mine.role is Role.LEAD and task.id in returned:
            waiting.append(
                WaitingItem(task.id, task.number, task.text, "returned", returned[task.id])
            )
    overdue, upcoming = _dated(tasks, today=local_today(now, plan.timezone), horizon=horizon)
    return AgencyDigest(
        plan_id=plan.id,
        plan_code=plan.code,
        period=period,
        agency_id=agency.id,
        agency=agency.name,
        lead=tuple(lead),
        co=tuple(co),
        overdue=overdue,
        upcoming=upcoming,
        unreported=await _silent(
            session, tasks, now=now, every_days=checkin_days, agency_id=agency_id
        ),
        waiting=tuple(sorted(waiting, key=lambda w: (w.number, w.kind))),
    )


async def plans_by_code(session: AsyncSession, plan_code: str | None) -> list[Plan]:
    """The plan asked for, or every plan."""
    query = select(Plan).order_by(Plan.code)
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
        .where(Assignment.agency_id == agency_id, Task.removed_at.is_(None))
        .distinct()
    )
    return set(rows)


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
    checkin_days: int = DEFAULT_EVERY_DAYS,
) -> tuple[Actor, list[Digest]]:
    """/digest [AGENCY]: a coordinator's digest (or any agency's); a liaison's own agency's."""
    actor = await identify(session, telegram_id)
    if not actor.is_coordinator:
        if actor.agency_name is None:
            raise ForbiddenError("Only coordinators can do this.")
        if agency is not None:
            found = await require_agency(session, agency)
            if found.id != actor.agency_id:
                raise ForbiddenError("Only coordinators can do this.")
        agency = actor.agency_name
    digests = await compose_digests(
        session, now=now, weekday=weekday, at=at, agency=agency, checkin_days=checkin_days
    )
    return actor, digests


async def chart_plan(session: AsyncSession, *, plan_id: int) -> tuple[str, str] | None:
    """A plan's code and timezone, for the chart's caption and today; None when it is gone."""
    plan = await session.get(Plan, plan_id)
    return None if plan is None else (plan.code, plan.timezone)


async def plan_of(session: AsyncSession, plan_code: str | None) -> tuple[int, str] | None:
    """The id and timezone of a plan by code, or of the first plan when none is named."""
    plans = await plans_by_code(session, plan_code)
    return (plans[0].id, plans[0].timezone) if plans else None

"""The content of a digest: the coordinators' view of a plan, and one agency's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RequestState, Role, TaskState
from db.models import Agency, AuditEvent, ExtensionRequest, Plan, Task
from workflows.checkins import DEFAULT_EVERY_DAYS
from workflows.digest.items import (
    Loaded,
    audit_events,
    change_item,
    dated_items,
    lead_unit,
    silent_units,
)
from workflows.digest.model import (
    HORIZON_DAYS,
    AgencyDigest,
    CoordinatorDigest,
    DigestTask,
    ExtensionItem,
    FinishedItem,
    Totals,
    WaitingItem,
)
from workflows.errors import NotFoundError
from workflows.lights import Light
from workflows.plans import plan_label
from workflows.review import CLOSE, RETURN
from workflows.status import local_today, task_statuses


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
    loaded: Loaded | None = None,
) -> CoordinatorDigest:
    """The coordinators' digest of a plan as of now; changes are those in [since, until)."""
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError("There is no plan called “{code}”.", code=plan_id)
    loaded = loaded or Loaded()
    tasks = await loaded.plan_tasks(session, plan_id)
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
    for event in await audit_events(session, plan_id, ("task.done", CLOSE), since, until):
        task = by_id.get(event.task_id or 0)
        if task is not None and task.state is not TaskState.OPEN:
            finished[task.id] = _finished(task)
    overdue, upcoming = dated_items(tasks, today=local_today(now, plan.timezone), horizon=horizon)
    requests = await session.execute(
        select(ExtensionRequest, Agency.name, Agency.name_en)
        .join(Agency, Agency.id == ExtensionRequest.agency_id)
        .where(
            ExtensionRequest.state == RequestState.PENDING,
            ExtensionRequest.task_id.in_(by_id),
        )
        .order_by(ExtensionRequest.created_at, ExtensionRequest.id)
    )
    extensions = tuple(
        ExtensionItem(
            r.task_id,
            by_id[r.task_id].number,
            agency,
            r.current_due_on,
            r.requested_due_on,
            agency_en=agency_en,
        )
        for r, agency, agency_en in requests
    )
    reviews = tuple(_finished(t) for t in tasks if t.state is TaskState.DONE)
    changed = await audit_events(
        session,
        plan_id,
        ("milestone.due_moved", "milestone.added", "assignment.assigned", RETURN),
        since,
        until,
    )
    changes = tuple(
        c
        for e in changed
        if e.task_id in by_id and (c := change_item(e, by_id[e.task_id].number)) is not None
    )
    return CoordinatorDigest(
        plan_id=plan.id,
        plan_code=plan.code,
        period=period,
        totals=totals,
        finished=tuple(sorted(finished.values(), key=lambda f: f.number)),
        overdue=overdue,
        upcoming=upcoming,
        silent=await silent_units(session, tasks, now=now, every_days=checkin_days, loaded=loaded),
        extensions=extensions,
        reviews=reviews,
        changes=changes,
        plan_label=plan_label(plan),
    )


def _finished(task: Task) -> FinishedItem:
    """A task reported done or closed, with its lead unit."""
    lead, lead_en = lead_unit(task)
    return FinishedItem(task.id, task.number, task.text, str(task.state), lead, lead_en=lead_en)


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
    loaded: Loaded | None = None,
) -> AgencyDigest:
    """One agency's digest of a plan: only the tasks it leads or co-handles."""
    plan = await session.get(Plan, plan_id)
    agency = await session.get(Agency, agency_id)
    if plan is None or agency is None:
        raise NotFoundError("There is no plan called “{code}”.", code=plan_id)
    loaded = loaded or Loaded()
    tasks = await loaded.agency_tasks(session, plan_id, agency_id)
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
            lead_unit(task)[0],
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
    overdue, upcoming = dated_items(tasks, today=local_today(now, plan.timezone), horizon=horizon)
    return AgencyDigest(
        plan_id=plan.id,
        plan_code=plan.code,
        period=period,
        agency_id=agency.id,
        agency=agency.name,
        agency_en=agency.name_en,
        lead=tuple(lead),
        co=tuple(co),
        overdue=overdue,
        upcoming=upcoming,
        unreported=await silent_units(
            session, tasks, now=now, every_days=checkin_days, agency_id=agency_id, loaded=loaded
        ),
        waiting=tuple(sorted(waiting, key=lambda w: (w.number, w.kind))),
        plan_label=plan_label(plan),
    )

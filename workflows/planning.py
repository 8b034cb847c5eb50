"""Coordinators changing the plan: assignments, due dates and custom milestones, all audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MilestoneKind, Role
from db.models import Agency, Assignment, Milestone, Task
from workflows import audit
from workflows.access import Actor, find_task, identify, require_coordinator
from workflows.agencies import find_agency
from workflows.errors import ConflictError, NotFoundError
from workflows.feeds.tokens import revoke_links_depending_on
from workflows.milestones import DUE_KEY, move_due
from workflows.notices import enqueue_pending_notices

CUSTOM_PREFIX = "custom-"
MAX_NOTE = 200


@dataclass(frozen=True)
class AssignmentChange:
    """What an assign or unassign did: the agency's role on the task before and after."""

    plan: str
    number: int
    agency: str
    before: str | None
    after: str | None
    revoked_links: tuple[str, ...] = ()  # feed links that hung on the agency being on the task

    @property
    def changed(self) -> bool:
        """False when the task already looked like this."""
        return self.before != self.after


@dataclass(frozen=True)
class MilestoneChange:
    """A milestone that was moved or added."""

    plan: str
    number: int
    label: str
    on_date: dt.date
    previous: dt.date | None
    sequence: int


async def coordinator(session: AsyncSession, telegram_id: int) -> Actor:
    """The acting member, who must be a coordinator."""
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    return actor


async def require_agency(session: AsyncSession, name: str) -> Agency:
    """The agency known by any of its names (English too), or a helpful error."""
    agency = await find_agency(session, name) or await session.scalar(
        select(Agency).where(func.lower(Agency.name_en) == " ".join(name.lower().split()))
    )
    if agency is None:
        raise NotFoundError(
            "There is no agency called “{name}”; /agencies lists them.", name=name[:40]
        )
    return agency


def _role_state(assignment: Assignment | None) -> dict[str, str] | None:
    """An assignment as the audit log keeps it."""
    if assignment is None:
        return None
    return {"agency": assignment.agency.name, "role": str(assignment.role)}


async def assign(
    *,
    session: AsyncSession,
    telegram_id: int,
    number: int,
    plan_code: str | None,
    agency: str,
    role: Role,
    now: dt.datetime,
) -> AssignmentChange:
    """Put an agency on a task (at the end) or change its role; the agency's liaisons are told."""
    actor = await coordinator(session, telegram_id)
    task = await find_task(session, number=number, plan_code=plan_code, actor=actor)
    found = await require_agency(session, agency)
    assignment = next((a for a in task.assignments if a.agency_id == found.id), None)
    before = _role_state(assignment)
    if assignment is not None and assignment.role is role:
        return AssignmentChange(task.plan.code, task.number, found.name, str(role), str(role))
    if assignment is None:
        position = max((a.position for a in task.assignments), default=-1) + 1
        assignment = Assignment(
            agency=found, agency_id=found.id, role=role, position=position, created_at=now
        )
        task.assignments.append(assignment)
    else:
        if assignment.role is Role.LEAD:
            _require_other_lead(task, assignment)
        assignment.role = role
    task.updated_at = now
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="assignment.assigned",
        entity="assignment",
        entity_id=assignment.id,
        plan_id=task.plan_id,
        task_id=task.id,
        before=before,
        after=_role_state(assignment),
    )
    await enqueue_pending_notices(session, now=now, agency_id=found.id)
    await session.commit()
    return AssignmentChange(
        task.plan.code, task.number, found.name, before["role"] if before else None, str(role)
    )


def _require_other_lead(task: Task, leaving: Assignment) -> None:
    """Refuse a change that would leave the task without a lead unit."""
    if not any(a.role is Role.LEAD and a is not leaving for a in task.assignments):
        raise ConflictError(
            "Task {number} would have no lead unit; make another agency lead first.",
            number=task.number,
        )


async def unassign(
    *,
    session: AsyncSession,
    telegram_id: int,
    number: int,
    plan_code: str | None,
    agency: str,
    now: dt.datetime,
) -> AssignmentChange:
    """Take an agency off a task; the last lead unit cannot be removed."""
    actor = await coordinator(session, telegram_id)
    task = await find_task(session, number=number, plan_code=plan_code, actor=actor)
    found = await require_agency(session, agency)
    assignment = next((a for a in task.assignments if a.agency_id == found.id), None)
    if assignment is None:
        raise NotFoundError(
            "{agency} is not on task {number}.", agency=found.name, number=task.number
        )
    if assignment.role is Role.LEAD:
        _require_other_lead(task, assignment)
    before = _role_state(assignment)
    task.assignments.remove(assignment)
    task.updated_at = now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="assignment.removed",
        entity="assignment",
        entity_id=assignment.id,
        plan_id=task.plan_id,
        task_id=task.id,
        before=before,
        after=None,
    )
    links = await revoke_links_depending_on(session, task_id=task.id, now=now, actor=actor)
    await session.commit()
    return AssignmentChange(
        task.plan.code,
        task.number,
        found.name,
        str(assignment.role),
        None,
        tuple(link.label for link in links),
    )


async def set_due(
    *,
    session: AsyncSession,
    telegram_id: int,
    number: int,
    plan_code: str | None,
    on_date: dt.date,
    reason: str,
    now: dt.datetime,
) -> MilestoneChange:
    """Move a task's due milestone (or create it), with the reason in the audit log."""
    actor = await coordinator(session, telegram_id)
    task = await find_task(session, number=number, plan_code=plan_code, actor=actor)
    milestone = next((m for m in task.milestones if m.key == DUE_KEY), None)
    previous = task.due_on
    if milestone is not None and milestone.cancelled_at is None and milestone.on_date == on_date:
        raise ConflictError(
            "Task {number} is already due on {date}.", number=task.number, date=on_date.isoformat()
        )
    milestone = await move_due(
        session, task, on_date, actor=actor, now=now, details={"reason": reason[:MAX_NOTE]}
    )
    await session.commit()
    return MilestoneChange(task.plan.code, task.number, "", on_date, previous, milestone.sequence)


async def add_milestone(
    *,
    session: AsyncSession,
    telegram_id: int,
    number: int,
    plan_code: str | None,
    on_date: dt.date,
    label: str,
    now: dt.datetime,
) -> MilestoneChange:
    """Add a custom milestone to a task."""
    actor = await coordinator(session, telegram_id)
    task = await find_task(session, number=number, plan_code=plan_code, actor=actor)
    label = label.strip()[:MAX_NOTE]
    taken = {m.key for m in task.milestones}
    index = sum(1 for key in taken if key.startswith(CUSTOM_PREFIX)) + 1
    while f"{CUSTOM_PREFIX}{index}" in taken:
        index += 1
    milestone = Milestone(
        key=f"{CUSTOM_PREFIX}{index}",
        kind=MilestoneKind.CUSTOM,
        on_date=on_date,
        label=label,
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    task.milestones.append(milestone)
    task.updated_at = now
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="milestone.added",
        entity="milestone",
        entity_id=milestone.id,
        plan_id=task.plan_id,
        task_id=task.id,
        before=None,
        after={"on_date": on_date.isoformat(), "label": label},
    )
    await session.commit()
    return MilestoneChange(task.plan.code, task.number, label, on_date, None, 0)

"""Reviewing a task its lead reported done: 办结销号 (close) or 退办 (return, with a reason)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole, Role, TaskState
from db.models import Agency, AuditEvent, Member, StatusReport, Task
from workflows import audit
from workflows.access import Actor, get_task_by_id, identify, require_coordinator, supervising
from workflows.errors import ConflictError, InvalidInputError
from workflows.live import live_task
from workflows.outbox.queue import enqueue

REVIEW_REQUEST = "review-request"
REVIEW_OUTCOME = "review-outcome"
CLOSE, RETURN = "review.close", "review.return"
REASON_LIMIT = 1000


@dataclass(frozen=True)
class Recipient:
    """A member to tell something: their member id and Telegram chat."""

    member_id: int
    chat_id: int


@dataclass(frozen=True)
class ReviewCheck:
    """A task awaiting review that a coordinator may decide on now."""

    task_id: int
    number: int
    report_id: int
    language: str


@dataclass(frozen=True)
class ReviewDecision:
    """A review decision just made."""

    task_id: int
    number: int
    closed: bool
    reason: str | None
    language: str


@dataclass(frozen=True)
class ReviewNotice:
    """What a review notice says (for the renderers)."""

    task_id: int
    number: int
    text: str
    agency: str
    member: str | None
    percent: int | None
    note: str | None
    pending: bool
    agency_en: str | None = None


async def coordinators(session: AsyncSession, plan_id: int | None = None) -> list[Recipient]:
    """Every active, reachable coordinator (who supervises the plan, when one is given)."""
    query = select(Member.id, Member.telegram_id).where(
        Member.role == MemberRole.COORDINATOR,
        Member.left_at.is_(None),
        Member.reachable.is_(True),
    )
    if plan_id is not None:
        query = query.where(supervising(plan_id))
    rows = await session.execute(query)
    return [Recipient(member_id, chat_id) for member_id, chat_id in rows]


async def agency_members(session: AsyncSession, agency_id: int) -> list[Recipient]:
    """Every active, reachable liaison or deputy of an agency."""
    rows = await session.execute(
        select(Member.id, Member.telegram_id).where(
            Member.agency_id == agency_id,
            Member.role != MemberRole.COORDINATOR,
            Member.left_at.is_(None),
            Member.reachable.is_(True),
        )
    )
    return [Recipient(member_id, chat_id) for member_id, chat_id in rows]


async def lock_task(session: AsyncSession, task_id: int) -> None:
    """Hold a task's row until commit, so concurrent decisions on it happen one after another."""
    if session.get_bind().dialect.name == "sqlite":
        return  # SQLite has no row locks (FOR UPDATE is dropped): the statement did nothing
    await session.execute(select(Task.id).where(Task.id == task_id).with_for_update())


async def request_review(
    session: AsyncSession, *, task: Task, report: StatusReport, actor: Actor, now: dt.datetime
) -> None:
    """Mark a task done on its lead's report and ask the coordinators to review (caller commits)."""
    before = str(task.state)
    task.state = TaskState.DONE
    task.updated_at = now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="task.done",
        entity="task",
        entity_id=task.id,
        plan_id=task.plan_id,
        task_id=task.id,
        before={"state": before},
        after={"state": str(TaskState.DONE), "report_id": report.id},
    )
    for recipient in await coordinators(session, task.plan_id):
        await enqueue(
            session,
            key=f"review:{task.id}:{report.id}:{recipient.member_id}",
            kind=REVIEW_REQUEST,
            chat_id=recipient.chat_id,
            member_id=recipient.member_id,
            payload={"task_id": task.id, "report_id": report.id},
            now=now,
        )


async def _decided_already(session: AsyncSession, task: Task, report_id: int) -> ConflictError:
    """The refusal for a review that is no longer pending, naming who decided it."""
    rows = await session.execute(
        select(AuditEvent, Member.display_name)
        .outerjoin(Member, Member.id == AuditEvent.actor_member_id)
        .where(AuditEvent.task_id == task.id, AuditEvent.action.in_((CLOSE, RETURN)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    for event, name in rows:
        if (event.after or {}).get("report_id") == report_id:
            who = name or event.actor
            if event.action == CLOSE:
                return ConflictError(
                    "Task {number} was already closed by {name}.", number=task.number, name=who
                )
            return ConflictError(
                "Task {number} was already returned by {name}.", number=task.number, name=who
            )
    return ConflictError("This button is out of date.")


async def _pending_review(
    session: AsyncSession, *, telegram_id: int, task_id: int, report_id: int
) -> tuple[Actor, Task]:
    """The coordinator and the task, if the review of that done report is still pending."""
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    await lock_task(session, task_id)
    task = await get_task_by_id(session, task_id, actor)
    current = await session.scalar(
        select(AuditEvent.after)
        .where(AuditEvent.task_id == task.id, AuditEvent.action == "task.done")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    if task.state is not TaskState.DONE or (current or {}).get("report_id") != report_id:
        raise await _decided_already(session, task, report_id)
    return actor, task


async def check_review(
    session: AsyncSession, *, telegram_id: int, task_id: int, report_id: int
) -> ReviewCheck:
    """Check a coordinator may still decide a review (before asking for a return reason)."""
    actor, task = await _pending_review(
        session, telegram_id=telegram_id, task_id=task_id, report_id=report_id
    )
    return ReviewCheck(task.id, task.number, report_id, actor.language)


async def decide_review(
    session: AsyncSession,
    *,
    telegram_id: int,
    task_id: int,
    report_id: int,
    close: bool,
    reason: str | None,
    now: dt.datetime,
) -> ReviewDecision:
    """Close a task done (办结销号) or return it (退办) with a reason; tell the lead's liaisons."""
    actor, task = await _pending_review(
        session, telegram_id=telegram_id, task_id=task_id, report_id=report_id
    )
    reason = (reason or "").strip() or None
    if not close:
        if reason is None:
            raise InvalidInputError("Please give a reason for returning the task.")
        if len(reason) > REASON_LIMIT:
            raise InvalidInputError(
                "The reason is too long ({length} characters; at most {limit}).",
                length=len(reason),
                limit=REASON_LIMIT,
            )
    state = TaskState.CLOSED if close else TaskState.OPEN
    task.state = state
    task.updated_at = now
    audit.record(
        session,
        at=now,
        actor=actor,
        action=CLOSE if close else RETURN,
        entity="task",
        entity_id=task.id,
        plan_id=task.plan_id,
        task_id=task.id,
        before={"state": str(TaskState.DONE)},
        after={"state": str(state), "report_id": report_id, "reason": reason},
    )
    for agency_id in (a.agency_id for a in task.assignments if a.role is Role.LEAD):
        for recipient in await agency_members(session, agency_id):
            await enqueue(
                session,
                key=f"review-out:{task.id}:{report_id}:{recipient.member_id}",
                kind=REVIEW_OUTCOME,
                chat_id=recipient.chat_id,
                member_id=recipient.member_id,
                payload={
                    "task_id": task.id,
                    "closed": close,
                    "reason": reason,
                    "by": actor.display_name,
                },
                now=now,
            )
    await session.commit()
    return ReviewDecision(task.id, task.number, close, reason, actor.language)


async def review_notice(
    session: AsyncSession, *, task_id: int, report_id: int
) -> ReviewNotice | None:
    """The done report a review request is about, and whether it is still awaiting review."""
    row = (
        await session.execute(
            select(Task, StatusReport, Agency.name, Member.display_name, Agency.name_en)
            .join(StatusReport, StatusReport.task_id == Task.id)
            .join(Agency, Agency.id == StatusReport.agency_id)
            .outerjoin(Member, Member.id == StatusReport.member_id)
            .where(Task.id == task_id, StatusReport.id == report_id, live_task())
        )
    ).first()
    if row is None:
        return None
    task, report, agency, member, agency_en = row
    return ReviewNotice(
        task.id,
        task.number,
        task.text,
        agency,
        member,
        report.percent,
        report.note,
        task.state is TaskState.DONE,
        agency_en,
    )


async def task_number(session: AsyncSession, task_id: int) -> int | None:
    """A live task's number, for notices."""
    return await session.scalar(select(Task.number).where(Task.id == task_id, live_task()))

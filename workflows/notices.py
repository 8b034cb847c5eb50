"""Assignment notices: telling liaisons what their agency was given, and their 签收 of it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole, TaskState
from db.models import Agency, Assignment, Delivery, Member, Plan, Task
from workflows.access import Actor, identify
from workflows.acknowledgements import ACK_REMINDER_KIND
from workflows.audit import record
from workflows.errors import ForbiddenError, NotFoundError
from workflows.live import live_task
from workflows.outbox.queue import enqueue

NOTICE_KIND = "assignment_notice"
# Ten tasks with trimmed texts stay well inside Telegram's 4096 characters per message.
TASKS_PER_NOTICE = 10
AGENCY_ROLES = (MemberRole.LIAISON, MemberRole.DEPUTY)
# Messages whose 签收 buttons sign assignments listed in their payload.
SIGNABLE_KINDS = (NOTICE_KIND, ACK_REMINDER_KIND)


@dataclass(frozen=True)
class NoticeItem:
    """One assignment as a notice shows it."""

    assignment_id: int
    task_id: int
    plan_code: str
    timezone: str
    task_number: int
    task_text: str
    schedule_text: str
    due_on: dt.date | None
    role: str
    agency_name: str
    agency_name_en: str | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None


@dataclass(frozen=True)
class Acknowledgement:
    """The outcome of pressing 签收: who signed when, and whether it was signed before."""

    assignment_id: int
    task_number: int
    already: bool
    by_name: str
    at: dt.datetime
    timezone: str
    language: str
    notice: tuple[NoticeItem, ...]


@dataclass(frozen=True)
class SignedAll:
    """The outcome of 全部签收: how many were signed now, and the message's new state."""

    signed: int
    language: str
    notice: tuple[NoticeItem, ...]


def _live_pending() -> tuple[ColumnElement[bool], ...]:
    """Conditions for an unacknowledged assignment of a live task."""
    return (
        Assignment.acknowledged_at.is_(None),
        live_task(),
        Task.state != TaskState.CLOSED,
    )


def _reachable_liaisons() -> tuple[ColumnElement[bool], ...]:
    """Conditions for a liaison or deputy still in post whom the bot can reach."""
    return (
        Member.left_at.is_(None),
        Member.reachable.is_(True),
        Member.role.in_(AGENCY_ROLES),
    )


async def _already_noticed(session: AsyncSession, member_ids: list[int]) -> set[tuple[int, int]]:
    """(member, assignment) pairs that a notice was already decided for."""
    rows = await session.execute(
        select(Delivery.member_id, Delivery.payload).where(
            Delivery.kind == NOTICE_KIND, Delivery.member_id.in_(member_ids)
        )
    )
    return {
        (member_id, int(a)) for member_id, payload in rows for a in payload.get("assignments", [])
    }


async def enqueue_pending_notices(
    session: AsyncSession, *, now: dt.datetime, agency_id: int | None = None
) -> int:
    """Queue grouped notices of unacknowledged assignments to liaisons not yet told; returns count.

    Flushes but does not commit: the caller's workflow owns the transaction.
    """
    # Only agencies someone can be told about: an import of thousands of tasks for agencies
    # with no registered liaison yet reads none of them back.
    told_agencies = select(Member.agency_id).where(*_reachable_liaisons())
    query = (
        select(Assignment.id, Assignment.agency_id)
        .join(Task, Task.id == Assignment.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(*_live_pending(), Assignment.agency_id.in_(told_agencies))
        .order_by(Plan.code, Task.number, Assignment.id)
    )
    if agency_id is not None:
        query = query.where(Assignment.agency_id == agency_id)
    by_agency: dict[int, list[int]] = defaultdict(list)
    for assignment_id, assignment_agency in await session.execute(query):
        by_agency[assignment_agency].append(assignment_id)
    if not by_agency:
        return 0
    members = list(
        await session.scalars(
            select(Member)
            .where(Member.agency_id.in_(list(by_agency)), *_reachable_liaisons())
            .order_by(Member.id)
        )
    )
    if not members:
        return 0
    told = await _already_noticed(session, [m.id for m in members])
    queued = 0
    for member in members:
        assert member.agency_id is not None
        fresh = [a for a in by_agency[member.agency_id] if (member.id, a) not in told]
        for start in range(0, len(fresh), TASKS_PER_NOTICE):
            chunk = fresh[start : start + TASKS_PER_NOTICE]
            # Each assignment is in one notice per member, so its first one names the notice.
            added = await enqueue(
                session,
                key=f"{NOTICE_KIND}:{member.id}:{chunk[0]}",
                kind=NOTICE_KIND,
                chat_id=member.telegram_id,
                member_id=member.id,
                payload={"assignments": chunk},
                now=now,
            )
            queued += int(added)
    await session.flush()
    return queued


async def notice_items(session: AsyncSession, assignment_ids: list[int]) -> list[NoticeItem]:
    """The assignments of a notice that still exist on live tasks, in plan and task order."""
    if not assignment_ids:
        return []
    rows = await session.execute(
        select(Assignment, Task, Plan, Agency.name, Member.display_name, Agency.name_en)
        .join(Task, Task.id == Assignment.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .outerjoin(Member, Member.id == Assignment.acknowledged_by_id)
        .where(Assignment.id.in_(assignment_ids), live_task())
        .order_by(Plan.code, Task.number)
        .execution_options(populate_existing=True)
    )
    return [
        NoticeItem(
            assignment_id=assignment.id,
            task_id=task.id,
            plan_code=plan.code,
            timezone=plan.timezone,
            task_number=task.number,
            task_text=task.text,
            schedule_text=task.schedule_text,
            due_on=task.due_on,
            role=str(assignment.role),
            agency_name=agency_name,
            agency_name_en=agency_name_en,
            acknowledged_at=assignment.acknowledged_at,
            acknowledged_by=signer,
        )
        for assignment, task, plan, agency_name, signer, agency_name_en in rows
    ]


async def _notice_of_message(
    session: AsyncSession, chat_id: int | None, message_id: int | None
) -> list[int]:
    """The assignment ids of the notice sent as a given message, if it was one."""
    if chat_id is None or message_id is None:
        return []
    payload = await session.scalar(
        select(Delivery.payload).where(
            Delivery.kind.in_(SIGNABLE_KINDS),
            Delivery.chat_id == chat_id,
            Delivery.telegram_message_id == message_id,
        )
    )
    return [int(a) for a in (payload or {}).get("assignments", [])]


async def _sign(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    plan_id: int,
    task_id: int,
    now: dt.datetime,
) -> bool:
    """Sign for an assignment not signed for yet, audited; False when someone already had."""
    signed = await session.execute(
        update(Assignment)
        .where(Assignment.id == assignment_id, Assignment.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_id=actor.member_id)
        .execution_options(synchronize_session=False)
    )
    if not getattr(signed, "rowcount", 0):
        return False
    record(
        session,
        at=now,
        actor=actor,
        action="assignment.acknowledged",
        entity="assignment",
        entity_id=assignment_id,
        plan_id=plan_id,
        task_id=task_id,
        before={"acknowledged_at": None, "acknowledged_by": None},
        after={"acknowledged_at": now.isoformat(), "acknowledged_by": actor.member_id},
    )
    return True


async def acknowledge(
    session: AsyncSession,
    *,
    telegram_id: int,
    assignment_id: int,
    now: dt.datetime,
    chat_id: int | None = None,
    message_id: int | None = None,
) -> Acknowledgement:
    """Record a liaison's 签收 of an assignment (once); with the notice message, its new state."""
    actor = await identify(session, telegram_id)
    row = (
        await session.execute(
            select(Assignment, Task, Plan)
            .join(Task, Task.id == Assignment.task_id)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Assignment.id == assignment_id, live_task())
        )
    ).first()
    if row is None:
        raise NotFoundError("This task no longer exists.")
    assignment, task, plan = row
    if actor.role not in AGENCY_ROLES or actor.agency_id != assignment.agency_id:
        raise ForbiddenError("Only a liaison of the assigned agency can sign for this task.")
    already = not await _sign(session, actor, assignment.id, plan.id, task.id, now)
    if not already:
        await session.commit()
    ids = await _notice_of_message(session, chat_id, message_id)
    items = await notice_items(session, sorted({*ids, assignment.id}))
    await session.commit()
    mine = next(i for i in items if i.assignment_id == assignment.id)
    assert mine.acknowledged_at is not None
    return Acknowledgement(
        assignment_id=assignment.id,
        task_number=task.number,
        already=already,
        by_name=mine.acknowledged_by or "",
        at=mine.acknowledged_at,
        timezone=plan.timezone,
        language=actor.language,
        notice=tuple(i for i in items if not ids or i.assignment_id in ids),
    )


async def acknowledge_all(
    session: AsyncSession, *, telegram_id: int, chat_id: int, message_id: int, now: dt.datetime
) -> SignedAll:
    """全部签收: sign every still-unsigned assignment of one's agency listed in a message."""
    actor = await identify(session, telegram_id)
    if actor.role not in AGENCY_ROLES or actor.agency_id is None:
        raise ForbiddenError("Only a liaison of the assigned agency can sign for this task.")
    ids = await _notice_of_message(session, chat_id, message_id)
    if not ids:
        raise NotFoundError("This button is out of date.")
    rows = await session.execute(
        select(Assignment.id, Task.id, Task.plan_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            Assignment.id.in_(ids),
            Assignment.agency_id == actor.agency_id,
            Assignment.acknowledged_at.is_(None),
            live_task(),
        )
    )
    pending = list(rows)
    signed = 0
    for assignment_id, task_id, plan_id in pending:
        signed += await _sign(session, actor, assignment_id, plan_id, task_id, now)
    await session.commit()
    items = await notice_items(session, ids)
    await session.commit()
    return SignedAll(signed, actor.language, tuple(items))

"""Extension requests (延期申请): a liaison asks for a later due date, a coordinator decides."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RequestState, TaskState
from db.models import Agency, ExtensionRequest, Member, Task
from workflows import audit
from workflows.access import find_task, get_task_by_id, identify, require_coordinator
from workflows.dates import parse_user_date
from workflows.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from workflows.milestones import DUE_KEY, move_due
from workflows.outbox.queue import enqueue
from workflows.review import coordinators
from workflows.status import local_today

EXTENSION_REQUEST = "extension-request"
EXTENSION_ANSWER = "extension-answer"
REASON_LIMIT = 1000


@dataclass(frozen=True)
class ExtensionTarget:
    """A task the actor may ask to extend, before the date and reason are known."""

    language: str
    task_id: int
    number: int
    due_on: dt.date | None


@dataclass(frozen=True)
class ExtensionView:
    """An extension request as people read it."""

    language: str
    request_id: int
    task_id: int
    number: int
    agency: str
    member: str | None
    current_due_on: dt.date | None
    requested_due_on: dt.date
    reason: str
    state: RequestState
    decided_by: str | None
    decision_note: str | None
    agency_en: str | None = None


async def _target(session: AsyncSession, telegram_id: int, task: Task) -> ExtensionTarget:
    """Check the actor's agency is on an open task it may ask to extend."""
    actor = await identify(session, telegram_id)
    if actor.agency_id is None or all(a.agency_id != actor.agency_id for a in task.assignments):
        raise ForbiddenError("Task {number} is not assigned to your agency.", number=task.number)
    if task.state is not TaskState.OPEN:
        raise ConflictError(
            "Task {number} is awaiting review or closed; it cannot be extended now.",
            number=task.number,
        )
    return ExtensionTarget(actor.language, task.id, task.number, task.due_on)


async def extension_target(
    session: AsyncSession,
    *,
    telegram_id: int,
    number: int | None = None,
    task_id: int | None = None,
) -> ExtensionTarget:
    """The task a liaison names (by number, or by id from a prompt), checked."""
    task = await _task(session, task_id=task_id, number=number)
    return await _target(session, telegram_id, task)


async def _task(session: AsyncSession, *, task_id: int | None, number: int | None) -> Task:
    """A live task by id (from a prompt) or by number (typed)."""
    if task_id is not None:
        return await get_task_by_id(session, task_id)
    if number is not None:
        return await find_task(session, number=number)
    raise NotFoundError("This task no longer exists.")


async def request_extension(
    session: AsyncSession,
    *,
    telegram_id: int,
    task_id: int | None = None,
    number: int | None = None,
    date_text: str,
    reason: str,
    now: dt.datetime,
) -> ExtensionView:
    """Record an extension request (task by id or number) and ask every coordinator to decide."""
    task = await _task(session, task_id=task_id, number=number)
    await _target(session, telegram_id, task)
    actor = await identify(session, telegram_id)
    assert actor.agency_id is not None
    requested = parse_user_date(date_text, today=local_today(now, task.plan.timezone))
    floor = task.due_on or local_today(now, task.plan.timezone)
    if requested <= floor:
        raise InvalidInputError("The new date must be later than {date}.", date=floor.isoformat())
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("Please give a reason for the extension.")
    if len(reason) > REASON_LIMIT:
        raise InvalidInputError(
            "The reason is too long ({length} characters; at most {limit}).",
            length=len(reason),
            limit=REASON_LIMIT,
        )
    pending = await session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.task_id == task.id,
            ExtensionRequest.agency_id == actor.agency_id,
            ExtensionRequest.state == RequestState.PENDING,
        )
    )
    if pending is not None:
        raise ConflictError(
            "Your agency already has an extension request for task {number} awaiting a decision.",
            number=task.number,
        )
    due = next((m for m in task.milestones if m.key == DUE_KEY), None)
    request = ExtensionRequest(
        task_id=task.id,
        milestone_id=due.id if due else None,
        agency_id=actor.agency_id,
        member_id=actor.member_id,
        current_due_on=task.due_on,
        requested_due_on=requested,
        reason=reason,
        state=RequestState.PENDING,
        created_at=now,
    )
    session.add(request)
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="extension.request",
        entity="extension_request",
        entity_id=request.id,
        plan_id=task.plan_id,
        task_id=task.id,
        after={"requested_due_on": requested.isoformat(), "reason": reason},
    )
    for recipient in await coordinators(session, task.plan_id):
        await enqueue(
            session,
            key=f"ext-req:{request.id}:{recipient.member_id}",
            kind=EXTENSION_REQUEST,
            chat_id=recipient.chat_id,
            member_id=recipient.member_id,
            payload={"request_id": request.id},
            now=now,
        )
    await session.commit()
    return await extension_view(session, request_id=request.id, language=actor.language)


async def extension_view(
    session: AsyncSession, *, request_id: int, language: str = "zh"
) -> ExtensionView:
    """An extension request with its task, agency and decision."""
    requester = Member.__table__.alias("requester")
    decider = Member.__table__.alias("decider")
    row = (
        await session.execute(
            select(
                ExtensionRequest,
                Task.number,
                Agency.name,
                requester.c.display_name,
                decider.c.display_name,
                Agency.name_en,
            )
            .join(Task, Task.id == ExtensionRequest.task_id)
            .join(Agency, Agency.id == ExtensionRequest.agency_id)
            .outerjoin(requester, requester.c.id == ExtensionRequest.member_id)
            .outerjoin(decider, decider.c.id == ExtensionRequest.decided_by_id)
            .where(ExtensionRequest.id == request_id)
        )
    ).first()
    if row is None:
        raise NotFoundError("This extension request no longer exists.")
    request, number, agency, member, decided_by, agency_en = row
    return ExtensionView(
        language=language,
        request_id=request.id,
        task_id=request.task_id,
        number=number,
        agency=agency,
        member=member,
        current_due_on=request.current_due_on,
        requested_due_on=request.requested_due_on,
        reason=request.reason,
        state=request.state,
        decided_by=decided_by,
        decision_note=request.decision_note,
        agency_en=agency_en,
    )


async def pending_extension(
    session: AsyncSession, *, telegram_id: int, request_id: int
) -> ExtensionView:
    """A request a coordinator may still decide (checked before asking for a denial reason)."""
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    view = await extension_view(session, request_id=request_id, language=actor.language)
    await get_task_by_id(session, view.task_id, actor)
    _require_pending(view)
    return view


def _require_pending(view: ExtensionView) -> None:
    """Refuse a second decision, naming who made the first."""
    name = view.decided_by or "—"
    if view.state is RequestState.APPROVED:
        raise ConflictError("This request was already approved by {name}.", name=name)
    if view.state is RequestState.DENIED:
        raise ConflictError("This request was already denied by {name}.", name=name)


async def decide_extension(
    session: AsyncSession,
    *,
    telegram_id: int,
    request_id: int,
    approve: bool,
    note: str | None,
    now: dt.datetime,
) -> ExtensionView:
    """Approve (moving the due milestone) or deny an extension; the requester is told."""
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    # Locked, so two coordinators deciding at once on PostgreSQL cannot both win.
    request = await session.scalar(
        select(ExtensionRequest).where(ExtensionRequest.id == request_id).with_for_update()
    )
    if request is None:
        raise NotFoundError("This extension request no longer exists.")
    task = await get_task_by_id(session, request.task_id, actor)
    _require_pending(await extension_view(session, request_id=request_id))
    note = (note or "").strip() or None
    if note is not None and len(note) > REASON_LIMIT:
        raise InvalidInputError(
            "The reason is too long ({length} characters; at most {limit}).",
            length=len(note),
            limit=REASON_LIMIT,
        )
    if approve:
        if task.state is not TaskState.OPEN:
            raise ConflictError(
                "Task {number} is awaiting review or closed; it cannot be extended now.",
                number=task.number,
            )
        await move_due(
            session,
            task,
            request.requested_due_on,
            actor=actor,
            now=now,
            details={"extension_request": request.id},
        )
    request.state = RequestState.APPROVED if approve else RequestState.DENIED
    request.decided_by_id = actor.member_id
    request.decided_at = now
    request.decision_note = note
    audit.record(
        session,
        at=now,
        actor=actor,
        action="extension.approve" if approve else "extension.deny",
        entity="extension_request",
        entity_id=request.id,
        plan_id=task.plan_id,
        task_id=task.id,
        before={"state": str(RequestState.PENDING)},
        after={"state": str(request.state), "note": note},
    )
    member = await session.get(Member, request.member_id) if request.member_id else None
    if member is not None and member.left_at is None:
        await enqueue(
            session,
            key=f"ext-ans:{request.id}",
            kind=EXTENSION_ANSWER,
            chat_id=member.telegram_id,
            member_id=member.id,
            payload={"request_id": request.id},
            now=now,
        )
    await session.commit()
    return await extension_view(session, request_id=request.id, language=actor.language)

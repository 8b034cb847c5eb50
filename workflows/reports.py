"""Liaisons' own tasks and their status reports: status, percent, notes.

Reports are append-only. A flow's buttons carry a token, the id of the agency's latest report
when they were shown (0 for none): a press whose token is no longer the latest is either the
same press again (answered "already saved") or from an old message (refused), never a second row.
A note becomes a new report that carries the agency's latest status and percent forward, so
the newest report always shows the note and nothing already said is rewritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import ReportStatus, Role, TaskState
from db.models import Assignment, Plan, StatusReport, Task
from workflows import audit
from workflows.access import Actor, get_task_by_id, identify, require_task_access
from workflows.chat import remember_message, task_of_message
from workflows.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from workflows.lights import Light
from workflows.live import live_task, newest_plans_first, two_live_plans
from workflows.questions import forget
from workflows.review import lock_task, request_review
from workflows.status import ReportView, task_statuses, visible_reports

NOTE_LIMIT = 2000


@dataclass(frozen=True)
class MyTask:
    """One of an agency's tasks, as its liaison's list shows it."""

    task_id: int
    number: int
    text: str
    role: str
    light: Light
    next_date: dt.date | None
    state: str
    missed_due: dt.date | None = None
    days_overdue: int = 0
    returned: bool = False
    plan: str = ""  # the plan's code, shown when the agency has tasks in several plans


@dataclass(frozen=True)
class MyTasks:
    """An agency's live tasks, lead tasks first."""

    language: str
    agency: str
    tasks: tuple[MyTask, ...]
    agency_en: str | None = None

    @property
    def several_plans(self) -> bool:
        """Whether the tasks come from more than one plan (then each shows its plan)."""
        return len({task.plan for task in self.tasks}) > 1


@dataclass(frozen=True)
class TaskCard:
    """A task as a liaison (or a coordinator) sees it, with what they may do."""

    language: str
    task_id: int
    number: int
    text: str
    state: str
    role: str | None
    light: Light
    next_date: dt.date | None
    reports: tuple[ReportView, ...]
    can_report: bool
    token: int
    timezone: str
    missed_due: dt.date | None = None
    days_overdue: int = 0
    returned: bool = False
    plan: str | None = None  # the plan's code, where several plans are live


@dataclass(frozen=True)
class StatusChoice:
    """A chosen status, checked, awaiting its percent."""

    language: str
    task_id: int
    number: int
    status: ReportStatus
    token: int


@dataclass(frozen=True)
class SavedReport:
    """A report just saved (or found already saved by the same press)."""

    language: str
    report_id: int
    task_id: int
    number: int
    status: ReportStatus
    percent: int | None
    review_requested: bool
    repeated: bool


@dataclass(frozen=True)
class SavedNote:
    """A note just attached to a task."""

    language: str
    task_id: int
    number: int
    length: int


def parse_status(value: str) -> ReportStatus:
    """A status from a button payload; anything else is a forged or stale payload."""
    try:
        return ReportStatus(value)
    except ValueError:
        raise ConflictError("This button is out of date.") from None


def parse_percent(text: str) -> int:
    """A percent typed or pressed: a whole number from 0 to 100."""
    cleaned = text.strip().removesuffix("%").removesuffix("％").strip()
    if not cleaned.isascii() or not cleaned.isdigit() or int(cleaned) > 100:
        raise InvalidInputError("Write the percent as a whole number from 0 to 100.")
    return int(cleaned)


def _require_agency(actor: Actor) -> int:
    """The actor's agency; coordinators without one have no tasks of their own."""
    if actor.agency_id is None:
        raise ForbiddenError("Only liaisons of an agency can report on tasks.")
    return actor.agency_id


async def _latest_own(session: AsyncSession, task_id: int, agency_id: int) -> StatusReport | None:
    """The agency's newest report on a task."""
    return await session.scalar(
        select(StatusReport)
        .where(StatusReport.task_id == task_id, StatusReport.agency_id == agency_id)
        .order_by(StatusReport.reported_at.desc(), StatusReport.id.desc())
        .limit(1)
    )


async def _own_task(
    session: AsyncSession, task_id: int, agency_id: int | None
) -> tuple[Task, Assignment | None, StatusReport | None]:
    """A live task by id, the agency's assignment on it and its newest report, in one statement.

    A press needs the task's own columns, one assignment and one report, not the units,
    milestones and plan the task card shows: loading those took six statements a press.
    """
    newest = (
        select(StatusReport.id)
        .where(StatusReport.task_id == Task.id, StatusReport.agency_id == agency_id)
        .order_by(StatusReport.reported_at.desc(), StatusReport.id.desc())
        .limit(1)
        .correlate(Task)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(Task, Assignment, StatusReport)
            .outerjoin(
                Assignment, (Assignment.task_id == Task.id) & (Assignment.agency_id == agency_id)
            )
            .outerjoin(StatusReport, StatusReport.id == newest)
            .where(Task.id == task_id, live_task())
        )
    ).first()
    if row is None:
        raise NotFoundError("This task no longer exists.")
    return row[0], row[1], row[2]


def _open_for_reports(task: Task, assignment: Assignment | None) -> Assignment:
    """The agency's assignment, if the task is on the agency and open for reports."""
    if assignment is None:
        raise ForbiddenError("Task {number} is not assigned to your agency.", number=task.number)
    if task.state is not TaskState.OPEN:
        raise ConflictError(
            "Task {number} is awaiting review or closed; reports are not taken now.",
            number=task.number,
        )
    return assignment


async def _reporting(
    session: AsyncSession, telegram_id: int, task_id: int
) -> tuple[Actor, Task, StatusReport | None]:
    """The actor, the task and the agency's newest report, if the task takes its reports now."""
    actor = await identify(session, telegram_id)
    agency_id = _require_agency(actor)
    task, assignment, latest = await _own_task(session, task_id, agency_id)
    _open_for_reports(task, assignment)
    return actor, task, latest


async def my_tasks(session: AsyncSession, *, telegram_id: int, now: dt.datetime) -> MyTasks:
    """The live tasks of the actor's agency, with role, light and next date."""
    actor = await identify(session, telegram_id)
    agency_id = _require_agency(actor)
    tasks = list(
        await session.scalars(
            select(Task)
            .join(Plan)
            .join(Assignment, Assignment.task_id == Task.id)
            .where(Assignment.agency_id == agency_id, live_task())
            .options(
                selectinload(Task.plan),
                selectinload(Task.assignments),
                selectinload(Task.milestones),
            )
            .order_by(*newest_plans_first(), Task.number)
        )
    )
    statuses = await task_statuses(session, tasks, now=now)
    views = [
        MyTask(
            task.id,
            task.number,
            task.text,
            str(next(a.role for a in task.assignments if a.agency_id == agency_id)),
            statuses[task.id].light,
            statuses[task.id].next_date,
            str(task.state),
            statuses[task.id].missed_due,
            statuses[task.id].days_overdue,
            statuses[task.id].returned,
            task.plan.code,
        )
        for task in tasks
    ]
    views.sort(key=lambda v: v.role != Role.LEAD)
    return MyTasks(actor.language, actor.agency_name or "", tuple(views), actor.agency_name_en)


async def task_card(
    session: AsyncSession, *, telegram_id: int, task_id: int, now: dt.datetime
) -> TaskCard:
    """A task card: the lead's liaisons and coordinators see every agency's latest report."""
    actor = await identify(session, telegram_id)
    task = await get_task_by_id(session, task_id)
    assignment = require_task_access(actor, task)
    status = (await task_statuses(session, [task], now=now))[task.id]
    reports = visible_reports(
        status.reports,
        coordinator=actor.is_coordinator,
        role=None if assignment is None else assignment.role,
        agency=actor.agency_name,
    )
    latest = (
        None if assignment is None else await _latest_own(session, task.id, assignment.agency_id)
    )
    return TaskCard(
        language=actor.language,
        task_id=task.id,
        number=task.number,
        text=task.text,
        state=str(task.state),
        role=None if assignment is None else str(assignment.role),
        light=status.light,
        next_date=status.next_date,
        reports=reports,
        can_report=assignment is not None
        and actor.agency_id is not None
        and task.state is TaskState.OPEN,
        token=latest.id if latest else 0,
        timezone=task.plan.timezone,
        missed_due=status.missed_due,
        days_overdue=status.days_overdue,
        returned=status.returned,
        # With several live plans a task is named with its plan.
        plan=task.plan.code if len(await two_live_plans(session)) > 1 else None,
    )


async def choose_status(
    session: AsyncSession, *, telegram_id: int, task_id: int, status: str, token: int
) -> StatusChoice:
    """Check a status button before asking for the percent."""
    actor, task, latest = await _reporting(session, telegram_id, task_id)
    chosen = parse_status(status)
    if (latest.id if latest else 0) != token:
        raise ConflictError(
            "Task {number} has changed since this message; open it again with /mytasks.",
            number=task.number,
        )
    return StatusChoice(actor.language, task.id, task.number, chosen, token)


async def save_report(
    session: AsyncSession,
    *,
    telegram_id: int,
    task_id: int,
    status: str,
    percent: int | None,
    token: int,
    now: dt.datetime,
) -> SavedReport:
    """Save a status report; "done" from the lead agency sends the task to review."""
    chosen = parse_status(status)
    if percent is not None and not 0 <= percent <= 100:
        raise InvalidInputError("Write the percent as a whole number from 0 to 100.")
    actor = await identify(session, telegram_id)
    await lock_task(session, task_id)
    task, assignment, latest = await _own_task(session, task_id, actor.agency_id)
    agency_id = _require_agency(actor)
    repeated = (
        latest is not None
        and latest.id != token
        and latest.member_id == actor.member_id
        and (latest.status, latest.percent) == (chosen, percent)
    )
    if latest is not None and repeated:
        return SavedReport(
            actor.language, latest.id, task.id, task.number, chosen, percent, False, True
        )
    assignment = _open_for_reports(task, assignment)
    if (latest.id if latest else 0) != token:
        raise ConflictError(
            "Task {number} has changed since this message; open it again with /mytasks.",
            number=task.number,
        )
    report = StatusReport(
        task_id=task.id,
        agency_id=agency_id,
        member_id=actor.member_id,
        status=chosen,
        percent=percent,
        note=None,
        reported_at=now,
    )
    session.add(report)
    await session.flush()
    _audit_report(session, actor, task, report, now)
    review = chosen is ReportStatus.DONE and assignment.role is Role.LEAD
    if review:
        await request_review(session, task=task, report=report, actor=actor, now=now)
    await session.commit()
    return SavedReport(
        actor.language, report.id, task.id, task.number, chosen, percent, review, False
    )


def _audit_report(
    session: AsyncSession, actor: Actor, task: Task, report: StatusReport, now: dt.datetime
) -> None:
    """Audit a new report row."""
    audit.record(
        session,
        at=now,
        actor=actor,
        action="report.add",
        entity="status_report",
        entity_id=report.id,
        plan_id=task.plan_id,
        task_id=task.id,
        after={
            "agency_id": report.agency_id,
            "status": str(report.status),
            "percent": report.percent,
            "note": report.note,
        },
    )


async def add_note(
    session: AsyncSession,
    *,
    telegram_id: int,
    task_id: int,
    text: str,
    now: dt.datetime,
    question: tuple[int, int] | None = None,
) -> SavedNote:
    """Attach a note: a new report carrying the agency's latest status and percent forward.

    `question`, the (chat, message) of the question the note answers, is forgotten with it.
    """
    actor, task, latest = await _reporting(session, telegram_id, task_id)
    agency_id = _require_agency(actor)
    note = text.strip()
    if not note:
        raise InvalidInputError("The note is empty.")
    if len(note) > NOTE_LIMIT:
        raise InvalidInputError(
            "The note is too long ({length} characters; at most {limit}). Please shorten it.",
            length=len(note),
            limit=NOTE_LIMIT,
        )
    if latest is None:
        raise ConflictError(
            "Report a status for task {number} first (/mytasks), then reply with the note.",
            number=task.number,
        )
    report = StatusReport(
        task_id=task.id,
        agency_id=agency_id,
        member_id=actor.member_id,
        status=latest.status,
        percent=latest.percent,
        note=note,
        reported_at=now,
    )
    session.add(report)
    await session.flush()
    _audit_report(session, actor, task, report, now)
    if question is not None:
        await forget(session, chat_id=question[0], message_id=question[1])
    await session.commit()
    return SavedNote(actor.language, task.id, task.number, len(note))


async def remember(
    session: AsyncSession, *, chat_id: int, message_id: int, task_id: int, now: dt.datetime
) -> None:
    """Record that a message just sent is about a task, so replies to it become notes."""
    await remember_message(
        session, chat_id=chat_id, message_id=message_id, task_id=task_id, now=now
    )
    await session.commit()


async def note_by_reply(
    session: AsyncSession,
    *,
    telegram_id: int,
    chat_id: int,
    message_id: int,
    text: str,
    now: dt.datetime,
) -> SavedNote | None:
    """A reply's note on the task its bot message is about; None when it is about no task."""
    task_id = await task_of_message(session, chat_id=chat_id, message_id=message_id)
    if task_id is None:
        return None
    return await add_note(session, telegram_id=telegram_id, task_id=task_id, text=text, now=now)

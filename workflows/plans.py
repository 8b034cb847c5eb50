"""Plans as people name them: by code, document number or a word of the title; and their board."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import TaskState
from db.models import Assignment, Plan, Task
from workflows import audit
from workflows.access import Actor, identify, require_coordinator
from workflows.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from workflows.lights import Light
from workflows.live import archived_plans, live_task, newest_plans_first
from workflows.status import task_statuses

MAX_PLAN_WORD = 64

# 国发〔2019〕3号 is typed as 国发[2019]3号, 国发(2019)3号, 国发2019年3号 or 国发 〔2019〕 3 号.
_BRACKETS = str.maketrans("", "", "〔〕[]()（）［］【】{}<>《》 年号第")


@dataclass(frozen=True)
class PlanChoice:
    """A plan as a button shows it: its code and short label."""

    plan_id: int
    code: str
    label: str


class PlanNeededError(InvalidInputError):
    """Several plans fit (or none was named): the member picks one of the choices."""

    def __init__(self, choices: tuple[PlanChoice, ...], typed: str | None = None) -> None:
        self.choices = choices
        self.typed = typed
        if typed:
            super().__init__("Several plans match “{typed}”; choose one.", typed=typed)
        else:
            super().__init__("There are several plans; choose one.")


@dataclass(frozen=True)
class PlanSummary:
    """A plan on the /plans list: what it is and how its tasks stand."""

    code: str
    label: str
    title: str | None
    tasks: int
    open: int
    red: int
    yellow: int
    green: int


def plan_label(plan: Plan) -> str:
    """A plan's short label: its document number, else its code."""
    return plan.document_number or plan.code


def _folded(text: str) -> str:
    """Text as compared: full-width folded, lower case, brackets, spaces, 年 and 号 dropped."""
    return unicodedata.normalize("NFKC", text).lower().translate(_BRACKETS)


def _choice(plan: Plan) -> PlanChoice:
    return PlanChoice(plan.id, plan.code, plan_label(plan))


async def _plans(
    session: AsyncSession, *, archived: bool = False, actor: Actor | None = None
) -> list[Plan]:
    """The plans in use (or the archived ones), by code; of a limited coordinator, theirs."""
    kept = Plan.archived_at.is_not(None) if archived else Plan.archived_at.is_(None)
    query = select(Plan).where(kept).order_by(*newest_plans_first())
    if actor is not None:
        query = query.where(actor.plan_filter(Plan.id))
    return list((await session.scalars(query)).all())


def matching_plans(plans: list[Plan], typed: str) -> list[Plan]:
    """The plans a typed name means: an exact code or number first, else a word of the title."""
    wanted = _folded(typed)
    if not wanted:
        return []
    exact = [
        p
        for p in plans
        if wanted == _folded(p.code)
        or (p.document_number is not None and wanted == _folded(p.document_number))
    ]
    if exact or len(wanted) < 2 or wanted.isdigit():
        return exact  # a bare number is a task's, not a plan's
    return [
        p
        for p in plans
        if wanted in _folded(p.title or "")
        or (p.document_number is not None and wanted in _folded(p.document_number))
    ]


async def find_plan(session: AsyncSession, typed: str, actor: Actor | None = None) -> Plan:
    """The one plan a typed name means; several raise PlanNeededError, none NotFoundError.

    A limited coordinator's `actor` finds only the plans they supervise.
    """
    typed = " ".join(typed.split())[:MAX_PLAN_WORD]
    found = matching_plans(await _plans(session, actor=actor), typed)
    limited = not found and actor is not None and actor.is_limited
    if limited and matching_plans(await _plans(session), typed):
        raise ForbiddenError("You do not supervise this plan.")
    if not found:
        raise NotFoundError("No plan matches “{typed}”. /plans lists them.", typed=typed)
    if len(found) > 1:
        raise PlanNeededError(tuple(_choice(p) for p in found), typed)
    return found[0]


async def plan_code_of(session: AsyncSession, plan_id: int | None) -> str | None:
    """The code of the plan a button carries by id (None without one, or once it is gone)."""
    if not plan_id:
        return None
    plan = await session.get(Plan, plan_id)
    return None if plan is None else plan.code


async def plan_word(session: AsyncSession, words: list[str]) -> tuple[Plan | None, list[str]]:
    """A command's leading plan name, if its first word names exactly one plan; and the rest."""
    if not words:
        return None, words
    found = matching_plans(await _plans(session), words[0])
    if len(found) == 1:
        return found[0], words[1:]
    return None, words


async def choose_plan(
    session: AsyncSession, typed: str | None, actor: Actor | None = None
) -> Plan | None:
    """The plan typed, or the only plan; None without plans; PlanNeededError when ambiguous.

    A limited coordinator's `actor` chooses among the plans they supervise.
    """
    if typed:
        return await find_plan(session, typed, actor)
    plans = await _plans(session, actor=actor)
    if len(plans) > 1:
        raise PlanNeededError(tuple(_choice(p) for p in plans))
    return plans[0] if plans else None


async def plan_in_reach(
    session: AsyncSession, *, telegram_id: int, plan_code: str | None
) -> str | None:
    """A limited coordinator's plan for a command: the one named or their only one; else as given.

    Several of theirs and none named raise PlanNeededError, another's ForbiddenError.
    """
    actor = await identify(session, telegram_id)
    if not actor.is_limited:
        return plan_code
    plan = await choose_plan(session, plan_code, actor)
    if plan is None:
        raise NotFoundError(
            "None of the plans you supervise is in use; /plans archived lists the archived ones."
        )
    return plan.code


async def plan_summaries(
    session: AsyncSession,
    *,
    telegram_id: int,
    now: dt.datetime,
    checkin_days: int,
    archived: bool = False,
) -> tuple[str, list[PlanSummary]]:
    """/plans: each plan's live tasks counted by state and light (a liaison's: their agency's).

    `archived` lists the archived plans instead (coordinators only).
    """
    actor = await identify(session, telegram_id)
    if archived:
        require_coordinator(actor)
        query = select(Task).where(Task.removed_at.is_(None), archived_plans())
    else:
        query = select(Task).where(live_task())
    query = query.where(actor.plan_filter(Task.plan_id))
    if not actor.is_coordinator:
        mine = select(Assignment.task_id).where(Assignment.agency_id == actor.agency_id)
        query = query.where(Task.id.in_(mine))
    tasks = (
        await session.scalars(
            query.options(
                selectinload(Task.plan),
                selectinload(Task.assignments).selectinload(Assignment.agency),
                selectinload(Task.milestones),
            )
        )
    ).all()
    statuses = await task_statuses(session, tasks, now=now, checkin_days=checkin_days)
    counts: dict[int, Counter[str]] = {}
    for task in tasks:
        tally = counts.setdefault(task.plan_id, Counter())
        tally["tasks"] += 1
        if task.state is TaskState.OPEN:
            tally["open"] += 1
            tally[statuses[task.id].light.value] += 1
    summaries = []
    for plan in await _plans(session, archived=archived, actor=actor):
        if not actor.is_coordinator and plan.id not in counts:
            continue
        tally = counts.get(plan.id, Counter())
        summaries.append(
            PlanSummary(
                code=plan.code,
                label=plan_label(plan),
                title=plan.title,
                tasks=tally["tasks"],
                open=tally["open"],
                red=tally[Light.RED.value],
                yellow=tally[Light.YELLOW.value],
                green=tally[Light.GREEN.value],
            )
        )
    await session.commit()
    return actor.language, summaries


@dataclass(frozen=True)
class PlanChange:
    """A plan archived or restored: which, and how many of its tasks were still open."""

    language: str
    label: str
    code: str
    carried_over: int


async def _coordinator(session: AsyncSession, telegram_id: int | None) -> Actor | None:
    """The coordinator acting, or None for the shell (audited as system)."""
    if telegram_id is None:
        return None
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    return actor


async def archive_plan(
    session: AsyncSession,
    *,
    telegram_id: int | None,
    typed: str,
    now: dt.datetime,
    carry_over: bool = False,
) -> PlanChange:
    """Archive a plan: its open tasks must be closed, or are noted (audited) as carried over.

    `telegram_id` None is the command line.
    """
    actor = await _coordinator(session, telegram_id)
    plan = await find_plan(session, typed, actor)
    open_tasks = (
        await session.scalars(
            select(Task).where(
                Task.plan_id == plan.id,
                Task.removed_at.is_(None),
                Task.state == TaskState.OPEN,
            )
        )
    ).all()
    if open_tasks and not carry_over:
        raise ConflictError(
            "{count} tasks of {plan} are still open. Close them, or archive with “carry” "
            "to note them as carried over.",
            count=len(open_tasks),
            plan=plan_label(plan),
        )
    for task in open_tasks:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="task.carry_over",
            entity="task",
            entity_id=task.id,
            plan_id=plan.id,
            task_id=task.id,
        )
    plan.archived_at = now
    plan.updated_at = now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="plan.archive",
        entity="plan",
        entity_id=plan.id,
        plan_id=plan.id,
        after={"carried_over": len(open_tasks)},
    )
    await session.commit()
    language = actor.language if actor else "en"
    return PlanChange(language, plan_label(plan), plan.code, len(open_tasks))


async def restore_plan(
    session: AsyncSession, *, telegram_id: int | None, typed: str, now: dt.datetime
) -> PlanChange:
    """Bring an archived plan back into every list, sweep and feed, as it was."""
    actor = await _coordinator(session, telegram_id)
    archived = await _plans(session, archived=True, actor=actor)
    found = matching_plans(archived, " ".join(typed.split()))
    if len(found) != 1:
        raise NotFoundError(
            "No archived plan matches “{typed}”. /plans archived lists them.", typed=typed
        )
    plan = found[0]
    plan.archived_at = None
    plan.updated_at = now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="plan.restore",
        entity="plan",
        entity_id=plan.id,
        plan_id=plan.id,
    )
    await session.commit()
    return PlanChange(actor.language if actor else "en", plan_label(plan), plan.code, 0)

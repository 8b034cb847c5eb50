"""Importing an annex into a plan: read, compare with the stored plan, write in one transaction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import Role
from db.models import Agency, Assignment, AuditEvent, Plan, Task
from workflows.agencies import AgencyResolver
from workflows.errors import AnnexbotError
from workflows.importing.diff import PlanDiff, diff_tasks
from workflows.importing.interpret import AnnexTask, interpret_annex
from workflows.importing.model import DocumentInfo, Layout
from workflows.importing.readers import Format, read_annex
from workflows.importing.snapshot import TaskSnapshot, snapshot_from_annex, snapshot_from_task
from workflows.importing.writing import write_task
from workflows.notices import enqueue_pending_notices

BUNDLED_ANNEXES = {"gf-2015-5": "gf-2015-5.txt"}
PLAN_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
DOCUMENT_NUMBER = re.compile(
    r"^(?P<prefix>\S+?)[〔\[［(（](?P<year>\d{4})[〕\]］)）](?P<seq>\d+)号$"
)
# Pinyin initials of the most common issuing prefixes, for plan codes such as gf-2015-5.
PREFIX_CODES = {"国发": "gf", "国办发": "gbf", "国函": "gh", "国办函": "gbh"}


@dataclass(frozen=True)
class UnknownUnit:
    """A unit the agency directory does not know, and the tasks that name it."""

    name: str
    tasks: tuple[int, ...]
    created: bool


@dataclass(frozen=True)
class FlaggedSchedule:
    """A schedule phrase that could not be read into dates; it needs a date set by hand."""

    number: int
    text: str
    line: int


@dataclass(frozen=True)
class ImportResult:
    """What an import found, and whether it was written."""

    plan_code: str
    plan_created: bool
    layout: Layout
    document: DocumentInfo
    task_count: int
    diff: PlanDiff
    applied: bool
    needs_confirmation: bool
    unknown_units: tuple[UnknownUnit, ...]
    flagged: tuple[FlaggedSchedule, ...]


def bundled_annex(name: str) -> bytes:
    """The text of an annex shipped with annexbot."""
    if name not in BUNDLED_ANNEXES:
        known = ", ".join(sorted(BUNDLED_ANNEXES))
        raise AnnexbotError(f"no bundled annex {name!r}; bundled: {known}")
    return resources.files("workflows.data").joinpath(BUNDLED_ANNEXES[name]).read_bytes()


def plan_code_for(requested: str | None, document: DocumentInfo, filename: str | None) -> str:
    """The plan's code: as asked, else from the document number, else from the file's name."""
    candidates: list[str] = []
    if requested:
        candidates.append(requested.strip().lower())
        if not PLAN_CODE.match(candidates[0]):
            raise AnnexbotError(
                f"plan code {requested!r} must be lower-case letters, digits, '.', '_' or '-'"
            )
    if document.number and (match := DOCUMENT_NUMBER.match(document.number)):
        prefix = PREFIX_CODES.get(match["prefix"])
        if prefix:
            candidates.append(f"{prefix}-{match['year']}-{int(match['seq'])}")
    if filename and filename != "-":
        stem = re.sub(r"[^a-z0-9._-]+", "-", filename.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower())
        candidates.append(stem.strip("-._"))
    for candidate in candidates:
        if PLAN_CODE.match(candidate):
            return candidate
    raise AnnexbotError("cannot name the plan from the file; give one with --plan CODE")


async def _load_plan(session: AsyncSession, code: str) -> Plan | None:
    """A plan with every task, assignment, agency and milestone loaded."""
    return await session.scalar(
        select(Plan)
        .where(Plan.code == code)
        .options(
            selectinload(Plan.tasks).selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Plan.tasks).selectinload(Task.milestones),
        )
    )


def _resolve_units(
    task: AnnexTask, resolver: AgencyResolver, agencies: dict[str, Agency]
) -> tuple[tuple[str, Role], ...]:
    """A task's units as (agency name, role), one entry per agency, leads first."""
    roles: dict[str, Role] = {}
    for unit in task.units.units:
        agency = resolver.resolve(unit.name, is_group=unit.is_group)
        agencies[agency.name] = agency
        role = Role(unit.role)
        if roles.get(agency.name) is not Role.LEAD:
            roles[agency.name] = role
    ordered = sorted(roles.items(), key=lambda item: item[1] is not Role.LEAD)
    return tuple(ordered)


def _unknown_units(
    snapshots: list[TaskSnapshot], agencies: dict[str, Agency], created: set[str]
) -> tuple[UnknownUnit, ...]:
    """Units of the file that the directory does not know, with the tasks naming them."""
    tasks_by_name: dict[str, list[int]] = {}
    for snapshot in snapshots:
        for name, _ in snapshot.units:
            if not agencies[name].in_directory:
                tasks_by_name.setdefault(name, []).append(snapshot.number)
    return tuple(
        UnknownUnit(name, tuple(numbers), name in created)
        for name, numbers in tasks_by_name.items()
    )


async def import_annex(
    *,
    session: AsyncSession,
    data: bytes,
    now: dt.datetime,
    timezone: str,
    plan_code: str | None = None,
    format: Format = "auto",
    filename: str | None = None,
    document: DocumentInfo | None = None,
    dry_run: bool = False,
    apply: bool = False,
    actor: str = "cli",
) -> ImportResult:
    """Import an annex into a plan; a changed plan is only rewritten when `apply` is set."""
    raw = read_annex(data, format=format, filename=filename)
    info = raw.document
    if document is not None:
        info = replace(
            info,
            number=document.number or info.number,
            title=document.title or info.title,
            issued_on=document.issued_on or info.issued_on,
        )
    code = plan_code_for(plan_code, info, filename)
    tasks = interpret_annex(raw, issued_on=info.issued_on)

    plan = await _load_plan(session, code)
    resolver = AgencyResolver(session, now=now)
    await resolver.load()
    agencies: dict[str, Agency] = {}
    incoming = [snapshot_from_annex(t, _resolve_units(t, resolver, agencies)) for t in tasks]
    stored = (
        [] if plan is None else [snapshot_from_task(t) for t in plan.tasks if t.removed_at is None]
    )
    diff = diff_tasks(stored, incoming)
    needs_confirmation = plan is not None and not diff.is_empty and not apply
    write = not dry_run and not needs_confirmation and not diff.is_empty

    result = ImportResult(
        plan_code=code,
        plan_created=plan is None,
        layout=raw.layout,
        document=info,
        task_count=len(incoming),
        diff=diff,
        applied=write,
        needs_confirmation=needs_confirmation and not dry_run,
        unknown_units=_unknown_units(
            incoming, agencies, {a.name for a in resolver.created_unknown}
        ),
        flagged=tuple(
            FlaggedSchedule(t.number, t.schedule.text, t.line) for t in tasks if t.schedule.flagged
        ),
    )
    if not write:
        await session.rollback()
        return result

    if plan is None:
        plan = Plan(
            code=code,
            document_number=info.number,
            title=info.title,
            issued_on=info.issued_on,
            timezone=timezone,
            created_at=now,
            updated_at=now,
            tasks=[],
        )
        session.add(plan)
    plan.updated_at = now
    await _write_diff(session, plan, diff, agencies, now=now, actor=actor)
    # Liaisons already registered hear about their new tasks from the running bot's sender.
    await enqueue_pending_notices(session, now=now)
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="plan.import",
            plan_id=plan.id,
            entity="plan",
            after={
                "layout": raw.layout,
                "tasks": len(incoming),
                "added": len(diff.added),
                "changed": len(diff.changed),
                "removed": len(diff.removed),
            },
        )
    )
    await session.commit()
    return result


async def _write_diff(
    session: AsyncSession,
    plan: Plan,
    diff: PlanDiff,
    agencies: dict[str, Agency],
    *,
    now: dt.datetime,
    actor: str,
) -> None:
    """Write added, changed and removed tasks, with an audit event for each."""
    by_number = {task.number: task for task in plan.tasks}
    events: list[tuple[Task, str, TaskSnapshot | None, TaskSnapshot | None]] = []
    for snapshot in diff.added:
        task = by_number.get(snapshot.number)
        if task is None:
            task = Task(number=snapshot.number, created_at=now, assignments=[], milestones=[])
            plan.tasks.append(task)
        task.removed_at = None
        write_task(task, snapshot, agencies, now=now)
        events.append((task, "task.add", None, snapshot))
    for change in diff.changed:
        task = by_number[change.number]
        write_task(task, change.after, agencies, now=now)
        events.append((task, "task.change", change.before, change.after))
    for snapshot in diff.removed:
        task = by_number[snapshot.number]
        write_task(task, replace(snapshot, milestones=()), agencies, now=now, keep_units=True)
        task.removed_at = now
        events.append((task, "task.remove", snapshot, None))
    await session.flush()
    for task, action, before, after in events:
        session.add(
            AuditEvent(
                at=now,
                actor=actor,
                action=action,
                plan_id=plan.id,
                task_id=task.id,
                entity="task",
                entity_id=task.id,
                before=before.as_json() if before else None,
                after=after.as_json() if after else None,
            )
        )

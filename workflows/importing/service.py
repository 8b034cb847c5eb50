"""Importing an annex into a plan: read, compare with the stored plan, write in one transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass, replace
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import Role, RoleMarker
from db.models import Agency, Assignment, AuditEvent, Plan, Task
from workflows.agencies import AgencyResolver
from workflows.errors import AnnexbotError
from workflows.importing.bulk import write_new_tasks
from workflows.importing.collector import without_collector
from workflows.importing.diff import PlanDiff, diff_tasks
from workflows.importing.interpret import AnnexTask, interpret_annex
from workflows.importing.model import DocumentInfo, FlagReason, Layout, ParsedUnits
from workflows.importing.readers import Format, read_annex
from workflows.importing.snapshot import (
    ResolvedUnits,
    TaskSnapshot,
    snapshot_from_annex,
    snapshot_from_task,
)
from workflows.importing.writing import write_task
from workflows.jurisdiction import jurisdiction_of_document, parse_jurisdiction
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
    """A unit the agency directory does not know, and the tasks that name it.

    `local` when it reads as a local unit (省发展改革委) but the plan's jurisdiction does not
    say which place it belongs to: giving the plan its jurisdiction names it.
    """

    name: str
    tasks: tuple[int, ...]
    created: bool
    local: bool = False


@dataclass(frozen=True)
class FlaggedSchedule:
    """A schedule phrase that could not be read into dates; it needs a date set by hand.

    `reason` says why: unread, empty, tied to an event (`event`, such as 春节) whose date is
    not fixed, a year-less date before the signing date, or no year to read it in.
    """

    number: int
    text: str
    line: int
    reason: FlagReason = "unread"
    event: str | None = None


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
    jurisdiction: str | None = None  # where the plan applies (浙江省), if a local plan
    no_schedule: bool = False  # the annex gives no schedule at all (said once, nothing flagged)


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
) -> ResolvedUnits:
    """A task's units as agencies, one entry per agency, leads first, with their markers."""
    roles: dict[str, Role] = {}
    markers: dict[str, RoleMarker | None] = {}
    for unit in task.units.units:
        agency = resolver.resolve(unit.name, is_group=unit.is_group)
        agencies[agency.name] = agency
        role = Role(unit.role)
        marker = RoleMarker(unit.marker) if unit.marker else None
        if roles.get(agency.name) is not Role.LEAD:
            roles[agency.name] = role
            markers[agency.name] = marker
    ordered = sorted(roles.items(), key=lambda item: item[1] is not Role.LEAD)
    # Two printed names of one agency may have made a second lead the first.
    leads = [name for name, role in ordered if role is Role.LEAD]
    if leads:
        markers[leads[0]] = None
    return ResolvedUnits(
        units=tuple(ordered),
        markers=tuple((name, marker) for name, _ in ordered if (marker := markers[name])),
    )


def _unknown_units(
    snapshots: list[TaskSnapshot], agencies: dict[str, Agency], resolver: AgencyResolver
) -> tuple[UnknownUnit, ...]:
    """Units of the file the directory does not know and no jurisdiction places, by task."""
    created = {a.name for a in resolver.created_unknown}
    tasks_by_name: dict[str, list[int]] = {}
    for snapshot in snapshots:
        for name, _ in snapshot.units:
            agency = agencies[name]
            if not agency.in_directory and agency.jurisdiction is None:
                tasks_by_name.setdefault(name, []).append(snapshot.number)
    return tuple(
        UnknownUnit(name, tuple(numbers), name in created, name in resolver.local_unplaced)
        for name, numbers in tasks_by_name.items()
    )


def _jurisdiction(requested: str | None, plan: Plan | None, info: DocumentInfo) -> str | None:
    """Where the plan applies: as asked, else as stored, else as the document's issuer says."""
    if requested is not None:
        requested = requested.strip()
        if requested and not parse_jurisdiction(requested):
            raise AnnexbotError(
                f"jurisdiction {requested!r} is not a place such as 浙江省 or 浙江省杭州市"
            )
        return requested or None
    if plan is not None and plan.jurisdiction:
        return plan.jurisdiction
    return jurisdiction_of_document(title=info.title, number=info.number)


@without_collector
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
    jurisdiction: str | None = None,
) -> ImportResult:
    """Import an annex into a plan; a changed plan is only rewritten when `apply` is set.

    `jurisdiction` (浙江省, 浙江省杭州市) places the plan's local units; without it the
    stored plan's, or the one the document's issuer names, is used. Everything is written in
    one transaction: a new plan's rows as multi-row inserts, which keep it to a second or two.
    """
    # Reading is seconds of CPU for a large file: off the event loop the bot's chats go on.
    raw = await asyncio.to_thread(read_annex, data, format=format, filename=filename)
    info = raw.document
    if document is not None:
        info = replace(
            info,
            number=document.number or info.number,
            title=document.title or info.title,
            issued_on=document.issued_on or info.issued_on,
        )
    code = plan_code_for(plan_code, info, filename)
    tasks = await asyncio.to_thread(interpret_annex, raw, issued_on=info.issued_on)

    plan = await _load_plan(session, code)
    place = _jurisdiction(jurisdiction, plan, info)
    resolver = AgencyResolver(session, now=now, jurisdiction=place)
    await resolver.load()
    agencies: dict[str, Agency] = {}
    # Rows repeat their units; resolving the same units again would give the same agencies.
    resolved: dict[ParsedUnits, ResolvedUnits] = {}
    incoming = []
    for task in tasks:
        units = resolved.get(task.units)
        if units is None:
            units = resolved[task.units] = _resolve_units(task, resolver, agencies)
        incoming.append(snapshot_from_annex(task, units))
    stored = (
        [] if plan is None else [snapshot_from_task(t) for t in plan.tasks if t.removed_at is None]
    )
    diff = diff_tasks(stored, incoming)
    moved = plan is not None and place != plan.jurisdiction
    needs_confirmation = plan is not None and not diff.is_empty and not apply
    write = not dry_run and not needs_confirmation and (not diff.is_empty or moved)

    result = ImportResult(
        plan_code=code,
        plan_created=plan is None,
        layout=raw.layout,
        document=info,
        task_count=len(incoming),
        diff=diff,
        applied=write,
        needs_confirmation=needs_confirmation and not dry_run,
        unknown_units=_unknown_units(incoming, agencies, resolver),
        flagged=tuple(
            FlaggedSchedule(
                t.number, t.schedule.text, t.line, t.schedule.reason or "unread", t.schedule.event
            )
            for t in tasks
            if t.schedule.flagged
        ),
        jurisdiction=place,
        no_schedule=not any(t.schedule.text for t in tasks),
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
            jurisdiction=place,
            timezone=timezone,
            created_at=now,
            updated_at=now,
            tasks=[],
        )
        session.add(plan)
        await session.flush()
        await write_new_tasks(session, plan, diff.added, agencies, now=now, actor=actor)
    else:
        plan.jurisdiction = place
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
                "jurisdiction": place,
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
        write_task(task, snapshot, agencies, now=now, issued_on=plan.issued_on)
        events.append((task, "task.add", None, snapshot))
    for change in diff.changed:
        task = by_number[change.number]
        write_task(task, change.after, agencies, now=now, issued_on=plan.issued_on)
        events.append((task, "task.change", change.before, change.after))
    for snapshot in diff.removed:
        task = by_number[snapshot.number]
        gone = replace(snapshot, milestones=(), recurrence=None)
        write_task(task, gone, agencies, now=now, keep_units=True)
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

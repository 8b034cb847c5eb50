"""Writing an import's difference to the plan in chunks, each its own transaction.

On SQLite one writer at a time holds the database: a 10,000-task import written in one
transaction keeps the bot's liaisons waiting for tens of seconds, past the busy timeout. In
chunks of IMPORT_CHUNK tasks with a pause between, they wait one chunk at most. An import cut
short is finished by importing the file again (the rest shows as the difference to apply).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agency, AuditEvent, Plan, Task
from workflows.importing.diff import PlanDiff
from workflows.importing.snapshot import TaskSnapshot
from workflows.importing.writing import write_task

IMPORT_CHUNK = 200  # tasks per transaction: under a second of writing on SQLite
# Longer than SQLite's busy handler sleeps between tries (100 ms), so a waiting writer gets in.
CHUNK_PAUSE_SECONDS = 0.15
Pause = Callable[[int], Awaitable[None]]  # awaited between chunks with the tasks written so far
Step = tuple[str, TaskSnapshot | None, TaskSnapshot | None]  # action, before, after


async def _pause(_written: int) -> None:
    """Let other writers in between two chunks."""
    await asyncio.sleep(CHUNK_PAUSE_SECONDS)


async def write_diff(
    session: AsyncSession,
    plan: Plan,
    diff: PlanDiff,
    agencies: dict[str, Agency],
    *,
    now: dt.datetime,
    actor: str,
    chunk: int = IMPORT_CHUNK,
    pause: Pause | None = None,
) -> None:
    """Write added, changed and removed tasks with an audit event each, committing by chunk.

    The last chunk is left uncommitted: the caller commits it with the plan's own changes.
    """
    steps: list[Step] = [
        *(("task.add", None, snapshot) for snapshot in diff.added),
        *(("task.change", change.before, change.after) for change in diff.changed),
        *(("task.remove", snapshot, None) for snapshot in diff.removed),
    ]
    by_number = {task.number: task for task in plan.tasks}
    for start in range(0, max(len(steps), 1), chunk):
        if start:
            await session.commit()
            await (pause or _pause)(start)
        written = [
            (_write_step(plan, by_number, step, agencies, now=now), step)
            for step in steps[start : start + chunk]
        ]
        await session.flush()
        _audit(session, plan, written, now=now, actor=actor)


def _write_step(
    plan: Plan,
    by_number: dict[int, Task],
    step: Step,
    agencies: dict[str, Agency],
    *,
    now: dt.datetime,
) -> Task:
    """Write one added, changed or removed task."""
    action, before, after = step
    if after is None:
        assert before is not None
        task = by_number[before.number]
        gone = replace(before, milestones=(), recurrence=None)
        write_task(task, gone, agencies, now=now, keep_units=True)
        task.removed_at = now
        return task
    stored = by_number.get(after.number)
    if stored is None:
        stored = Task(number=after.number, created_at=now, assignments=[], milestones=[])
        plan.tasks.append(stored)
        by_number[after.number] = stored
    if action == "task.add":
        stored.removed_at = None
    write_task(stored, after, agencies, now=now, issued_on=plan.issued_on)
    return stored


def _audit(
    session: AsyncSession,
    plan: Plan,
    written: list[tuple[Task, Step]],
    *,
    now: dt.datetime,
    actor: str,
) -> None:
    """An audit event for each task written, with its snapshot before and after."""
    for task, (action, before, after) in written:
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

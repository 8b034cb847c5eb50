"""Writing a new plan's tasks in bulk: a few multi-row inserts instead of an object per cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TaskState
from db.models import Agency, Assignment, AuditEvent, Milestone, Plan, Task
from workflows.checkpoints import lay_recurring_checkpoints
from workflows.importing.snapshot import TaskSnapshot
from workflows.importing.writing import task_fields, write_fields, write_milestones

# SQLite allows 32,766 parameters a statement; chunks of rows of ~15 columns stay inside.
CHUNK = 1000


def _milestones(
    snapshot: TaskSnapshot, *, now: dt.datetime, issued_on: dt.date | None
) -> list[dict[str, Any]]:
    """The milestones a new task starts with: its schedule's, and its recurring checkpoints."""
    if snapshot.recurrence is None and len({m.key for m in snapshot.milestones}) == len(
        snapshot.milestones
    ):
        return [
            {
                "key": m.key,
                "kind": m.kind,
                "on_date": m.on_date,
                "label": "",
                "sequence": 0,
                "cancelled_at": None,
                "created_at": now,
                "updated_at": now,
            }
            for m in snapshot.milestones
        ]
    # Repeated keys and checkpoint rules: the same rules as a stored task, on a transient one.
    task = Task(milestones=[])
    write_fields(task, snapshot, now=now)
    write_milestones(task, snapshot, now=now)
    lay_recurring_checkpoints(task, issued_on=issued_on, now=now)
    return [
        {
            "key": m.key,
            "kind": m.kind,
            "on_date": m.on_date,
            "label": m.label,
            "sequence": m.sequence,
            "cancelled_at": m.cancelled_at,
            "created_at": m.created_at,
            "updated_at": m.updated_at,
        }
        for m in task.milestones
    ]


async def _insert(session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows in chunks, without ORM bookkeeping: on PostgreSQL one multi-row INSERT each.

    asyncpg runs an executemany as one statement per row, so PostgreSQL's statement trigger
    raising the feed version ran once per row, each time on a longer chain of that one row's
    versions: a 10,000-task import took 158 s. SQLite's executemany is faster than compiling a
    thousand-row INSERT (5 s against 13 s for 10,000 tasks), and its triggers are per row anyway.
    """
    connection = await session.connection()
    one_statement = connection.dialect.name == "postgresql"
    for start in range(0, len(rows), CHUNK):
        chunk = list(rows[start : start + CHUNK])
        if one_statement:
            await connection.execute(insert(model.__table__).values(chunk))
        else:
            await connection.execute(insert(model.__table__), chunk)


# Past this many new tasks PostgreSQL is told how big the task table has become (see below).
ANALYZE_AFTER = 500


async def _refresh_statistics(session: AsyncSession, added: int) -> None:
    """On PostgreSQL, ANALYZE task after a large insert, before the units point at it.

    The foreign-key checks of the units and milestones that follow are planned on the task
    table's statistics; planned while it looked empty, each check scans the whole table, and a
    10,000-task import took minutes instead of seconds. ANALYZE sees this transaction's rows.
    """
    if added < ANALYZE_AFTER or session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(text("ANALYZE task"))


async def write_new_tasks(
    session: AsyncSession,
    plan: Plan,
    added: Sequence[TaskSnapshot],
    agencies: dict[str, Agency],
    *,
    now: dt.datetime,
    actor: str,
) -> None:
    """Insert a new plan's tasks, their units, milestones and a task.add audit event each."""
    await _insert(
        session,
        Task,
        [
            {
                **task_fields(snapshot, now=now),
                "plan_id": plan.id,
                "number": snapshot.number,
                "state": TaskState.OPEN,
                "removed_at": None,
                "created_at": now,
            }
            for snapshot in added
        ],
    )
    await _refresh_statistics(session, len(added))
    ids = dict(
        (await session.execute(select(Task.number, Task.id).where(Task.plan_id == plan.id))).all()
    )
    assignments: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for snapshot in added:
        task_id = ids[snapshot.number]
        markers = dict(snapshot.markers)
        assignments += [
            {
                "task_id": task_id,
                "agency_id": agencies[name].id,
                "role": role,
                "marker": markers.get(name),
                "position": position,
                "created_at": now,
            }
            for position, (name, role) in enumerate(snapshot.units)
        ]
        milestones += [
            {**row, "task_id": task_id}
            for row in _milestones(snapshot, now=now, issued_on=plan.issued_on)
        ]
        events.append(
            {
                "at": now,
                "actor": actor,
                "action": "task.add",
                "plan_id": plan.id,
                "task_id": task_id,
                "entity": "task",
                "entity_id": task_id,
                "after": snapshot.as_json(),
            }
        )
    await _insert(session, Assignment, assignments)
    await _insert(session, Milestone, milestones)
    await _insert(session, AuditEvent, events)

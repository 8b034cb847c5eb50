"""Writing a new plan's tasks in bulk: a few multi-row inserts instead of an object per cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TaskState
from db.models import Agency, Assignment, AuditEvent, Milestone, Plan, Task
from workflows.checkpoints import lay_recurring_checkpoints
from workflows.importing.snapshot import TaskSnapshot
from workflows.importing.writing import task_fields, write_fields, write_milestones


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


async def _inserted(
    session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]], *returned: str
) -> list[tuple[Any, ...]]:
    """Insert rows without ORM bookkeeping and return the `returned` columns of each.

    With RETURNING, SQLAlchemy's "insertmanyvalues" sends pages of up to 1,000 rows per
    statement, each rendered by string substitution from one compiled single-row INSERT. Both
    alternatives were slow for 10,000 tasks: `insert().values(chunk)` compiles a bind parameter
    per cell (60 of the 97 s of a profiled PostgreSQL import), and a plain executemany is one
    statement per row on asyncpg, each firing the feed-version statement trigger.
    """
    if not rows:
        return []
    table = model.__table__
    connection = await session.connection()
    statement = insert(table).returning(*(table.c[name] for name in returned))
    return [tuple(row) for row in await connection.execute(statement, list(rows))]


async def _insert(session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows in pages of multi-row INSERTs (RETURNING the id only to get the pages)."""
    await _inserted(session, model, rows, "id")


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
    inserted = await _inserted(
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
        "id",
        "number",
    )
    await _refresh_statistics(session, len(added))
    ids = {number: task_id for task_id, number in inserted}
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

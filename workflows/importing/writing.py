"""Writing a task snapshot onto a stored task: fields, assignments and milestones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.enums import MilestoneKind
from db.models import Agency, Assignment, Task
from workflows.checkpoints import lay_recurring_checkpoints
from workflows.importing.snapshot import TaskSnapshot
from workflows.milestones import place_milestone
from workflows.recurrence import is_recurring_key


def write_task(
    task: Task,
    snapshot: TaskSnapshot,
    agencies: dict[str, Agency],
    *,
    now: dt.datetime,
    issued_on: dt.date | None = None,
    keep_units: bool = False,
) -> None:
    """Make a stored task match a snapshot; moved milestones keep their identity."""
    write_fields(task, snapshot, now=now)
    if not keep_units:
        _write_assignments(task, snapshot, agencies, now=now)
    write_milestones(task, snapshot, now=now)
    lay_recurring_checkpoints(task, issued_on=issued_on, now=now)


def task_fields(snapshot: TaskSnapshot, *, now: dt.datetime) -> dict[str, Any]:
    """A snapshot's text and schedule as a task's column values."""
    return {
        "section": snapshot.section,
        "text": snapshot.text,
        "schedule_text": snapshot.schedule_text,
        "start_on": snapshot.start_on,
        "due_on": snapshot.due_on,
        "ongoing": snapshot.ongoing,
        "schedule_flagged": snapshot.schedule_flagged,
        "units_open": snapshot.units_open,
        "responsibility_note": snapshot.note,
        "recurrence": snapshot.recurrence,
        "updated_at": now,
    }


def write_fields(task: Task, snapshot: TaskSnapshot, *, now: dt.datetime) -> None:
    """Copy a snapshot's text and schedule onto a task."""
    for name, value in task_fields(snapshot, now=now).items():
        setattr(task, name, value)


def _write_assignments(
    task: Task, snapshot: TaskSnapshot, agencies: dict[str, Agency], *, now: dt.datetime
) -> None:
    """Add, re-role, re-order and drop assignments to match the snapshot's units."""
    existing = {assignment.agency.name: assignment for assignment in task.assignments}
    markers = dict(snapshot.markers)
    for position, (name, role) in enumerate(snapshot.units):
        assignment = existing.pop(name, None)
        if assignment is None:
            task.assignments.append(
                Assignment(
                    agency=agencies[name],
                    role=role,
                    marker=markers.get(name),
                    position=position,
                    created_at=now,
                )
            )
        else:
            assignment.role = role
            assignment.marker = markers.get(name)
            assignment.position = position
    for assignment in existing.values():
        task.assignments.remove(assignment)


def write_milestones(task: Task, snapshot: TaskSnapshot, *, now: dt.datetime) -> None:
    """Create, move or cancel the schedule's milestones; hand-made ones are left alone.

    Recurring checkpoints are laid apart (lay_recurring_checkpoints).
    """
    existing = {m.key: m for m in task.milestones if not is_recurring_key(m.key)}
    for planned in snapshot.milestones:
        existing.pop(planned.key, None)
        place_milestone(task, key=planned.key, kind=planned.kind, on_date=planned.on_date, now=now)
    for milestone in existing.values():
        if milestone.kind is not MilestoneKind.CUSTOM and milestone.cancelled_at is None:
            milestone.cancelled_at = now
            milestone.sequence += 1
            milestone.updated_at = now

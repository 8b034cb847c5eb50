"""Writing a task snapshot onto a stored task: fields, assignments and milestones."""

from __future__ import annotations

import datetime as dt

from db.enums import MilestoneKind
from db.models import Agency, Assignment, Task
from workflows.importing.snapshot import TaskSnapshot
from workflows.milestones import place_milestone


def write_task(
    task: Task,
    snapshot: TaskSnapshot,
    agencies: dict[str, Agency],
    *,
    now: dt.datetime,
    keep_units: bool = False,
) -> None:
    """Make a stored task match a snapshot; moved milestones keep their identity."""
    task.section = snapshot.section
    task.text = snapshot.text
    task.schedule_text = snapshot.schedule_text
    task.start_on = snapshot.start_on
    task.due_on = snapshot.due_on
    task.ongoing = snapshot.ongoing
    task.schedule_flagged = snapshot.schedule_flagged
    task.units_open = snapshot.units_open
    task.updated_at = now
    if not keep_units:
        _write_assignments(task, snapshot, agencies, now=now)
    _write_milestones(task, snapshot, now=now)


def _write_assignments(
    task: Task, snapshot: TaskSnapshot, agencies: dict[str, Agency], *, now: dt.datetime
) -> None:
    """Add, re-role, re-order and drop assignments to match the snapshot's units."""
    existing = {assignment.agency.name: assignment for assignment in task.assignments}
    for position, (name, role) in enumerate(snapshot.units):
        assignment = existing.pop(name, None)
        if assignment is None:
            task.assignments.append(
                Assignment(agency=agencies[name], role=role, position=position, created_at=now)
            )
        else:
            assignment.role = role
            assignment.position = position
    for assignment in existing.values():
        task.assignments.remove(assignment)


def _write_milestones(task: Task, snapshot: TaskSnapshot, *, now: dt.datetime) -> None:
    """Create, move or cancel the schedule's milestones; hand-made ones are left alone."""
    existing = {milestone.key: milestone for milestone in task.milestones}
    for planned in snapshot.milestones:
        existing.pop(planned.key, None)
        place_milestone(task, key=planned.key, kind=planned.kind, on_date=planned.on_date, now=now)
    for milestone in existing.values():
        if milestone.kind is not MilestoneKind.CUSTOM and milestone.cancelled_at is None:
            milestone.cancelled_at = now
            milestone.sequence += 1
            milestone.updated_at = now

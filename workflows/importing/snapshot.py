"""One comparable shape for a task, whether it comes from a file or from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from db.enums import MilestoneKind, Role, RoleMarker
from db.models import Task
from workflows.importing.interpret import AnnexTask
from workflows.importing.model import Schedule
from workflows.recurrence import is_recurring_key


@dataclass(frozen=True)
class PlannedMilestone:
    """A milestone a schedule calls for; `key` is its identity within the task."""

    key: str
    kind: MilestoneKind
    on_date: dt.date


@dataclass(frozen=True)
class ResolvedUnits:
    """A task's units as agencies: (name, role) leads first, and the markers some carry."""

    units: tuple[tuple[str, Role], ...]
    markers: tuple[tuple[str, RoleMarker], ...] = ()


@dataclass(frozen=True)
class TaskSnapshot:
    """A task's content as imports compare it: text, units by agency name, schedule.

    `milestones` leaves out recurring checkpoints: `recurrence` stands for them, and they are
    laid up to a horizon that moves with time (workflows/checkpoints.py).
    """

    number: int
    section: str | None
    text: str
    units: tuple[tuple[str, Role], ...]
    units_open: bool
    schedule_text: str
    start_on: dt.date | None
    due_on: dt.date | None
    ongoing: bool
    schedule_flagged: bool
    milestones: tuple[PlannedMilestone, ...]
    markers: tuple[tuple[str, RoleMarker], ...] = ()  # co-leads and guides, by agency name
    note: str = ""  # leaders' posts printed beside the units
    recurrence: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The snapshot as plain JSON values, for the audit log."""
        return {
            "number": self.number,
            "section": self.section,
            "text": self.text,
            "units": [[name, str(role)] for name, role in self.units],
            "units_open": self.units_open,
            "schedule_text": self.schedule_text,
            "start_on": self.start_on.isoformat() if self.start_on else None,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "ongoing": self.ongoing,
            "milestones": [[m.key, str(m.kind), m.on_date.isoformat()] for m in self.milestones],
            "markers": [[name, str(marker)] for name, marker in self.markers],
            "note": self.note,
            "recurrence": self.recurrence,
        }


def planned_milestones(schedule: Schedule) -> tuple[PlannedMilestone, ...]:
    """The milestones a schedule calls for: start, a checkpoint per year-end, due."""
    planned: list[PlannedMilestone] = []
    if schedule.start_on is not None:
        planned.append(PlannedMilestone("start", MilestoneKind.START, schedule.start_on))
    for checkpoint in schedule.checkpoints:
        key = f"checkpoint-{checkpoint.isoformat()}"
        planned.append(PlannedMilestone(key, MilestoneKind.CHECKPOINT, checkpoint))
    if schedule.due_on is not None:
        planned.append(PlannedMilestone("due", MilestoneKind.DUE, schedule.due_on))
    return tuple(planned)


def snapshot_from_annex(task: AnnexTask, resolved: ResolvedUnits) -> TaskSnapshot:
    """The snapshot of a task read from a file, with its units already resolved to agencies."""
    schedule = task.schedule
    return TaskSnapshot(
        number=task.number,
        section=task.section,
        text=task.text,
        units=resolved.units,
        markers=resolved.markers,
        note=task.units.note,
        recurrence=schedule.recurrence,
        units_open=task.units.open_list,
        schedule_text=schedule.text,
        start_on=schedule.start_on,
        due_on=schedule.due_on,
        ongoing=schedule.ongoing,
        schedule_flagged=schedule.flagged,
        milestones=planned_milestones(schedule),
    )


def snapshot_from_task(task: Task) -> TaskSnapshot:
    """The snapshot of a stored task (its assignments and milestones must be loaded)."""
    return TaskSnapshot(
        number=task.number,
        section=task.section,
        text=task.text,
        units=tuple((a.agency.name, a.role) for a in task.assignments),
        markers=tuple((a.agency.name, a.marker) for a in task.assignments if a.marker),
        note=task.responsibility_note,
        recurrence=task.recurrence,
        units_open=task.units_open,
        schedule_text=task.schedule_text,
        start_on=task.start_on,
        due_on=task.due_on,
        ongoing=task.ongoing,
        schedule_flagged=task.schedule_flagged,
        milestones=tuple(
            PlannedMilestone(m.key, m.kind, m.on_date)
            for m in sorted(task.milestones, key=lambda m: (m.on_date, m.key))
            if m.cancelled_at is None
            and m.kind is not MilestoneKind.CUSTOM
            and not is_recurring_key(m.key)
        ),
    )

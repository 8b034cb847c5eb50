"""What a re-import would change: tasks added, removed and changed, unit by unit."""

from __future__ import annotations

from dataclasses import dataclass

from db.enums import Role
from workflows.importing.snapshot import TaskSnapshot

COMPARED_FIELDS = (
    "text",
    "section",
    "units",
    "units_open",
    "markers",
    "note",
    "schedule_text",
    "milestones",
    "recurrence",
)


@dataclass(frozen=True)
class TaskChange:
    """One task's changes between the stored annex and the file."""

    before: TaskSnapshot
    after: TaskSnapshot

    @property
    def number(self) -> int:
        """The task's number."""
        return self.after.number

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the fields that differ."""
        return tuple(
            f for f in COMPARED_FIELDS if getattr(self.before, f) != getattr(self.after, f)
        )

    @property
    def units_added(self) -> tuple[str, ...]:
        """Agencies the file adds to the task."""
        before = {name for name, _ in self.before.units}
        return tuple(name for name, _ in self.after.units if name not in before)

    @property
    def units_removed(self) -> tuple[str, ...]:
        """Agencies the file takes off the task."""
        after = {name for name, _ in self.after.units}
        return tuple(name for name, _ in self.before.units if name not in after)

    @property
    def roles_changed(self) -> tuple[tuple[str, Role, Role], ...]:
        """Agencies that stay on the task with another role: (name, old, new)."""
        before = dict(self.before.units)
        return tuple(
            (name, before[name], role)
            for name, role in self.after.units
            if name in before and before[name] != role
        )


@dataclass(frozen=True)
class PlanDiff:
    """Everything a file would change in a plan."""

    added: tuple[TaskSnapshot, ...]
    removed: tuple[TaskSnapshot, ...]
    changed: tuple[TaskChange, ...]

    @property
    def is_empty(self) -> bool:
        """True when the file matches the stored plan."""
        return not (self.added or self.removed or self.changed)


def diff_tasks(stored: list[TaskSnapshot], incoming: list[TaskSnapshot]) -> PlanDiff:
    """Compare stored tasks with a file's tasks, matching them by number."""
    before = {task.number: task for task in stored}
    after = {task.number: task for task in incoming}
    changed = []
    for number in sorted(before.keys() & after.keys()):
        change = TaskChange(before[number], after[number])
        if change.fields:
            changed.append(change)
    return PlanDiff(
        added=tuple(after[n] for n in sorted(after.keys() - before.keys())),
        removed=tuple(before[n] for n in sorted(before.keys() - after.keys())),
        changed=tuple(changed),
    )

"""The terminal report of an import: what was read, what changes, what needs a hand."""

from __future__ import annotations

from rich.console import Console

from workflows.importing.diff import TaskChange
from workflows.importing.explain import AnnexReading, TaskReading
from workflows.importing.service import ImportResult
from workflows.importing.snapshot import TaskSnapshot

TRIM = 36


def _short(text: str) -> str:
    """Cut a task text for a one-line summary."""
    return text if len(text) <= TRIM else text[: TRIM - 1] + "…"


def _dates(snapshot: TaskSnapshot) -> str:
    """The dates a snapshot's schedule was read into."""
    if snapshot.schedule_flagged:
        return "unread"
    if snapshot.ongoing:
        return f"from {snapshot.start_on or '?'}, ongoing"
    return f"due {snapshot.due_on}"


def _units(snapshot: TaskSnapshot) -> str:
    """Units as lead + co names."""
    return "、".join(name for name, _ in snapshot.units)


def describe_change(change: TaskChange) -> list[str]:
    """The lines that say how one task changes."""
    before, after = change.before, change.after
    lines: list[str] = []
    if "text" in change.fields:
        lines.append(f"    text: {_short(before.text)} → {_short(after.text)}")
    if "section" in change.fields:
        lines.append(f"    section: {before.section or '—'} → {after.section or '—'}")
    if change.units_added:
        lines.append(f"    units added: {'、'.join(change.units_added)}")
    if change.units_removed:
        lines.append(f"    units removed: {'、'.join(change.units_removed)}")
    for name, old, new in change.roles_changed:
        lines.append(f"    {name}: {old} → {new}")
    if "units" in change.fields and not (
        change.units_added or change.units_removed or change.roles_changed
    ):
        lines.append(f"    unit order: {_units(after)}")
    if "units_open" in change.fields:
        lines.append(f"    open list (等): {before.units_open} → {after.units_open}")
    if "schedule_text" in change.fields or "milestones" in change.fields:
        lines.append(
            f"    schedule: {before.schedule_text} ({_dates(before)})"
            f" → {after.schedule_text} ({_dates(after)})"
        )
    return lines


def print_import(console: Console, result: ImportResult) -> None:
    """Say what an import read and did, and what the coordinator must still do."""
    doc = result.document
    title = " ".join(x for x in (doc.number, doc.title) if x) or "the annex"
    diff = result.diff
    out = console.print
    if result.plan_created:
        verb = "Would import" if not result.applied else "Imported"
        out(
            f"{verb} {title} into plan {result.plan_code} ({result.layout} layout): "
            f"{result.task_count} tasks.",
            markup=False,
        )
    else:
        out(
            f"Plan {result.plan_code} ({result.layout} layout, "
            f"{result.task_count} tasks in the file): {len(diff.added)} added, "
            f"{len(diff.removed)} removed, {len(diff.changed)} changed.",
            markup=False,
        )
        for snapshot in diff.added:
            out(
                f"  + {snapshot.number} {_short(snapshot.text)}"
                f" [{_units(snapshot)}; {_dates(snapshot)}]",
                markup=False,
            )
        for snapshot in diff.removed:
            out(f"  - {snapshot.number} {_short(snapshot.text)}", markup=False)
        for change in diff.changed:
            out(f"  ~ {change.number} {_short(change.after.text)}", markup=False)
            for line in describe_change(change):
                out(line, markup=False)
    if result.unknown_units:
        out("Units not in the agency directory (kept as new agencies):")
        for unit in result.unknown_units:
            tasks = ", ".join(str(n) for n in unit.tasks)
            out(f"  {unit.name} — task {tasks}", markup=False)
    if result.flagged:
        out("Schedules that could not be read (set these dates by hand):")
        for flagged in result.flagged:
            out(
                f"  task {flagged.number} (line {flagged.line}): {flagged.text or '(empty)'}",
                markup=False,
            )
    if result.needs_confirmation:
        out("Nothing written: run again with --apply to apply these changes.")
    elif not result.plan_created and diff.is_empty:
        out("No changes: the plan already matches the file.")
    elif not result.applied:
        out("Dry run: nothing written.")


def print_explanation(console: Console, reading: AnnexReading) -> None:
    """Per task: the rule that read it, the units and schedule as printed and as understood."""
    number = f", {reading.document_number}" if reading.document_number else ""
    console.print(f"layout: {reading.layout}{number}; {len(reading.tasks)} tasks", markup=False)
    for task in reading.tasks:
        section = f"  [{task.section}]" if task.section else ""
        console.print(f"{task.number}. {task.rule or '?'}{section}", markup=False, highlight=False)
        units = "、".join(task.leads) or "—"
        units += " | " + ("、".join(task.co) or "—")
        more = " (等: open list)" if task.open_list else ""
        console.print(f"    units:    {task.units_printed}", markup=False, highlight=False)
        console.print(f"           → lead | co: {units}{more}", markup=False, highlight=False)
        console.print(
            f"    schedule: {task.schedule_printed or '—'}", markup=False, highlight=False
        )
        console.print(f"           → {_reading_dates(task)}", markup=False, highlight=False)


def _reading_dates(task: TaskReading) -> str:
    """The dates a schedule phrase was read into, or that it was not."""
    if task.flagged:
        return "unread: set the date by hand"
    parts = []
    if task.start_on:
        parts.append(f"start {task.start_on}")
    parts.extend(f"checkpoint {day}" for day in task.checkpoints)
    parts.append("ongoing" if task.ongoing else f"due {task.due_on or '—'}")
    return ", ".join(parts)

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


# Why a schedule waits for a coordinator, as the report says it.
REASONS = {
    "unread": "could not be read",
    "empty": "no schedule printed",
    "event": "tied to {event}, whose date is not fixed",
    "before_issue": "a month without a year that falls before the signing date",
    "no_year": "no year: the document's date or number is not known",
}


def _dates(snapshot: TaskSnapshot) -> str:
    """The dates a snapshot's schedule was read into."""
    if snapshot.schedule_flagged:
        return "unread"
    every = f", every {snapshot.recurrence}" if snapshot.recurrence else ""
    if snapshot.ongoing and snapshot.due_on is not None:
        return f"due {snapshot.due_on}, then ongoing{every}"
    if snapshot.ongoing:
        return f"from {snapshot.start_on or '?'}, ongoing{every}"
    if snapshot.due_on is None:
        return "no dates"
    return f"due {snapshot.due_on}{every}"


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
    if "markers" in change.fields:
        marked = "、".join(f"{name} ({marker})" for name, marker in after.markers) or "none"
        lines.append(f"    co-leads and guides: {marked}")
    if "note" in change.fields:
        lines.append(f"    leaders named: {before.note or '—'} → {after.note or '—'}")
    if {"schedule_text", "milestones", "recurrence"} & set(change.fields):
        lines.append(
            f"    schedule: {before.schedule_text} ({_dates(before)})"
            f" → {after.schedule_text} ({_dates(after)})"
        )
    return lines


def print_import(console: Console, result: ImportResult, *, code_given: bool = False) -> None:
    """Say what an import read and did, and what the coordinator must still do.

    `code_given`: the plan's code was asked for; otherwise a plan that exists already is said
    to be one (plan.csv and then plan.xlsx both make plan "plan").
    """
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
        if not code_given:
            out(
                f"Plan {result.plan_code} exists already, so this file is compared with it as "
                "a revised version of its annex; to import it as a plan of its own, give "
                "--plan CODE.",
                markup=False,
            )
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
    if result.jurisdiction:
        out(
            f"Jurisdiction: {result.jurisdiction} (its local units are named with it).",
            markup=False,
        )
    if result.unknown_units:
        out("Units not in the agency directory (kept as new agencies):")
        for unit in result.unknown_units:
            tasks = ", ".join(str(n) for n in unit.tasks)
            hint = " (a local unit: give the plan its --jurisdiction)" if unit.local else ""
            out(f"  {unit.name} — task {tasks}{hint}", markup=False)
    if result.no_schedule:
        out("The annex gives no schedule: set due dates by hand where they are needed.")
    if result.flagged:
        out("Schedules a coordinator must date by hand:")
        for flagged in result.flagged:
            reason = REASONS[flagged.reason].format(event=flagged.event)
            out(
                f"  task {flagged.number} (line {flagged.line}): {flagged.text or '(empty)'}"
                f" — {reason}",
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
        meaning = [
            *(f"co-lead {name}" for name in task.co_leads),
            *(f"guide {name}" for name in task.guides),
            *([f"leaders named: {task.note}"] if task.note else []),
        ]
        if meaning:
            console.print(f"             {'; '.join(meaning)}", markup=False, highlight=False)
        console.print(
            f"    schedule: {task.schedule_printed or '—'}", markup=False, highlight=False
        )
        console.print(f"           → {_reading_dates(task)}", markup=False, highlight=False)


def _reading_dates(task: TaskReading) -> str:
    """The dates a schedule phrase was read into, or that it was not."""
    if task.flagged:
        reason = REASONS.get(task.reason or "unread", "").format(event=task.event)
        return f"unread ({reason}): set the date by hand"
    parts = []
    if task.start_on:
        parts.append(f"start {task.start_on}")
    parts.extend(f"checkpoint {day}" for day in task.checkpoints)
    if task.due_on is not None or not task.ongoing:
        parts.append(f"due {task.due_on or '—'}")
    if task.ongoing:
        parts.append("ongoing")
    if task.recurrence:
        parts.append(f"every {task.recurrence}")
    return ", ".join(parts)

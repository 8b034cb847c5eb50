"""How the command line shows things: rich tables for people, JSON for scripts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from workflows.agencies import AgencyView
from workflows.importing.service import ImportResult
from workflows.tasks import PlanView, TaskView, UnitView

TEXT_WIDTH = 40


def to_json(value: Any) -> str:
    """Serialise views (dataclasses, dates) as indented UTF-8 JSON."""

    def default(item: Any) -> Any:
        if isinstance(item, dt.date):
            return item.isoformat()
        raise TypeError(f"cannot serialise {type(item).__name__}")

    return json.dumps(value, ensure_ascii=False, indent=2, default=default)


def task_json(task: TaskView) -> dict[str, Any]:
    """A task in the documented JSON shape."""

    def unit(u: UnitView) -> dict[str, Any]:
        return {
            "name": u.name,
            "full_name": u.full_name,
            "name_en": u.name_en,
            "group": u.is_group,
            "marker": u.marker,
        }

    return {
        "plan": task.plan,
        "number": task.number,
        "section": task.section,
        "text": task.text,
        "state": task.state,
        "lead": [unit(u) for u in task.lead],
        "co": [unit(u) for u in task.co],
        "units_open": task.units_open,
        "note": task.note,
        "schedule": {
            "text": task.schedule.text,
            "start": task.schedule.start_on,
            "due": task.schedule.due_on,
            "ongoing": task.schedule.ongoing,
            "flagged": task.schedule.flagged,
            "recurrence": task.schedule.recurrence,
        },
        "milestones": [
            {
                "kind": m.kind,
                "date": m.on_date,
                "label": m.label,
                "sequence": m.sequence,
                "cancelled": m.cancelled,
            }
            for m in task.milestones
        ],
    }


def _trim(text: str, width: int = TEXT_WIDTH) -> str:
    """Cut long text to a width, marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _units_cell(task: TaskView) -> str:
    """Lead units, then co-responsible units, then 等 for an open list."""
    lead = "、".join(u.name for u in task.lead)
    co = "、".join(u.name for u in task.co)
    return f"{lead}" + (f" | {co}" if co else "") + (" 等" if task.units_open else "")


def schedule_cell(task: TaskView) -> str:
    """The dates a schedule was read into, or a flag when it needs a hand-set date."""
    s = task.schedule
    if s.flagged:
        return f"⚠ {s.text or '—'}"
    if s.ongoing and s.due_on is not None:
        return f"→ {s.due_on}, then ongoing"
    if s.ongoing:
        return f"{s.start_on or ''} → ongoing"
    return f"{s.start_on or ''} → {s.due_on}" if s.start_on else f"→ {s.due_on}"


def print_tasks(console: Console, tasks: list[TaskView]) -> None:
    """A table of tasks, one row each."""
    plans = {t.plan for t in tasks}
    table = Table(show_lines=False, expand=False)
    if len(plans) > 1:
        table.add_column("plan")
    table.add_column("#", justify="right")
    table.add_column("task")
    table.add_column("lead | co-responsible", overflow="fold")
    table.add_column("schedule")
    table.add_column("dates")
    for task in tasks:
        cells = [
            str(task.number),
            _trim(task.text),
            _units_cell(task),
            task.schedule.text,
            schedule_cell(task),
        ]
        table.add_row(*([task.plan] if len(plans) > 1 else []), *cells)
    console.print(table)


def print_task(console: Console, task: TaskView) -> None:
    """Everything about one task."""
    console.print(f"[bold]{task.plan} · task {task.number}[/bold]  ({task.state})")
    if task.section:
        console.print(f"section: {task.section}")
    console.print(task.text, markup=False)
    for unit in task.units:
        extra = f" — {unit.full_name}" if unit.full_name and unit.full_name != unit.name else ""
        console.print(f"  {unit.role:<4} {unit.name}{extra}", markup=False)
    if task.units_open:
        console.print("  (等: the list of units is open)")
    console.print(f"schedule: {task.schedule.text}  [{schedule_cell(task)}]", markup=False)
    for m in task.milestones:
        mark = " (cancelled)" if m.cancelled else ""
        console.print(f"  {m.on_date}  {m.kind}{mark}")


def print_plans(console: Console, plans: list[PlanView]) -> None:
    """A table of plans."""
    table = Table()
    for column in ("code", "document", "title", "issued", "timezone", "tasks"):
        table.add_column(column)
    for p in plans:
        table.add_row(
            p.code,
            p.document_number or "",
            _trim(p.title or ""),
            str(p.issued_on or ""),
            p.timezone,
            str(p.tasks),
        )
    console.print(table)


def print_agencies(console: Console, agencies: list[AgencyView]) -> None:
    """A table of agencies with their task counts."""
    table = Table()
    for column in ("name", "full name", "English", "lead", "co", "note"):
        table.add_column(column)
    for a in agencies:
        note = "group" if a.is_group else ("not in directory" if not a.in_directory else "")
        table.add_row(
            a.name, a.full_name or "", a.name_en or "", str(a.lead_tasks), str(a.co_tasks), note
        )
    console.print(table)


def import_json(result: ImportResult) -> dict[str, Any]:
    """An import result in the documented JSON shape."""
    diff = result.diff
    return {
        "plan": result.plan_code,
        "plan_created": result.plan_created,
        "layout": result.layout,
        "document": dataclasses.asdict(result.document),
        "tasks": result.task_count,
        "applied": result.applied,
        "needs_confirmation": result.needs_confirmation,
        "added": [t.number for t in diff.added],
        "removed": [t.number for t in diff.removed],
        "changed": [{"number": c.number, "fields": list(c.fields)} for c in diff.changed],
        "unknown_units": [dataclasses.asdict(u) for u in result.unknown_units],
        "flagged_schedules": [dataclasses.asdict(f) for f in result.flagged],
        "jurisdiction": result.jurisdiction,
        "no_schedule": result.no_schedule,
    }
